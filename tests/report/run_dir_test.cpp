#include "report/run_dir.hpp"

#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "common/error.hpp"
#include "support/temp_dir.hpp"

namespace mixprec {
namespace {

using namespace std::chrono;
namespace fs = std::filesystem;

// 2024-03-05 07:08:09 UTC, built from the calendar so the expected name is known by hand.
const system_clock::time_point kFixedTime =
    sys_days{year{2024} / March / 5} + hours{7} + minutes{8} + seconds{9};

TEST(RunDir, CompactTimestampIsUtc) {
  EXPECT_EQ(utc_compact_timestamp(kFixedTime), "20240305-070809");
  EXPECT_EQ(utc_compact_timestamp(system_clock::time_point{}), "19700101-000000");
}

TEST(RunDir, DefaultNameThenNumberedSuffixes) {
  testing::TempDir tmp;
  const std::string root = (tmp.path() / "runs").string();  // does not exist yet
  const fs::path first = make_run_dir(root, "mnist", "bf16-mixed", std::nullopt, kFixedTime);
  const fs::path second = make_run_dir(root, "mnist", "bf16-mixed", std::nullopt, kFixedTime);
  const fs::path third = make_run_dir(root, "mnist", "bf16-mixed", std::nullopt, kFixedTime);
  EXPECT_EQ(first, fs::path(root) / "mnist-bf16-mixed-20240305-070809");
  EXPECT_EQ(second, fs::path(root) / "mnist-bf16-mixed-20240305-070809-2");
  EXPECT_EQ(third, fs::path(root) / "mnist-bf16-mixed-20240305-070809-3");
  for (const auto& p : {first, second, third}) EXPECT_TRUE(fs::is_directory(p)) << p;
}

TEST(RunDir, DefaultUsesTheCurrentTime) {
  testing::TempDir tmp;
  const auto before = system_clock::now();
  const fs::path dir = make_run_dir(tmp.path().string(), "r", "fp32", std::nullopt);
  const auto after = system_clock::now();
  const std::string leaf = dir.filename().string();
  // The second may tick during the call: accept either end of the interval.
  EXPECT_TRUE(leaf == "r-fp32-" + utc_compact_timestamp(before) ||
              leaf == "r-fp32-" + utc_compact_timestamp(after))
      << leaf;
}

TEST(RunDir, NameWithSlashIsRejected) {
  testing::TempDir tmp;
  EXPECT_THROW(make_run_dir(tmp.path().string(), "a/b", "fp32", std::nullopt, kFixedTime),
               UserError);
  EXPECT_THROW(make_run_dir(tmp.path().string(), "", "fp32", std::nullopt, kFixedTime), UserError);
}

TEST(RunDir, ExplicitDirIsUsedAsGivenAndCreated) {
  testing::TempDir tmp;
  const fs::path out = tmp.path() / "a" / "b";
  EXPECT_EQ(make_run_dir("ignored-root", "x", "fp32", out.string(), kFixedTime), out);
  EXPECT_TRUE(fs::is_directory(out));
  EXPECT_FALSE(fs::exists("ignored-root"));
  // An existing empty folder is fine.
  EXPECT_EQ(make_run_dir("ignored-root", "x", "fp32", out.string(), kFixedTime), out);
}

TEST(RunDir, ExplicitDirNonEmptyIsAUserErrorWithHint) {
  testing::TempDir tmp;
  const fs::path out = tmp.path() / "used";
  fs::create_directories(out);
  std::ofstream(out / "metrics.jsonl") << "{}\n";
  try {
    make_run_dir("runs", "x", "fp32", out.string(), kFixedTime);
    FAIL() << "expected UserError";
  } catch (const UserError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(out.string()), std::string::npos) << msg;
    EXPECT_NE(msg.find("not empty"), std::string::npos) << msg;
    EXPECT_NE(msg.find("pick another --out or delete it"), std::string::npos) << msg;
  }
}

TEST(RunDir, ExplicitDirThatIsAFileIsAUserError) {
  testing::TempDir tmp;
  const fs::path out = tmp.path() / "file";
  std::ofstream(out) << "x";
  EXPECT_THROW(make_run_dir("runs", "x", "fp32", out.string(), kFixedTime), UserError);
}

}  // namespace
}  // namespace mixprec
