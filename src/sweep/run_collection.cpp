#include "sweep/run_collection.hpp"

#include <algorithm>
#include <fstream>
#include <set>

#include "common/error.hpp"
#include "sweep/run_status.hpp"

namespace mixprec {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json read_json_or_null(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return nullptr;
  json j = json::parse(in, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? json(nullptr) : j;
}

bool is_run_dir(const fs::path& dir) {
  return fs::exists(dir / "summary.json") || fs::exists(dir / "config.json") ||
         fs::exists(dir / "metrics.jsonl");
}

class Collector {
 public:
  void add(RunInfo run) {
    std::error_code ec;
    fs::path key = fs::weakly_canonical(run.dir, ec);
    if (ec) key = run.dir;
    if (seen_.insert(key.string()).second) runs_.push_back(std::move(run));
  }

  // `listed`: found one level down a folder such as runs/, where one broken sweep must not
  // hide all the others: it is reported as skipped instead of failing the whole compare.
  void add_sweep(const fs::path& dir, bool listed) {
    const json index = read_json_or_null(dir / "sweep.json");
    const bool readable = index.is_object() && index.contains("runs") && index["runs"].is_array();
    if (!readable && listed) {
      add({dir, "unreadable sweep.json (not the index that `mixprec sweep` writes)", nullptr, nullptr});
      return;
    }
    if (!readable)
      fail("{}: not a readable sweep index (hint: expected the sweep.json that `mixprec sweep` "
           "writes)", (dir / "sweep.json").string());
    for (const json& r : index["runs"]) {
      if (!r.is_object() || !r.contains("dir") || !r["dir"].is_string()) continue;
      RunInfo run = load_run(dir / r["dir"].get<std::string>());
      if (run.status == "missing") run.status = r.value("status", "pending");
      add(std::move(run));
    }
  }

  // Returns false if `dir` is neither a run nor a sweep folder.
  bool add_dir(const fs::path& dir, bool listed) {
    if (fs::exists(dir / "sweep.json")) {
      add_sweep(dir, listed);
      return true;
    }
    if (is_run_dir(dir)) {
      add(load_run(dir));
      return true;
    }
    return false;
  }

  std::vector<RunInfo> take() { return std::move(runs_); }

 private:
  std::vector<RunInfo> runs_;
  std::set<std::string> seen_;
};

}  // namespace

RunInfo load_run(const fs::path& dir) {
  RunInfo run;
  run.dir = dir;
  run.status = read_run_status(dir);
  run.config = read_json_or_null(dir / "config.json");
  run.summary = read_json_or_null(dir / "summary.json");
  return run;
}

std::vector<RunInfo> collect_runs(const std::vector<std::string>& dirs) {
  Collector collector;
  for (const std::string& arg : dirs) {
    const fs::path dir(arg);
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
      fail("{}: no such folder (hint: give run folders, sweep folders or a folder holding them, "
           "e.g. runs/)", arg);
    if (collector.add_dir(dir, false)) continue;
    // A folder of runs and sweeps, e.g. runs/: one level down, in name order.
    std::vector<fs::path> children;
    for (const auto& entry : fs::directory_iterator(dir, ec))
      if (entry.is_directory()) children.push_back(entry.path());
    std::sort(children.begin(), children.end());
    bool any = false;
    for (const fs::path& child : children) any = collector.add_dir(child, true) || any;
    if (!any)
      fail("{}: holds no run folder (summary.json, config.json) and no sweep (sweep.json), "
           "neither directly nor one level down (hint: point at a run or sweep folder)", arg);
  }
  return collector.take();
}

}  // namespace mixprec
