// The live progress line (issue 18): drawn in place under a pseudo-terminal (script(1)),
// absent when stderr is redirected (logs stay clean) and with --quiet.
#include <gtest/gtest.h>

#include <string>

#include "cli_test_util.hpp"

namespace mixprec {
namespace {

using namespace mixprec::testing;

class Progress : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kMnist10k / "train-images-idx3-ubyte.gz")) GTEST_SKIP() << "no " << kMnist10k;
    fs::create_directories(tmp_.path() / "cwd");
  }
  // A 2-epoch run with batch 8 (500 steps an epoch): long enough for a few redraws.
  std::vector<std::string> args(const std::string& run) const {
    return default_train_args(tmp_.path() / run, {"train.epochs=2", "train.batch_size=8", "model.hidden=[16]",
                                                  "data.max_train_samples=4000"});
  }
  TempDir tmp_;
};

TEST_F(Progress, DrawnInPlaceUnderATerminalThenReplacedByTheEpochLine) {
  // script(1) gives the command a pseudo-terminal; its output (stdout and stderr of the
  // command, through the terminal) goes to the file.
  std::string cmd = shell_quote(MIXPREC_BINARY);
  for (const auto& a : args("tty")) {
    cmd += ' ';  // two appends: GCC 12's false -Wrestrict on " " + temporary (GCC bug 105329)
    cmd += shell_quote(a);
  }
  const fs::path typescript = tmp_.path() / "typescript.txt";
  const std::string line = "cd " + shell_quote((tmp_.path() / "cwd").string()) + " && script -qec " +
                           shell_quote(cmd) + " /dev/null > " + shell_quote(typescript.string());
  ASSERT_EQ(std::system(line.c_str()), 0);
  const std::string out = read_text(typescript);
  EXPECT_TRUE(contains(out, "\r\033[Kepoch 1/2  step ")) << out.substr(0, 2000);
  EXPECT_TRUE(contains(out, "/500  ")) << out.substr(0, 2000);
  EXPECT_TRUE(contains(out, " samples/s  ~")) << out.substr(0, 2000);
  EXPECT_TRUE(contains(out, " left")) << out.substr(0, 2000);
  // Erased before the epoch's summary line, which starts a clean line.
  const auto summary = out.find("epoch 1/2: train loss");
  ASSERT_NE(summary, std::string::npos) << out.substr(0, 2000);
  const auto erase = out.rfind("\r\033[K", summary);
  ASSERT_NE(erase, std::string::npos);
  EXPECT_EQ(out.find("step", erase), out.find("step", summary)) << "a progress line was left before the summary";
}

TEST_F(Progress, NoneWhenStderrIsRedirectedOrQuiet) {
  for (const bool quiet : {false, true}) {
    auto a = args(quiet ? "quiet" : "plain");
    if (quiet) a.push_back("--quiet");
    const Invocation r = run_mixprec(a, tmp_.path() / "cwd", tmp_.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_FALSE(contains(r.err, "\r")) << "quiet=" << quiet;
    EXPECT_FALSE(contains(r.err, "samples/s  ~")) << "quiet=" << quiet;
    EXPECT_TRUE(contains(r.err, "epoch 2/2: train loss")) << "the epoch summaries stay";
  }
}

}  // namespace
}  // namespace mixprec
