// User errors through the binary: exit code 2, one "mixprec: error:" line on stderr that
// names what was wrong, nothing on stdout, and no run directory anywhere.
#include <gtest/gtest.h>

#include "cli_test_util.hpp"

namespace mixprec {
namespace {

using namespace mixprec::testing;

class ConfigErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(cwd());
    fs::create_directories(root());
  }
  fs::path cwd() const { return tmp_.path() / "cwd"; }
  fs::path root() const { return tmp_.path() / "runs-root"; }

  // `mixprec train CONFIG --set data.dir=<mnist-10k> <sets...> --out-root ROOT`; expects
  // exit 2, nothing on stdout, no folder created; returns the error line. `stderr_lines`
  // gets the number of lines on stderr.
  std::string expect_user_error(const std::vector<std::string>& sets,
                                const std::string& config = kDefaultConfig.string(),
                                std::size_t* stderr_lines = nullptr) {
    std::vector<std::string> args = {"train", config, "--set", "data.dir=" + kMnist10k.string()};
    for (const auto& s : sets) {
      args.push_back("--set");
      args.push_back(s);
    }
    args.push_back("--out-root");
    args.push_back(root().string());
    const Invocation r = run_mixprec(args, cwd(), tmp_.path());
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(r.out, "") << "stdout is only for the run directory";
    EXPECT_TRUE(fs::is_empty(root())) << "a failed run must not create a run directory";
    EXPECT_TRUE(fs::is_empty(cwd())) << "a failed run must not create runs/ in the cwd";
    std::vector<std::string> errors;
    if (stderr_lines) *stderr_lines = split_lines(r.err).size();
    for (const auto& line : split_lines(r.err))
      if (line.rfind("mixprec: error: ", 0) == 0) errors.push_back(line);
    EXPECT_EQ(errors.size(), 1u) << r.err;
    return errors.empty() ? std::string() : errors.front();
  }
  // A config error is found before anything else runs: stderr is that one line.
  std::string expect_config_error(const std::vector<std::string>& sets) {
    std::size_t lines = 0;
    const std::string line = expect_user_error(sets, kDefaultConfig.string(), &lines);
    EXPECT_EQ(lines, 1u) << "stderr must be the error line only";
    return line;
  }

  TempDir tmp_;
};

TEST_F(ConfigErrors, UnknownKeySuggestsTheNearestOne) {
  const std::vector<std::string> args = {"train", kDefaultConfig.string(), "--set",
                                         "optimizer.lrr=1", "--out-root", root().string()};
  const Invocation r = run_mixprec(args, cwd(), tmp_.path());
  EXPECT_EQ(r.exit_code, 2);
  const auto lines = split_lines(r.err);
  ASSERT_EQ(lines.size(), 1u) << "stderr must be exactly one line:\n" << r.err;
  EXPECT_TRUE(contains(lines[0], "optimizer.lrr")) << lines[0];
  EXPECT_TRUE(contains(lines[0], "did you mean")) << lines[0];
  EXPECT_TRUE(contains(lines[0], "\"optimizer.lr\"")) << lines[0];
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(fs::is_empty(root()));
  EXPECT_TRUE(fs::is_empty(cwd()));
}

TEST_F(ConfigErrors, WrongType) {
  const std::string line = expect_config_error({"train.batch_size=true"});
  EXPECT_TRUE(contains(line, "train.batch_size")) << line;
  EXPECT_TRUE(contains(line, "expected an integer")) << line;
}

TEST_F(ConfigErrors, FractionalIntegerIsAWrongTypeToo) {
  const std::string line = expect_config_error({"train.epochs=1.5"});
  EXPECT_TRUE(contains(line, "train.epochs")) << line;
  EXPECT_TRUE(contains(line, "1.5")) << line;
}

TEST_F(ConfigErrors, OutOfRange) {
  const std::string line = expect_config_error({"optimizer.lr=0"});
  EXPECT_TRUE(contains(line, "optimizer.lr")) << line;
  EXPECT_TRUE(contains(line, "> 0")) << line;
}

TEST_F(ConfigErrors, UnknownPrecisionListsTheValidNames) {
  const std::string line = expect_config_error({"precision=fp8"});
  EXPECT_TRUE(contains(line, "fp8")) << line;
  for (const char* name : {"fp32", "fp16-mixed", "bf16-mixed", "fp16-true", "bf16-true"})
    EXPECT_TRUE(contains(line, name)) << name << " missing from: " << line;
}

TEST_F(ConfigErrors, MissingConfigFileNamesIt) {
  const fs::path missing = tmp_.path() / "no-such-config.json";
  std::size_t lines = 0;
  const std::string line = expect_user_error({}, missing.string(), &lines);
  EXPECT_EQ(lines, 1u);
  EXPECT_TRUE(contains(line, missing.string())) << line;
}

TEST_F(ConfigErrors, MissingDataDirNamesIt) {
  const fs::path missing = tmp_.path() / "no-such-data";
  const std::string line = expect_user_error({"data.dir=" + missing.string()});
  EXPECT_TRUE(contains(line, missing.string())) << line;
}

TEST_F(ConfigErrors, NonEmptyOutDirIsRefusedAndLeftAlone) {
  const fs::path out = tmp_.path() / "taken";
  fs::create_directories(out);
  { std::ofstream(out / "keep.txt") << "earlier results"; }
  const Invocation r = run_mixprec(
      {"train", kDefaultConfig.string(), "--set", "data.dir=" + kMnist10k.string(), "--out",
       out.string()},
      cwd(), tmp_.path());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_TRUE(contains(r.err, out.string())) << r.err;
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(out)) names.push_back(e.path().filename().string());
  EXPECT_EQ(names, std::vector<std::string>{"keep.txt"}) << "the folder must be left as it was";
  EXPECT_EQ(read_text(out / "keep.txt"), "earlier results");
}

TEST_F(ConfigErrors, BadFlagIsAUserErrorToo) {
  const Invocation r = run_mixprec({"train", kDefaultConfig.string(), "--no-such-flag"}, cwd(),
                                   tmp_.path());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(contains(r.err, "--no-such-flag")) << r.err;
  EXPECT_TRUE(fs::is_empty(cwd()));
}

}  // namespace
}  // namespace mixprec
