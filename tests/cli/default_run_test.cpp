// End to end through the binary on configs/default.json (784-512-10 on the repo's
// mnist-10k): a full run and its run directory, determinism of the log, and the fp16
// emulation warning. Runs in a private working folder with absolute paths.
#include <gtest/gtest.h>

#include <set>

#include "cli_test_util.hpp"

namespace mixprec {
namespace {

using namespace mixprec::testing;

class DefaultRun : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kMnist10k / "train-images-idx3-ubyte.gz"))
      GTEST_SKIP() << "no " << kMnist10k << " here";
    fs::create_directories(cwd());
  }
  fs::path cwd() const { return tmp_.path() / "cwd"; }
  Invocation train(const fs::path& out, const std::vector<std::string>& sets = {}) {
    return run_mixprec(default_train_args(out, sets), cwd(), tmp_.path());
  }
  TempDir tmp_;
};

// Issue target for mnist-10k with the default config (95.4-95.8% over seeds 0-2).
TEST_F(DefaultRun, CompletesWithTheRunDirectoryAndReachesNinetyFivePercent) {
  const fs::path out = tmp_.path() / "run";
  const Invocation r = train(out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // stdout is for scripts: the run directory and nothing else.
  EXPECT_EQ(r.out, out.string() + "\n");
  ASSERT_TRUE(fs::is_directory(out));
  std::set<std::string> files;
  for (const auto& e : fs::directory_iterator(out)) files.insert(e.path().filename().string());
  EXPECT_EQ(files, (std::set<std::string>{"config.json", "data_encoding.json", "metrics.jsonl", "summary.json"}));
  EXPECT_TRUE(fs::is_empty(cwd())) << "an explicit --out must not create runs/ in the cwd";

  const auto records = read_jsonl(out / "metrics.jsonl");
  ASSERT_EQ(records.size(), 10u) << "run_start, 8 epochs, run_end";
  EXPECT_EQ(records.front().at("type"), "run_start");
  for (int i = 1; i <= 8; ++i) {
    EXPECT_EQ(records[i].at("type"), "epoch");
    EXPECT_EQ(records[i].at("epoch"), i);
    EXPECT_EQ(records[i].at("steps"), 250);  // 8000 training rows / batch 32
  }
  EXPECT_EQ(records.back().at("type"), "run_end");
  EXPECT_EQ(records.back().at("status"), "completed");
  EXPECT_EQ(records.back().at("epochs_completed"), 8);

  // config.json is the fully resolved config that run_start records.
  const auto config = read_json(out / "config.json");
  EXPECT_EQ(config, records.front().at("config"));
  EXPECT_EQ(config.at("data").at("dir"), kMnist10k.string());
  EXPECT_EQ(config.at("train").at("epochs"), 8);

  const auto summary = read_json(out / "summary.json");
  EXPECT_EQ(summary.at("status"), "completed");
  EXPECT_EQ(summary.at("epochs_completed"), 8);
  EXPECT_EQ(summary.at("run_dir"), out.string());
  const double acc = summary.at("final").at("test").at("accuracy").get<double>();
  EXPECT_GE(acc, 0.95);
  EXPECT_EQ(acc, records[8].at("test").at("accuracy").get<double>());
}

// The log with the fields that depend on the clock, the machine or the folder removed.
std::string deterministic_part(const fs::path& metrics) {
  std::string out;
  for (nlohmann::json r : read_jsonl(metrics)) {
    const std::string type = r.at("type");
    if (type == "run_start") {
      for (const char* k : {"environment", "run_dir", "rss_at_start_bytes"}) {
        EXPECT_TRUE(r.contains(k)) << k;  // dropping a field that is gone would hide a change
        r.erase(k);
      }
    } else if (type == "epoch") {
      for (const char* k : {"epoch_time_s", "eval_time_s", "samples_per_s", "cpu_share", "phases_s",
                           "peak_rss_bytes"}) {
        EXPECT_TRUE(r.contains(k)) << k;
        r.erase(k);
      }
    } else if (type == "run_end") {
      EXPECT_TRUE(r.contains("total_time_s"));
      r.erase("total_time_s");
    }
    out += r.dump() + "\n";
  }
  return out;
}

// Same config, same machine, same thread count: every loss, accuracy, statistic and
// memory count is identical, compared as text (exact: a reproducibility bug otherwise).
TEST_F(DefaultRun, TwoRunsWriteTheSameLog) {
  const fs::path a = tmp_.path() / "a", b = tmp_.path() / "b";
  const Invocation ra = train(a, {"train.epochs=2"});
  ASSERT_EQ(ra.exit_code, 0) << ra.err;
  const Invocation rb = train(b, {"train.epochs=2"});
  ASSERT_EQ(rb.exit_code, 0) << rb.err;
  const std::string la = deterministic_part(a / "metrics.jsonl");
  const std::string lb = deterministic_part(b / "metrics.jsonl");
  EXPECT_EQ(split_lines(la).size(), 4u) << "run_start, 2 epochs, run_end";
  EXPECT_EQ(la, lb);
  EXPECT_EQ(read_json(a / "summary.json").at("final"), read_json(b / "summary.json").at("final"));
}

// fp16 has no native matmul on most x86 CPUs; the run must say so where it is emulated,
// and never where it is native.
TEST_F(DefaultRun, Fp16MixedReportsItsMatmulPathAndWarnsWhenEmulated) {
  const fs::path out = tmp_.path() / "fp16";
  const Invocation r = train(out, {"precision=fp16-mixed", "train.epochs=2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto records = read_jsonl(out / "metrics.jsonl");
  ASSERT_FALSE(records.empty());
  const auto& start = records.front();
  ASSERT_EQ(start.at("type"), "run_start");
  EXPECT_EQ(start.at("precision"), "fp16-mixed");
  EXPECT_EQ(start.at("loss_scaling"), "dynamic");
  const std::string path = start.at("kernels").at("fp16-mixed").at("path");
  EXPECT_TRUE(path == "native" || path == "emulated") << path;
  EXPECT_EQ(start.at("matmul_path"), path);
  EXPECT_EQ(start.at("kernels").at("fp16-mixed").at("matmul_format"), "fp16");

  bool warned = false;
  for (const auto& line : split_lines(r.err))
    if (contains(line, "warn") && contains(line, "fp16") && contains(line, "emulated")) warned = true;
  if (path == "emulated")
    EXPECT_TRUE(warned) << "no warning that fp16 is emulated on stderr:\n" << r.err;
  else
    EXPECT_FALSE(warned) << "fp16 is native but the run warns that it is emulated:\n" << r.err;

  // The mixed mode learns like fp32 (fp32 has 94.3% after 2 epochs; 90% leaves room).
  const auto summary = read_json(out / "summary.json");
  EXPECT_EQ(summary.at("status"), "completed");
  EXPECT_EQ(summary.at("matmul_path"), path);
  EXPECT_GE(summary.at("final").at("test").at("accuracy").get<double>(), 0.90);
}

}  // namespace
}  // namespace mixprec
