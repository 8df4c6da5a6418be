#include "cli/bench_training.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <spdlog/spdlog.h>

#include "common/error.hpp"

namespace mixprec {
namespace {

namespace fs = std::filesystem;

// The lowest cpu_share of a run's epochs (1 if none was recorded).
double lowest_cpu_share(const fs::path& metrics) {
  std::ifstream in(metrics);
  double lowest = 1.0;
  for (std::string line; std::getline(in, line);) {
    const nlohmann::json r = nlohmann::json::parse(line, nullptr, false);
    if (r.is_object() && r.value("type", "") == "epoch" && r.contains("cpu_share") &&
        r["cpu_share"].is_number())
      lowest = std::min(lowest, r["cpu_share"].get<double>());
  }
  return lowest;
}

// The child's own one-line error from its stderr, without its "mixprec: error: " prefix.
std::string last_error(const fs::path& log_path) {
  std::ifstream log(log_path);
  std::string last, line;
  while (std::getline(log, line)) last = line;
  if (const auto at = last.find("error: "); at != std::string::npos) last.erase(0, at + 7);
  return last;
}

}  // namespace

std::vector<TrainingRuns> run_training_rounds(const TrainingRounds& plan) {
  const fs::path root = fs::temp_directory_path() / ("mixprec-bench-" + std::to_string(::getpid()));
  fs::create_directories(root);
  const fs::path log = root / "log.txt";
  std::vector<TrainingRuns> runs;
  for (Precision p : plan.precisions) runs.push_back({p, {}, {}, nullptr});
  const std::size_t n = runs.size();
  for (int round = 1; round <= plan.rounds; ++round) {
    for (std::size_t turn = 0; turn < n; ++turn) {
      TrainingRuns& run = runs[round % 2 == 1 ? turn : n - 1 - turn];
      const std::string mode = to_string(run.precision);
      const fs::path dir = root / fmt::format("{}-{}", mode, round);
      std::string cmd = plan.binary + " train '" + plan.config_path + "' --out '" + dir.string() + "'";
      for (const auto& o : plan.overrides) cmd += " --set '" + o + "'";
      cmd += " --set precision=" + mode + " > /dev/null 2> '" + log.string() + "'";
      spdlog::info("round {}/{}: training {} ({} epochs)", round, plan.rounds, mode, plan.epochs);
      if (std::system(cmd.c_str()) != 0) {
        const std::string error = last_error(log);
        fs::remove_all(root);
        fail("bench: training {} failed: {}", mode, error);
      }
      std::ifstream in(dir / "summary.json");
      const nlohmann::json summary = nlohmann::json::parse(in);
      run.samples_per_s.push_back(summary["time"]["median_samples_per_s"].get<double>());
      run.lowest_cpu_share.push_back(lowest_cpu_share(dir / "metrics.jsonl"));
      run.test_accuracy = summary["final"]["test"]["accuracy"];
    }
  }
  fs::remove_all(root);
  return runs;
}

}  // namespace mixprec
