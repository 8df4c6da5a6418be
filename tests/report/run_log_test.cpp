#include "report/run_log.hpp"

#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/error.hpp"
#include "support/temp_dir.hpp"

namespace mixprec {
namespace {

std::vector<std::string> read_lines(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(RunLog, WritesOneParseableLinePerRecord) {
  testing::TempDir dir;
  constexpr int kRecords = 7;
  {
    RunLog log(dir.path());
    EXPECT_EQ(log.path(), dir.path() / "metrics.jsonl");
    for (int i = 0; i < kRecords; ++i) {
      // A nested object and a string with a newline: the dump must still be one line.
      log.write({{"epoch", i}, {"loss", 0.5 * i}, {"note", "a\nb"}, {"phases", {{"data", 1.25}}}});
    }
  }
  const auto lines = read_lines(dir.path() / "metrics.jsonl");
  ASSERT_EQ(lines.size(), static_cast<std::size_t>(kRecords));
  for (int i = 0; i < kRecords; ++i) {
    const auto j = nlohmann::json::parse(lines[i]);
    EXPECT_EQ(j.at("epoch").get<int>(), i);
    EXPECT_EQ(j.at("loss").get<double>(), 0.5 * i);  // exact: 0.5*i and its decimal form are exact
    EXPECT_EQ(j.at("note").get<std::string>(), "a\nb");
    EXPECT_EQ(j.at("phases").at("data").get<double>(), 1.25);
  }
}

TEST(RunLog, RecordsAreOnDiskBeforeTheLogCloses) {
  testing::TempDir dir;
  RunLog log(dir.path());
  log.write({{"epoch", 1}});
  log.write({{"epoch", 2}});
  // Still open: a second reader (as after a crash) must already see both records.
  const auto lines = read_lines(dir.path() / "metrics.jsonl");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(lines[1]).at("epoch").get<int>(), 2);
}

TEST(RunLog, NonFiniteNumbersBecomeNull) {
  testing::TempDir dir;
  {
    RunLog log(dir.path());
    log.write({{"loss", std::numeric_limits<double>::quiet_NaN()},
               {"scale", std::numeric_limits<double>::infinity()},
               {"neg", -std::numeric_limits<float>::infinity()},
               {"ok", 2.0}});
  }
  const auto lines = read_lines(dir.path() / "metrics.jsonl");
  ASSERT_EQ(lines.size(), 1u);
  const auto j = nlohmann::json::parse(lines[0]);  // throws on "NaN"/"inf" tokens
  EXPECT_TRUE(j.at("loss").is_null());
  EXPECT_TRUE(j.at("scale").is_null());
  EXPECT_TRUE(j.at("neg").is_null());
  EXPECT_EQ(j.at("ok").get<double>(), 2.0);
}

TEST(RunLog, AppendsToAnExistingLog) {
  testing::TempDir dir;
  { RunLog(dir.path()).write({{"a", 1}}); }
  { RunLog(dir.path()).write({{"a", 2}}); }
  EXPECT_EQ(read_lines(dir.path() / "metrics.jsonl").size(), 2u);
}

TEST(RunLog, InvalidUtf8IsReplacedNotThrown) {
  testing::TempDir dir;
  {
    RunLog log(dir.path());
    EXPECT_NO_THROW(log.write({{"host", std::string("ab\xff")}}));
  }
  const auto lines = read_lines(dir.path() / "metrics.jsonl");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(lines[0]).at("host").get<std::string>(), "ab\xEF\xBF\xBD");
}

TEST(RunLog, MissingFolderIsAUserErrorNamingThePath) {
  testing::TempDir dir;
  const auto missing = dir.path() / "no-such-folder";
  try {
    RunLog log(missing);
    FAIL() << "expected UserError";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find((missing / "metrics.jsonl").string()), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace mixprec
