// Issue 20, "nothing silent, nothing lost", through the real binary on a tiny CSV run: one
// writer per run folder, no untrained run reported "completed", a sweep resumes only the
// same sweep, what validate accepts train runs, and bench from any folder.
// (Full disks and kills at every write: tests/fault/.)
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "cli_test_util.hpp"
#include "support/tiny_run.hpp"

namespace mixprec {
namespace {

using namespace mixprec::testing;

class RunIntegrity : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(tmp_ / "cwd");
    write_tiny_csv(tmp_ / "tiny.csv");
    write_config(tiny_config(tmp_ / "tiny.csv"));
  }
  void write_config(const nlohmann::json& j) { write_file(config(), j.dump(2)); }
  fs::path config() const { return tmp_ / "tiny.json"; }
  fs::path cwd() const { return tmp_ / "cwd"; }
  Invocation mixprec(const std::vector<std::string>& args) { return run_mixprec(args, cwd(), tmp_.path()); }

  TempDir tmp_;
};

// Point 2: a resume of a run that is still running, and a second resume, are refused,
// naming the process that holds the folder; the log keeps one run_end per process.
TEST_F(RunIntegrity, OneWriterPerRunFolder) {
  nlohmann::json long_run = tiny_config(tmp_ / "tiny.csv", 100000);
  write_config(long_run);
  const fs::path dir = tmp_ / "run";
  const Background first = start_mixprec({"train", config().string(), "--save-model", "--out", dir.string()},
                                         tmp_.path());
  // Wait until it trains (its first epoch is logged).
  bool training = false;
  for (int i = 0; i < 3000 && !training; ++i) {
    training = contains(read_text(dir / "metrics.jsonl"), "\"type\":\"epoch\"");
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(training) << read_text(first.err);
  // Each second writer must be refused at once; one that goes on writing is killed after
  // 30 s (without the lock it would train all 100000 epochs) and fails the test.
  auto second_writer = [&](const std::vector<std::string>& args) {
    const Background b = start_mixprec(args, tmp_.path());
    Invocation r;
    r.exit_code = wait_exit_within(b.pid, 30);
    r.err = read_text(b.err);
    return r;
  };
  for (int attempt = 0; attempt < 2; ++attempt) {
    const Invocation second = second_writer({"train", "--resume", dir.string()});
    EXPECT_EQ(second.exit_code, 2) << second.err;
    EXPECT_TRUE(contains(second.err, dir.string() + " is being written by process " +
                                          std::to_string(first.pid))) << second.err;
  }
  const Invocation out = second_writer({"train", config().string(), "--out", dir.string()});
  EXPECT_EQ(out.exit_code, 2) << out.err;
  EXPECT_TRUE(contains(out.err, "process " + std::to_string(first.pid))) << out.err;
  // compare shows it as running, not failed (summary.json is not written yet).
  const Invocation cmp = mixprec({"compare", dir.string(), "--format", "json"});
  EXPECT_EQ(cmp.exit_code, 0) << cmp.err;
  EXPECT_TRUE(contains(cmp.out, "\"running\"")) << cmp.out;

  ::kill(first.pid, SIGINT);
  EXPECT_EQ(wait_exit(first.pid), 130) << read_text(first.err);
  int run_ends = 0;
  for (const auto& j : read_jsonl(dir / "metrics.jsonl")) run_ends += j["type"] == "run_end";
  EXPECT_EQ(run_ends, 1);
  EXPECT_EQ(read_json(dir / "summary.json")["status"], "interrupted");
}

// Point 2, sweeps: a second sweep on a sweep folder that a sweep is writing is refused.
// The first stops itself (MIXPREC_FAULT=pause@1) at its first write of sweep.json, before
// any child has started, holding the folder's lock.
TEST_F(RunIntegrity, OneSweepPerSweepFolder) {
  const fs::path sweep = tmp_ / "sweep";
  const std::vector<std::string> args = {"sweep", config().string(), "--seeds", "0-1", "--out", sweep.string()};
  const Background first = start_mixprec(args, tmp_.path(), "MIXPREC_FAULT=pause@1");
  if (!wait_stopped(first.pid, 60)) {  // a binary without the hook ran the sweep instead
    FAIL() << "the first sweep did not stop at its first write: " << read_text(first.err);
  }
  const Invocation second = mixprec(args);
  EXPECT_EQ(second.exit_code, 2) << second.err;
  EXPECT_TRUE(contains(second.err, sweep.string() + " is being written by process " +
                                       std::to_string(first.pid))) << second.err;
  ::kill(first.pid, SIGKILL);  // its children would inherit the pause: end it here
  wait_exit(first.pid);
}

// Point 3: a loss scale beyond fp32 is refused by validate; a static scale that overflows
// every gradient ends "untrained" with its cause, exit 3, and compare lists it as such.
TEST_F(RunIntegrity, UntrainedRunIsNotCompleted) {
  Invocation v = mixprec({"validate", config().string(), "--set", "loss_scale=1e39"});
  EXPECT_EQ(v.exit_code, 2) << v.err;
  EXPECT_TRUE(contains(v.err, "loss_scale.init = 1e+39 is above the fp32 maximum")) << v.err;
  v = mixprec({"validate", config().string(), "--set", "precision=fp16-mixed", "--set",
               "loss_scale.growth_factor=1e40"});
  EXPECT_EQ(v.exit_code, 2) << v.err;
  EXPECT_TRUE(contains(v.err, "loss_scale.growth_factor = 1e+40 would grow")) << v.err;

  const fs::path dir = tmp_ / "untrained";
  const Invocation r = mixprec({"train", config().string(), "--set", "precision=fp16-mixed",
                                "--set", "loss_scale=1e30", "--out", dir.string()});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  const auto summary = read_json(dir / "summary.json");
  EXPECT_EQ(summary["status"], "untrained");
  EXPECT_TRUE(contains(summary["reason"].get<std::string>(), "24 of 24 steps were skipped"))
      << summary["reason"];
  EXPECT_EQ(read_jsonl(dir / "metrics.jsonl").back()["status"], "untrained");
  const Invocation cmp = mixprec({"compare", dir.string(), "--format", "json"});
  EXPECT_EQ(cmp.exit_code, 0) << cmp.err;
  EXPECT_TRUE(contains(cmp.out, "untrained: 24 of 24 steps were skipped")) << cmp.out;

  // Weights that never change: fp16-true, where an update of 1e-30 * gradient rounds away.
  const fs::path frozen = tmp_ / "frozen";
  const Invocation f = mixprec({"train", config().string(), "--set", "precision=fp16-true",
                                "--set", "optimizer.lr=1e-30", "--out", frozen.string()});
  EXPECT_EQ(f.exit_code, 3) << f.err;
  EXPECT_EQ(read_json(frozen / "summary.json")["status"], "untrained");
  EXPECT_TRUE(contains(read_json(frozen / "summary.json")["reason"], "no weight changed"));
}

// Point 4: a sweep folder resumed after the config was edited is refused, naming the key.
TEST_F(RunIntegrity, SweepResumesOnlyTheSameSweep) {
  const fs::path sweep = tmp_ / "sweep";
  const std::vector<std::string> args = {"sweep", config().string(), "--seeds", "0-1", "--out", sweep.string()};
  Invocation r = mixprec(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  fs::remove_all(sweep / "fp32-seed1");  // as if the sweep had been stopped before it
  nlohmann::json edited = tiny_config(tmp_ / "tiny.csv");
  edited["optimizer"]["lr"] = 0.05;
  write_config(edited);
  r = mixprec(args);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(contains(r.err, "optimizer.lr: 0.1 -> 0.05")) << r.err;
  EXPECT_FALSE(fs::exists(sweep / "fp32-seed1")) << "nothing may run at the new learning rate";
  // The same config under another path is the same sweep.
  write_config(tiny_config(tmp_ / "tiny.csv"));
  fs::copy_file(config(), tmp_ / "moved.json");
  r = mixprec({"sweep", (tmp_ / "moved.json").string(), "--seeds", "0-1", "--out", sweep.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// Point 5: validate refuses what cannot fit in memory, naming the figure; a batch larger
// than the data allocates for the rows there are; names that cannot be folders are refused.
TEST_F(RunIntegrity, WhatValidateAcceptsTrainRuns) {
  Invocation v = mixprec({"validate", config().string(), "--set", "model.hidden=[100000000]"});
  EXPECT_EQ(v.exit_code, 2) << v.err;
  EXPECT_TRUE(contains(v.err, "GiB of memory")) << v.err;
  EXPECT_FALSE(contains(v.err, "internal error")) << v.err;
  const Invocation t = mixprec({"train", config().string(), "--set", "model.hidden=[100000000]",
                                "--out", (tmp_ / "huge").string()});
  EXPECT_EQ(t.exit_code, 2) << t.err;
  EXPECT_FALSE(fs::exists(tmp_ / "huge"));

  v = mixprec({"validate", config().string(), "--set", "train.batch_size=10000000", "--set",
               "train.eval_batch_size=10000000"});
  EXPECT_EQ(v.exit_code, 0) << v.err;
  const fs::path dir = tmp_ / "big-batch";
  const Invocation r = mixprec({"train", config().string(), "--set", "train.batch_size=10000000",
                                "--set", "train.eval_batch_size=10000000", "--out", dir.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const auto memory = read_json(dir / "summary.json")["memory"]["accounted"];
  EXPECT_EQ(memory["batch_rows_allocated"], 240) << "300 rows, 20% held out";
  EXPECT_EQ(memory["eval_batch_rows_allocated"], 240);

  for (const std::string& name : std::vector<std::string>{"a/b", "..", std::string(201, 'x')}) {
    v = mixprec({"validate", config().string(), "--set", "name=" + name});
    EXPECT_EQ(v.exit_code, 2) << name << ": " << v.err;
    EXPECT_TRUE(contains(v.err, "cannot start a folder name")) << v.err;
  }
}

// Point 7: bench --skip-training from a folder that is not the repository, and a bad
// argument reported before any file is read. The default config is found next to the
// binary, and its relative data paths start at the repository: data/mnist-10k is the
// shipped MNIST subset (the default's Fashion-MNIST is fetched, not shipped), read for the
// model's input width and class count.
TEST_F(RunIntegrity, BenchWorksFromAnyFolder) {
  Invocation b = mixprec({"bench", "--skip-training", "--threads", "1", "--set", "data.dir=data/mnist-10k",
                          "--set", "model.hidden=[16]", "--set", "train.batch_size=8"});
  EXPECT_EQ(b.exit_code, 0) << b.err;
  EXPECT_TRUE(contains(b.out, "\"gemm\"")) << b.out;
  EXPECT_TRUE(contains(b.out, "\"data\": \"idx '" + kMnist10k.string() + "'")) << b.out;
  b = mixprec({"bench", "--precision", "fp8", "--config", "no-such.json"});
  EXPECT_EQ(b.exit_code, 2) << b.err;
  EXPECT_TRUE(contains(b.err, "--precision: unknown precision \"fp8\"")) << b.err;
  EXPECT_FALSE(contains(b.err, "no-such.json")) << "the argument is checked before the file is read";
}

}  // namespace
}  // namespace mixprec
