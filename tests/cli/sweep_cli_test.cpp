// `mixprec sweep` and `mixprec compare` through the real binary: a 2 precisions x 2 seeds
// sweep of one short epoch with two runs at once, its index and run folders, the dry-run
// commands, compare --format json, and a second invocation that re-uses every run.
#include <gtest/gtest.h>

#include "cli_test_util.hpp"

namespace mixprec {
namespace {

using namespace mixprec::testing;

std::vector<std::string> sweep_args(const fs::path& out) {
  return {"sweep", kDefaultConfig.string(), "--set", "data.dir=" + kMnist10k.string(),
          "--set", "train.epochs=1", "--set", "model.hidden=[64]",
          "--precision", "fp32,bf16-mixed", "--seeds", "0-1", "--jobs", "2", "--out", out.string()};
}

TEST(SweepCli, RunsTheGridComparesAndResumes) {
  TempDir tmp;
  const fs::path sweep = tmp.path() / "sweep";
  // Grid order: seed outermost, precisions interleaved within each seed.
  const std::vector<std::string> names = {"fp32-seed0", "bf16-mixed-seed0", "fp32-seed1", "bf16-mixed-seed1"};

  // --dry-run: one command per run, nothing written.
  std::vector<std::string> dry = sweep_args(sweep);
  dry.push_back("--dry-run");
  const Invocation plan = run_mixprec(dry, tmp.path(), tmp.path());
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  const auto lines = split_lines(plan.out);
  ASSERT_EQ(lines.size(), 4u) << plan.out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i].rfind(std::string(MIXPREC_BINARY) + " train ", 0), 0u) << lines[i];
    EXPECT_TRUE(contains(lines[i], "--set 'model.hidden=[64]'")) << lines[i];
    EXPECT_TRUE(contains(lines[i], "--set threads=")) << lines[i];  // --jobs 2 splits the cores
    EXPECT_TRUE(contains(lines[i], "--out " + (sweep / names[i]).string())) << lines[i];
  }
  EXPECT_FALSE(fs::exists(sweep));

  // The sweep itself.
  const Invocation first = run_mixprec(sweep_args(sweep), tmp.path(), tmp.path());
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out, sweep.string() + "\n");
  const auto index = read_json(sweep / "sweep.json");
  EXPECT_EQ(index["status"], "completed");
  ASSERT_EQ(index["runs"].size(), 4u);
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto& run = index["runs"][i];
    EXPECT_EQ(run["name"], names[i]);
    EXPECT_EQ(run["status"], "completed");
    EXPECT_EQ(run["exit_code"], 0);
    EXPECT_EQ(run["command"], lines[i]) << "the index records the command the dry run printed";
    EXPECT_EQ(read_json(sweep / names[i] / "summary.json")["status"], "completed");
    EXPECT_TRUE(fs::exists(sweep / "logs" / (names[i] + ".log")));
  }

  // compare --format json: two groups (fp32 and bf16-mixed), two seeds each.
  const Invocation cmp = run_mixprec({"compare", sweep.string(), "--format", "json"}, tmp.path(), tmp.path());
  ASSERT_EQ(cmp.exit_code, 0) << cmp.err;
  const auto j = nlohmann::json::parse(cmp.out);
  ASSERT_EQ(j["groups"].size(), 2u) << cmp.out;
  EXPECT_EQ(j["groups"][0]["precision"], "fp32");
  EXPECT_EQ(j["groups"][1]["precision"], "bf16-mixed");
  EXPECT_EQ(j["groups"][1]["n"], 2);
  EXPECT_TRUE(j["groups"][1]["speedup_vs_baseline"].is_number());
  EXPECT_TRUE(j["skipped"].empty());

  // The same command again re-uses every completed run.
  const auto before = fs::last_write_time(sweep / "fp32-seed0" / "summary.json");
  const Invocation again = run_mixprec(sweep_args(sweep), tmp.path(), tmp.path());
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_TRUE(contains(again.err, "4 already completed")) << again.err;
  const auto index2 = read_json(sweep / "sweep.json");
  for (const auto& run : index2["runs"]) {
    EXPECT_EQ(run["status"], "completed");
    EXPECT_EQ(run["reused"], true);
  }
  EXPECT_EQ(fs::last_write_time(sweep / "fp32-seed0" / "summary.json"), before);
}

TEST(SweepCli, TypoFailsBeforeAnythingRuns) {
  TempDir tmp;
  const fs::path sweep = tmp.path() / "sweep";
  std::vector<std::string> args = sweep_args(sweep);
  args.push_back("--set");
  args.push_back("optimizer.lr=0.1,0.05x");  // the second value is not a number
  const Invocation r = run_mixprec(args, tmp.path(), tmp.path());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(contains(r.err, "optimizer.lr")) << r.err;
  EXPECT_FALSE(fs::exists(sweep));
}

}  // namespace
}  // namespace mixprec
