// Which runs a resumed sweep skips and which it runs again (src/sweep/run_status.hpp),
// on run folders made here.
#include "sweep/run_status.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "support/temp_dir.hpp"

namespace mixprec {
namespace {

namespace fs = std::filesystem;

void make_run(const fs::path& dir, const std::string& summary) {
  fs::create_directories(dir);
  std::ofstream(dir / "config.json") << "{}";
  if (!summary.empty()) std::ofstream(dir / "summary.json") << summary;
}

TEST(Resume, SkipsCompletedRerunsTheRest) {
  testing::TempDir tmp;
  const fs::path s = tmp.path();
  make_run(s / "completed", R"({"status": "completed", "final": {}})");
  make_run(s / "interrupted", R"({"status": "interrupted"})");
  make_run(s / "diverged", R"({"status": "diverged"})");
  make_run(s / "no-summary", "");                     // killed before writing it
  make_run(s / "torn", R"({"status": "compl)");       // unreadable
  make_run(s / "no-status", R"({"final": {}})");
  fs::create_directories(s / "empty");

  EXPECT_EQ(read_run_status(s / "completed"), "completed");
  EXPECT_EQ(read_run_status(s / "interrupted"), "interrupted");
  EXPECT_EQ(read_run_status(s / "diverged"), "diverged");
  EXPECT_EQ(read_run_status(s / "no-summary"), "failed");
  EXPECT_EQ(read_run_status(s / "torn"), "failed");
  EXPECT_EQ(read_run_status(s / "no-status"), "failed");
  EXPECT_EQ(read_run_status(s / "empty"), "failed");
  EXPECT_EQ(read_run_status(s / "absent"), "missing");

  const auto actions = plan_resume(s, {"completed", "interrupted", "diverged", "no-summary", "torn",
                                       "no-status", "empty", "absent"});
  using A = ResumeAction;
  EXPECT_EQ(actions, (std::vector<A>{A::kSkip, A::kRerun, A::kRerun, A::kRerun, A::kRerun,
                                     A::kRerun, A::kRerun, A::kRun}));
}

}  // namespace
}  // namespace mixprec
