#include "cli/validate_command.hpp"

#include <iostream>

#include <omp.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/data_summary.hpp"
#include "config/config_enums.hpp"
#include "common/error.hpp"
#include "config/config_loader.hpp"
#include "data/load_data.hpp"
#include "nn/param_layout.hpp"
#include "train/memory_estimate.hpp"
#include "train/precision_warnings.hpp"

namespace mixprec {

void setup_validate_command(CLI::App& app, ValidateOptions& options, int& exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "validate", "Check a config and its data (files exist and parse) without training");
  cmd->add_option("config", options.config_path, "JSON config file (see docs/config.md)")->required();
  cmd->add_option("--set", options.overrides,
                  "Override a config value: key.path=value (JSON-typed), repeatable");
  cmd->callback([&options, &exit_code]() { exit_code = run_validate(options); });
}

int run_validate(const ValidateOptions& options) {
  const Config cfg = load_config(options.config_path, options.overrides);
  // A few threads per core can hide memory stalls; four times the cores only queues them.
  const int cores = omp_get_num_procs();
  if (cfg.threads > 4 * cores)
    fail("{}: threads = {} on a machine with {} core(s): expected at most {} (hint: 0 uses "
         "every core; more threads than cores only take turns)", options.config_path,
         cfg.threads, cores, 4 * cores);
  // The same loader as train: every file is read and every row and label checked.
  const DataSplits data = load_data(cfg.data, cfg.seed);
  check_run_fits_memory(cfg, data, options.config_path);
  const ParamLayout layout(data.train.dim(), cfg.model.hidden, data.train.num_classes);
  const std::int64_t steps = (data.train.rows() + cfg.train.batch_size - 1) / cfg.train.batch_size;
  // data.description already says rows per split, features, classes and normalisation.
  std::cout << fmt::format(
      "OK: {} is valid. Run \"{}\" trains a {}-{}{}{} {} MLP with {} parameters in {} for {} "
      "epochs of {} steps (batch {}) on {}.\n",
      options.config_path, cfg.name, layout.input_dim(), fmt::join(cfg.model.hidden, "-"),
      cfg.model.hidden.empty() ? "" : "-", layout.num_classes(), to_string(cfg.model.activation),
      layout.size(), to_string(cfg.precision), cfg.train.epochs, steps, cfg.train.batch_size,
      data.description);
  std::cout << data_summary_text(data);
  for (const std::string& w : precision_warnings(cfg, data)) std::cout << "  warning: " << w << "\n";
  return 0;
}

}  // namespace mixprec
