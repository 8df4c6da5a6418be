#pragma once
// What a run directory says about its run, and what a resumed sweep does with it.
#include <filesystem>
#include <string>
#include <vector>

namespace mixprec {

// "missing" when the folder does not exist; the "status" of its summary.json when that
// file parses and has a string status (completed, interrupted, diverged); "failed" for a
// folder without a readable summary.json (the run crashed or was killed before writing it),
// "running" for such a folder while a process holds its RunLock.
std::string read_run_status(const std::filesystem::path& run_dir);

enum class ResumeAction {
  kSkip,   // summary.json says completed: keep it
  kRun,    // no folder yet
  kRerun,  // an incomplete folder (failed, interrupted, diverged): delete it, run again
};

// One decision per folder, by read_run_status: completed -> kSkip, missing -> kRun,
// anything else -> kRerun.
ResumeAction resume_action(const std::string& status);

// The decisions for <sweep_dir>/<name> of each name, in order.
std::vector<ResumeAction> plan_resume(const std::filesystem::path& sweep_dir,
                                      const std::vector<std::string>& run_names);

}  // namespace mixprec
