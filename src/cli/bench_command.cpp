#include "cli/bench_command.hpp"

#include <iostream>
#include <sstream>

#include <spdlog/spdlog.h>

#include "cli/bench_gemm.hpp"
#include "cli/bench_peak.hpp"
#include "cli/bench_report.hpp"
#include "cli/bench_setup.hpp"
#include "cli/bench_training.hpp"
#include "cli/threads.hpp"
#include "common/error.hpp"
#include "metrics/cpu_share.hpp"
#include "precision/precision.hpp"

namespace mixprec {
namespace {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

}  // namespace

void setup_bench_command(CLI::App& app, BenchOptions& options, int& exit_code) {
  CLI::App* cmd = app.add_subcommand("bench", "Measure peak, GEMM and end-to-end training speed per precision (JSON on stdout)");
  cmd->add_option("--config", options.config_path,
                  "Training config: its model on its data gives the GEMM shapes and the "
                  "end-to-end runs");
  cmd->add_option("--set", options.overrides, "Override a config value (repeatable)");
  cmd->add_option("--precision", options.precisions, "Comma-separated precisions to train");
  cmd->add_option("--epochs", options.epochs, "Epochs per training run (first is warm-up)")->check(CLI::Range(2, 1000));
  cmd->add_option("--rounds", options.rounds,
                  "Rounds of one run per precision; speed-ups are medians of same-round ratios")
      ->check(CLI::Range(1, 100));
  cmd->add_option("--threads", options.threads, "Threads for everything")->check(CLI::Range(1, 1024));
  cmd->add_flag("--skip-training", options.skip_training, "Only peak and GEMM numbers");
  cmd->callback([cmd, &options, &exit_code]() {
    options.config_given = cmd->count("--config") > 0;
    exit_code = run_bench(options);
  });
}

int run_bench(const BenchOptions& options) {
  // The arguments first: a wrong one fails before any file is read or anything measured.
  std::vector<Precision> precisions;
  for (const auto& name : split_list(options.precisions))
    precisions.push_back(parse_precision(name, "--precision"));
  if (precisions.empty() && !options.skip_training)
    fail("bench --precision \"{}\": expected a comma-separated list such as fp32,bf16-mixed",
         options.precisions);
  std::vector<std::string> overrides = options.overrides;
  overrides.push_back("threads=" + std::to_string(options.threads));
  overrides.push_back("train.epochs=" + std::to_string(options.epochs));
  spdlog::info("loading the config's data for the model's shapes");
  const BenchSetup setup = load_bench_setup(options.config_path, options.config_given, overrides);
  const int threads = apply_thread_count(options.threads);

  // 1. Peak, per thread count up to the one used.
  spdlog::info("measuring peak");
  BenchResults results{setup, threads, measure_bench_peak(threads), {}, 0.0, {}};

  // 2. GEMMs at every layer's shapes, for the three products of a training step.
  spdlog::info("measuring GEMMs");
  const CpuShareMeter gemm_cpu(threads);
  for (const GemmCase& c : step_gemms(setup.layout, setup.config.train.batch_size))
    results.gemm.push_back(measure_gemm(c));
  results.gemm_cpu_share = gemm_cpu.share();

  // 3. End to end: the real command, in rounds of one run per precision.
  if (!options.skip_training)
    results.training = run_training_rounds({self_path(), setup.config_path, setup.child_overrides,
                                            precisions, options.epochs, options.rounds});

  const nlohmann::json out = bench_json(results);
  if (out["machine_busy"] == true)
    spdlog::warn("bench: other processes were using the cores (cpu_share below {}, or a "
                 "product above the measured peak, whose share_of_peak is then null): these "
                 "numbers are not the hardware's; rerun on an idle machine", kBusyCpuShare);
  std::cout << out.dump(2) << std::endl;
  return 0;
}

}  // namespace mixprec
