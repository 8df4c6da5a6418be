#include "cli/train_command.hpp"

#include <iostream>

#include <spdlog/spdlog.h>

#include "cli/kernel_paths.hpp"
#include "cli/threads.hpp"
#include "config/config_loader.hpp"
#include "data/dataset.hpp"
#include "kernels/matmul.hpp"
#include "metrics/environment.hpp"
#include "report/atomic_file.hpp"
#include "report/run_dir.hpp"
#include "report/run_log.hpp"
#include "train/interrupt.hpp"
#include "train/trainer.hpp"

namespace mixprec {

void setup_train_command(CLI::App& app, TrainOptions& options, int& exit_code,
                         const std::string& command_line) {
  CLI::App* cmd = app.add_subcommand("train", "Train an MLP from a JSON config and write a run directory");
  cmd->add_option("config", options.config_path, "JSON config file (see docs/config.md)")->required();
  cmd->add_option("--set", options.overrides,
                  "Override a config value: key.path=value (JSON-typed), repeatable");
  cmd->add_option("--out", options.out_dir, "Run directory to create (default runs/<name>-<precision>-<UTC time>)");
  cmd->add_option("--out-root", options.out_root, "Parent of the default run directory");
  cmd->callback([&options, &exit_code, &command_line]() {
    exit_code = run_train(options, command_line);
  });
}

int run_train(const TrainOptions& options, const std::string& command_line) {
  const Config cfg = load_config(options.config_path, options.overrides);
  const int threads = apply_thread_count(cfg.threads);
  const PrecisionPolicy policy = policy_for(cfg.precision);
  const MatmulPath& path = matmul().path(policy.compute);
  if (!path.native)
    spdlog::warn("{} matmuls have no native kernel on this CPU: they run on the emulated path "
                 "({}); numbers are exact, timings are not a hardware result",
                 to_string(policy.compute), path.impl);

  spdlog::info("loading data");
  const DataSplits data = load_data(cfg.data, cfg.seed);
  spdlog::info("{}", data.description);

  Trainer trainer(cfg, data);
  const auto dir = make_run_dir(options.out_root, cfg.name, to_string(cfg.precision),
                                options.out_dir.empty() ? std::nullopt
                                                        : std::optional<std::string>(options.out_dir));
  write_json_atomically(dir / "config.json", to_json(cfg));
  RunLog log(dir);
  nlohmann::json start = {{"run_dir", dir.string()},
                          {"config", to_json(cfg)},
                          {"kernels", kernel_paths_json()},
                          {"matmul_path", path.native ? "native" : "emulated"},
                          {"environment", environment_json(threads, command_line)}};
  spdlog::info("training {} ({} parameters) in {} on {} thread(s) -> {}", cfg.name,
               trainer.parameters().size(), to_string(cfg.precision), threads, dir.string());
  install_interrupt_handlers();
  RunOutcome outcome = trainer.run(log, start);
  outcome.summary["run_dir"] = dir.string();
  outcome.summary["matmul_path"] = path.native ? "native" : "emulated";
  outcome.summary["environment"] = start["environment"];
  write_json_atomically(dir / "summary.json", outcome.summary);
  std::cout << dir.string() << std::endl;
  if (outcome.status == "completed") return 0;
  spdlog::error("run {}: {}", outcome.status, outcome.reason);
  return outcome.status == "interrupted" ? 130 : 3;
}

}  // namespace mixprec
