// Issue 20, point 8: hints that follow from the actual cause, through the real binary.
#include <gtest/gtest.h>

#include <thread>

#include "cli_test_util.hpp"
#include "support/tiny_run.hpp"

namespace mixprec {
namespace {

using namespace mixprec::testing;

class Hints : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(tmp_ / "cwd");
    write_tiny_csv(tmp_ / "tiny.csv");
    write_file(config(), tiny_config(tmp_ / "tiny.csv").dump(2));
  }
  fs::path config() const { return tmp_ / "tiny.json"; }
  Invocation mixprec(const std::vector<std::string>& args) {
    return run_mixprec(args, tmp_ / "cwd", tmp_.path());
  }
  TempDir tmp_;
};

TEST_F(Hints, UnknownVerbIsNamed) {
  const Invocation r = mixprec({"trian", config().string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "unknown command \"trian\"; did you mean \"train\"?")) << r.err;
  EXPECT_FALSE(contains(r.err, "A subcommand is required")) << r.err;
}

TEST_F(Hints, JobsZeroIsAShortMessage) {
  const Invocation r = mixprec({"sweep", config().string(), "--jobs", "0"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "--jobs 0: expected 1 or more")) << r.err;
  EXPECT_LT(r.err.size(), 200u) << r.err;
}

TEST_F(Hints, PrecisionErrorListsEveryAlias) {
  const Invocation r = mixprec({"validate", config().string(), "--set", "precision=fp8"});
  EXPECT_EQ(r.exit_code, 2);
  for (const char* alias : {"float32", "fp16", "bfloat16", "16-mixed", "32-true"})
    EXPECT_TRUE(contains(r.err, alias)) << alias << ": " << r.err;
}

TEST_F(Hints, ValidateRefusesAbsurdThreadCounts) {
  if (std::thread::hardware_concurrency() > 64) GTEST_SKIP() << "needs a machine with <= 64 cores";
  const Invocation r = mixprec({"validate", config().string(), "--set", "threads=1024"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "threads = 1024 on a machine with")) << r.err;
}

TEST_F(Hints, EvalRefusesSetKeysItDoesNotUse) {
  const fs::path dir = tmp_ / "run";
  ASSERT_EQ(mixprec({"train", config().string(), "--save-model", "--out", dir.string()}).exit_code, 0);
  const Invocation r = mixprec({"eval", (dir / "model.ckpt").string(), "--set", "optimizer.lr=0.5"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "--set optimizer.lr=0.5: eval does not use optimizer.lr")) << r.err;
  EXPECT_EQ(mixprec({"eval", (dir / "model.ckpt").string(), "--set", "train.eval_batch_size=7"}).exit_code, 0);
}

// eval's two format flags: --data-format is the data files' (data.format), --inference-format
// the numeric format the weights run in. The former names (--format, --precision, which
// mean an output format and a training mode in the other verbs) fail with one line naming
// the new flag, before the checkpoint is read.
TEST_F(Hints, EvalFormatFlagsDoNotClash) {
  const fs::path dir = tmp_ / "run";
  ASSERT_EQ(mixprec({"train", config().string(), "--save-model", "--out", dir.string()}).exit_code, 0);
  const std::string model = (dir / "model.ckpt").string();
  const Invocation r = mixprec({"eval", model, "--inference-format", "bf16", "--data-format", "csv",
                                "--data", (tmp_ / "tiny.csv").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out).at("format"), "bf16");
  EXPECT_EQ(mixprec({"eval", model, "--inference-format", "fp8"}).exit_code, 2);
  EXPECT_EQ(mixprec({"eval", model, "--data-format", "parquet"}).exit_code, 2);

  const std::string absent = (tmp_ / "absent.ckpt").string();
  struct Former { std::vector<std::string> args; std::string expected; };
  for (const Former& f : {Former{{"--precision", "bf16"}, "(hint: --inference-format bf16)"},
                          Former{{"--precision", "bf16-mixed"}, "(hint: --inference-format fp32|fp16|bf16)"},
                          Former{{"--format", "csv"}, "(hint: --data-format csv)"},
                          Former{{"--format", "json"}, "(hint: --data-format idx|csv)"}}) {
    std::vector<std::string> args = {"eval", absent};
    args.insert(args.end(), f.args.begin(), f.args.end());
    const Invocation e = mixprec(args);
    EXPECT_EQ(e.exit_code, 2) << f.args[0];
    EXPECT_TRUE(contains(e.err, "eval " + f.args[0] + " " + f.args[1] + ": ")) << e.err;
    EXPECT_TRUE(contains(e.err, f.expected)) << e.err;
    EXPECT_EQ(split_lines(e.err).size(), 1u) << e.err;
  }
}

TEST_F(Hints, ResumeSaysWhetherTheConfigOrTheCheckpointChanged) {
  const fs::path a = tmp_ / "a", b = tmp_ / "b";
  for (const auto& [dir, lr] : {std::pair{a, "0.1"}, {b, "0.05"}})
    ASSERT_EQ(mixprec({"train", config().string(), "--save-model", "--stop-after-epochs", "1", "--set",
                       std::string("optimizer.lr=") + lr, "--out", dir.string()}).exit_code, 130);
  fs::copy_file(b / "checkpoint.ckpt", a / "checkpoint.ckpt", fs::copy_options::overwrite_existing);
  Invocation r = mixprec({"train", "--resume", a.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "optimizer.lr: 0.05 -> 0.1")) << r.err;
  EXPECT_TRUE(contains(r.err, "written by a run with another config")) << r.err;
  EXPECT_FALSE(contains(r.err, "undo the edit")) << r.err;

  // An edit of config.json after the last checkpoint.
  std::string text = read_text(b / "config.json");
  text.replace(text.find("0.05"), 4, "0.07");
  write_file(b / "config.json", text);
  r = mixprec({"train", "--resume", b.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "optimizer.lr: 0.05 -> 0.07")) << r.err;
  EXPECT_TRUE(contains(r.err, "undo the edit")) << r.err;
}

TEST_F(Hints, SweepOverUnreadableDataFailsBeforeAnyRun) {
  nlohmann::json j = tiny_config(tmp_ / "missing.csv");
  write_file(config(), j.dump());
  const fs::path sweep = tmp_ / "sweep";
  const Invocation r = mixprec({"sweep", config().string(), "--seeds", "0-3", "--out", sweep.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "missing.csv")) << r.err;
  EXPECT_FALSE(fs::exists(sweep / "logs")) << "no child may have run";
}

TEST_F(Hints, CompareSkipsOneUnreadableSweepAmongOthers) {
  const fs::path root = tmp_ / "runs";
  ASSERT_EQ(mixprec({"train", config().string(), "--out", (root / "good").string()}).exit_code, 0);
  fs::create_directories(root / "broken");
  write_file(root / "broken" / "sweep.json", "{ not json");
  const Invocation r = mixprec({"compare", root.string(), "--format", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "unreadable sweep.json")) << r.out;
  EXPECT_TRUE(contains(r.out, "\"n\": 1")) << r.out;
}

}  // namespace
}  // namespace mixprec
