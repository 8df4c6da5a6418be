#include "report/atomic_file.hpp"

#include <fstream>
#include <limits>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "common/error.hpp"
#include "support/temp_dir.hpp"

namespace mixprec {
namespace {

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int count_entries(const std::filesystem::path& dir) {
  int n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}

TEST(AtomicFile, JsonIsPrettyWithTrailingNewlineAndNoTmpLeft) {
  testing::TempDir dir;
  const auto path = dir.path() / "summary.json";
  write_json_atomically(path, {{"a", 1}, {"b", {true, nullptr}}});
  // Expected text written out by hand: indent 2, keys sorted (nlohmann's std::map).
  EXPECT_EQ(read_all(path), "{\n  \"a\": 1,\n  \"b\": [\n    true,\n    null\n  ]\n}\n");
  EXPECT_EQ(count_entries(dir.path()), 1);  // no summary.json.tmp.<pid>
}

TEST(AtomicFile, ReplacesExistingContentAndParses) {
  testing::TempDir dir;
  const auto path = dir.path() / "summary.json";
  write_text_atomically(path, std::string(10000, 'x'));  // longer than the new content
  write_json_atomically(path, {{"loss", std::numeric_limits<double>::quiet_NaN()}, {"n", 3}});
  const auto j = nlohmann::json::parse(read_all(path));
  EXPECT_TRUE(j.at("loss").is_null());
  EXPECT_EQ(j.at("n").get<int>(), 3);
  EXPECT_EQ(count_entries(dir.path()), 1);
}

TEST(AtomicFile, TextIsWrittenExactly) {
  testing::TempDir dir;
  const auto path = dir.path() / "table.md";
  const std::string text("| a | b |\n|---|---|\n\0tail", 24);  // embedded NUL survives
  write_text_atomically(path, text);
  EXPECT_EQ(read_all(path), text);
}

TEST(AtomicFile, MissingFolderIsAUserErrorNamingThePath) {
  testing::TempDir dir;
  const auto path = dir.path() / "missing" / "summary.json";
  try {
    write_json_atomically(path, {{"a", 1}});
    FAIL() << "expected UserError";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace mixprec
