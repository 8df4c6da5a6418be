#pragma once
// The runs that `mixprec compare` and scripts/plot_runs.py read: run folders given
// directly, the runs of sweep folders (sweep.json), or the run and sweep folders one
// level inside a folder such as runs/.
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mixprec {

struct RunInfo {
  std::filesystem::path dir;
  // completed, interrupted, diverged, failed (no readable summary.json), or, for a run
  // of a sweep that has no folder yet, its status in sweep.json (pending, running).
  std::string status;
  nlohmann::json config;   // config.json; null if absent or unreadable
  nlohmann::json summary;  // summary.json; null if absent or unreadable
};

// Every run folder under the arguments, in argument order, each once (by canonical
// path). A sweep folder lists its runs in sweep.json order, including those not yet
// started. UserError for an argument that is missing or holds no runs.
std::vector<RunInfo> collect_runs(const std::vector<std::string>& dirs);

// One run folder, whatever state it is in.
RunInfo load_run(const std::filesystem::path& dir);

}  // namespace mixprec
