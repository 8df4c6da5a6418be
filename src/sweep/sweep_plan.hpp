#pragma once
// From the flags of `mixprec sweep` to the list of runs, each with its folder, its log and
// the exact `mixprec train` argv. Every run's config is loaded here (load_config with its
// overrides), so a typo in the config or any --set fails before anything runs.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sweep/grid.hpp"

namespace mixprec {

struct SweepRequest {
  std::string config_path;
  std::string precisions;          // "fp32,bf16-mixed"; empty: the config's precision
  std::string seeds;               // "0-4"; empty: the config's seed
  std::vector<std::string> sets;   // "key=v1,v2", each an axis
  int jobs = 1;
  std::string out_dir;             // empty: <out_root>/sweep-<config name>-<UTC time>
  std::string out_root = "runs";
};

struct PlannedRun {
  GridRun grid;
  // Added by the sweep, after the grid's overrides: threads=<cores/jobs> (with --jobs > 1
  // and no --set threads), and data.dir/train/test made absolute when relative, so that
  // the command runs the same from any working directory.
  std::vector<std::string> extra_overrides;
  std::filesystem::path dir;   // <sweep dir>/<name>
  std::filesystem::path log;   // <sweep dir>/logs/<name>.log
  std::vector<std::string> argv;
  std::string command;         // argv, shell-quoted
  // to_json of the config this run trains (file + all overrides): a resumed sweep compares
  // it, not the config's path, with what the folder's runs were trained with.
  nlohmann::json resolved_config;
};

struct SweepPlan {
  std::filesystem::path config;  // absolute
  std::filesystem::path binary;  // absolute
  std::filesystem::path dir;     // absolute sweep folder
  std::vector<std::string> precisions;
  std::vector<std::uint64_t> seeds;
  std::vector<SweepAxis> axes;
  int jobs = 1;
  int threads_per_run = 0;       // 0: not set by the sweep
  std::vector<PlannedRun> runs;
};

// `binary` is the mixprec executable the runs exec; `cores` the CPUs this process may use;
// `cwd` resolves relative paths. Throws UserError for bad flags, a bad config or any run
// whose overrides do not load.
SweepPlan plan_sweep(const SweepRequest& request, const std::filesystem::path& binary, int cores,
                     const std::filesystem::path& cwd, std::chrono::system_clock::time_point now);

// CPUs this process may run on (sched_getaffinity), at least 1.
int available_cores();

// The running executable (/proc/self/exe).
std::filesystem::path current_executable();

}  // namespace mixprec
