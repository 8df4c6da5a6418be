// The sweep plan: up-front validation, thread split, absolute paths, and the dry-run
// commands parsed back into the runs of the grid (src/sweep/sweep_plan.hpp).
#include "sweep/sweep_plan.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "common/error.hpp"
#include "config/config_loader.hpp"
#include "support/sh_words.hpp"
#include "support/temp_dir.hpp"
#include "sweep/shell_words.hpp"
#include "sweep/sweep_index.hpp"

namespace mixprec {
namespace {

namespace fs = std::filesystem;
using Strings = std::vector<std::string>;

const fs::path kSource = MIXPREC_SOURCE_DIR;
const fs::path kBinary = "/opt/mix prec/mixprec";  // a space: the commands must quote it
const auto kNow = std::chrono::system_clock::from_time_t(1700000000);  // 2023-11-14 22:13:20 UTC

SweepRequest request() {
  SweepRequest r;
  r.config_path = "configs/default.json";  // relative to the cwd passed to plan_sweep
  r.precisions = "fp32,bf16";
  r.seeds = "0-1";
  r.sets = {"model.hidden=[64],[32,16]", "train.epochs=1"};
  return r;
}

TEST(SweepPlan, DefaultFolderAndPaths) {
  const SweepPlan plan = plan_sweep(request(), kBinary, 2, kSource, kNow);
  EXPECT_EQ(plan.config, kSource / "configs/default.json");
  EXPECT_EQ(plan.dir, kSource / "runs/sweep-mnist10k-20231114-221320");
  ASSERT_EQ(plan.runs.size(), 8u);
  EXPECT_EQ(plan.precisions, (Strings{"fp32", "bf16-mixed"}));
  EXPECT_EQ(plan.runs[0].dir, plan.dir / "fp32-seed0-model.hidden=64");
  EXPECT_EQ(plan.runs[0].log, plan.dir / "logs" / "fp32-seed0-model.hidden=64.log");
  // configs/default.json's data.dir is relative: the run gets it absolute.
  EXPECT_EQ(plan.runs[0].extra_overrides, (Strings{"data.dir=" + (kSource / "data/mnist-10k").string()}));
  EXPECT_EQ(plan.threads_per_run, 0);  // one job: the config's threads stand
}

TEST(SweepPlan, JobsSplitTheCoresUnlessThreadsIsSet) {
  SweepRequest r = request();
  r.jobs = 3;
  EXPECT_EQ(plan_sweep(r, kBinary, 8, kSource, kNow).threads_per_run, 2);  // 8 / 3
  EXPECT_EQ(plan_sweep(r, kBinary, 2, kSource, kNow).threads_per_run, 1);  // max(1, 0)
  const SweepPlan plan = plan_sweep(r, kBinary, 8, kSource, kNow);
  EXPECT_EQ(plan.runs[0].extra_overrides.front(), "threads=2");
  r.sets.push_back("threads=4");
  EXPECT_EQ(plan_sweep(r, kBinary, 8, kSource, kNow).threads_per_run, 0);
}

TEST(SweepPlan, DefaultsToTheConfigsPrecisionAndSeed) {
  SweepRequest r = request();
  r.precisions.clear();
  r.seeds.clear();
  r.sets.clear();
  const SweepPlan plan = plan_sweep(r, kBinary, 2, kSource, kNow);
  ASSERT_EQ(plan.runs.size(), 1u);
  EXPECT_EQ(plan.runs[0].grid.name, "fp32-seed0");  // configs/default.json: fp32, seed 0
}

TEST(SweepPlan, TyposFailBeforeAnythingRuns) {
  SweepRequest r = request();
  r.sets = {"optimizer.lrr=0.1"};  // unknown key
  EXPECT_THROW(plan_sweep(r, kBinary, 2, kSource, kNow), UserError);
  r.sets = {"optimizer.lr=0.1,-1"};  // the second value is out of range
  EXPECT_THROW(plan_sweep(r, kBinary, 2, kSource, kNow), UserError);
  r = request();
  r.precisions = "fp32,fp12";
  EXPECT_THROW(plan_sweep(r, kBinary, 2, kSource, kNow), UserError);
  r = request();
  r.config_path = "configs/no-such.json";
  EXPECT_THROW(plan_sweep(r, kBinary, 2, kSource, kNow), UserError);
  r = request();
  r.jobs = 0;
  EXPECT_THROW(plan_sweep(r, kBinary, 2, kSource, kNow), UserError);
}

// The remedies of NUMERICS.md "Beyond nearest rounding" sweep like any key, on the config
// shipped for them; a mode that cannot use one fails before anything runs.
TEST(SweepPlan, SweepsTheRemedies) {
  SweepRequest r;
  r.config_path = "configs/bf16-true-low-lr.json";  // bf16-true, seed 0
  r.sets = {"rounding.weights=nearest,stochastic"};
  SweepPlan plan = plan_sweep(r, kBinary, 2, kSource, kNow);
  ASSERT_EQ(plan.runs.size(), 2u);
  EXPECT_EQ(plan.runs[0].grid.name, "bf16-true-seed0-rounding.weights=nearest");
  EXPECT_EQ(plan.runs[1].grid.name, "bf16-true-seed0-rounding.weights=stochastic");
  EXPECT_EQ(plan.runs[1].resolved_config["rounding"]["weights"], "stochastic");
  EXPECT_EQ(plan.runs[1].resolved_config["rounding"]["gradients"], "nearest");

  r.precisions = "fp16-true,bf16-true";
  r.sets = {"rounding.weights=nearest,stochastic", "optimizer.compensation=none,kahan"};
  plan = plan_sweep(r, kBinary, 2, kSource, kNow);
  ASSERT_EQ(plan.runs.size(), 8u);
  EXPECT_EQ(plan.runs[7].grid.name,
            "bf16-true-seed0-rounding.weights=stochastic-optimizer.compensation=kahan");
  for (const PlannedRun& run : plan.runs) {
    const auto& p = run.grid.parameters;
    ASSERT_EQ(p.size(), 2u);
    EXPECT_EQ(run.resolved_config["precision"], run.grid.precision);
    EXPECT_EQ(run.resolved_config["rounding"]["weights"], p[0].second) << run.grid.name;
    EXPECT_EQ(run.resolved_config["optimizer"]["compensation"], p[1].second) << run.grid.name;
  }

  // A file in fp32 (configs/default.json) sweeps a remedy in the modes given by --precision.
  r.config_path = "configs/default.json";
  r.precisions = "bf16-true";
  r.sets = {"optimizer.compensation=kahan"};
  plan = plan_sweep(r, kBinary, 2, kSource, kNow);
  ASSERT_EQ(plan.runs.size(), 1u);
  EXPECT_EQ(plan.runs[0].grid.name, "bf16-true-seed0");  // a single value does not name the run
  EXPECT_EQ(plan.runs[0].resolved_config["optimizer"]["compensation"], "kahan");

  r.precisions = "fp32,bf16-true";  // fp32 has nothing for stochastic rounding to act on
  r.sets = {"rounding.weights=nearest,stochastic"};
  try {
    plan_sweep(r, kBinary, 2, kSource, kNow);
    ADD_FAILURE() << "fp32 with rounding.weights=stochastic was planned";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("--set rounding.weights=stochastic: rounding.weights = "
                                         "\"stochastic\" only applies to the modes without master "
                                         "weights"),
              std::string::npos)
        << e.what();
  }
}

// The printed commands are what GNU parallel or a Slurm array will run: parsing them back
// must give, run for run, the grid's settings.
TEST(SweepPlan, DryRunCommandsReproduceTheGrid) {
  SweepRequest r = request();
  r.jobs = 2;
  r.out_dir = "/tmp/some sweep";
  const SweepPlan plan = plan_sweep(r, kBinary, 4, kSource, kNow);
  ASSERT_EQ(plan.runs.size(), 8u);
  for (const PlannedRun& run : plan.runs) {
    const Strings argv = testing::sh_words(run.command);
    EXPECT_EQ(argv, run.argv);
    ASSERT_GE(argv.size(), 5u);
    EXPECT_EQ(argv[0], kBinary.string());
    EXPECT_EQ(argv[1], "train");
    EXPECT_EQ(argv[2], (kSource / "configs/default.json").string());
    Strings sets;
    std::string out;
    for (std::size_t i = 3; i + 1 < argv.size(); i += 2) {
      if (argv[i] == "--set") sets.push_back(argv[i + 1]);
      else if (argv[i] == "--out") out = argv[i + 1];
      else ADD_FAILURE() << "unexpected argument " << argv[i];
    }
    EXPECT_EQ(out, "/tmp/some sweep/" + run.grid.name);
    // The grid's overrides come first and in order, then threads and the data path.
    Strings expected = run.grid.overrides;
    expected.push_back("threads=2");
    expected.push_back("data.dir=" + (kSource / "data/mnist-10k").string());
    EXPECT_EQ(sets, expected);
    // And loading them gives the run's settings.
    const Config cfg = load_config(argv[2], sets);
    EXPECT_EQ(to_string(cfg.precision), run.grid.precision);
    EXPECT_EQ(cfg.seed, run.grid.seed);
    EXPECT_EQ(cfg.threads, 2);
    EXPECT_EQ(cfg.train.epochs, 1);
    EXPECT_EQ(cfg.data.dir, (kSource / "data/mnist-10k").string());
    const std::vector<int> hidden = run.grid.parameters.at(0).second == "[64]" ? std::vector<int>{64}
                                                                                : std::vector<int>{32, 16};
    EXPECT_EQ(cfg.model.hidden, hidden);
  }
  // The grid is complete: every precision x hidden x seed once.
  std::set<std::string> seen;
  for (const PlannedRun& run : plan.runs)
    seen.insert(run.grid.precision + "|" + run.grid.parameters.at(0).second + "|" +
                std::to_string(run.grid.seed));
  EXPECT_EQ(seen.size(), 8u);
}

TEST(SweepIndex, SchemaAndForeignSweepDetection) {
  testing::TempDir tmp;
  SweepRequest r = request();
  r.out_dir = tmp.path().string();
  const SweepPlan plan = plan_sweep(r, kBinary, 2, kSource, kNow);
  std::vector<RunRecord> records(plan.runs.size());
  records[1].status = "completed";
  records[1].exit_code = 0;
  records[1].duration_s = 1.5;
  EXPECT_EQ(check_existing_index(plan), "");  // no sweep.json yet
  write_sweep_index(plan, records, "running", "2023-11-14T22:13:20Z");
  std::ifstream in(plan.dir / "sweep.json");
  const auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j["format"], "mixprec-sweep/1");
  EXPECT_EQ(j["status"], "running");
  EXPECT_EQ(j["runs"].size(), 8u);
  EXPECT_EQ(j["counts"]["pending"], 7);
  EXPECT_EQ(j["counts"]["completed"], 1);
  const auto& run = j["runs"][1];
  for (const char* key : {"name", "precision", "seed", "parameters", "overrides", "extra_overrides",
                          "dir", "log", "command", "status", "reused", "exit_code", "started_utc",
                          "finished_utc", "duration_s"})
    EXPECT_TRUE(run.contains(key)) << key;
  EXPECT_EQ(run["dir"], plan.runs[1].grid.name);
  EXPECT_EQ(run["command"], plan.runs[1].command);
  EXPECT_EQ(run["parameters"]["model.hidden"], "[64]");

  // The same sweep resumes; one with other fixed settings in the same folder does not.
  EXPECT_EQ(check_existing_index(plan), "2023-11-14T22:13:20Z");
  SweepRequest other = r;
  other.sets = {"model.hidden=[64],[32,16]", "train.epochs=2"};
  EXPECT_THROW(check_existing_index(plan_sweep(other, kBinary, 2, kSource, kNow)), UserError);
}

}  // namespace
}  // namespace mixprec
