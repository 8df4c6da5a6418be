#include "sweep/run_status.hpp"

#include <fstream>

#include <nlohmann/json.hpp>

#include "report/run_lock.hpp"

namespace mixprec {

namespace fs = std::filesystem;

std::string read_run_status(const fs::path& run_dir) {
  std::error_code ec;
  if (!fs::exists(run_dir, ec)) return "missing";
  std::ifstream in(run_dir / "summary.json");
  // A writer still holds the folder: not failed, just not finished (docs/failures.md).
  if (!in) return run_lock_holder(run_dir) ? "running" : "failed";
  const nlohmann::json summary = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (summary.is_object() && summary.contains("status") && summary["status"].is_string())
    return summary["status"].get<std::string>();
  return "failed";
}

ResumeAction resume_action(const std::string& status) {
  if (status == "completed") return ResumeAction::kSkip;
  if (status == "missing") return ResumeAction::kRun;
  return ResumeAction::kRerun;
}

std::vector<ResumeAction> plan_resume(const fs::path& sweep_dir,
                                      const std::vector<std::string>& run_names) {
  std::vector<ResumeAction> actions;
  for (const std::string& name : run_names)
    actions.push_back(resume_action(read_run_status(sweep_dir / name)));
  return actions;
}

}  // namespace mixprec
