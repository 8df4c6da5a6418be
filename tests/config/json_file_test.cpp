// Syntax errors in a config file: line and column computed from nlohmann's byte offset,
// checked against files whose error position is known by construction.
#include <gtest/gtest.h>

#include "config/config_loader.hpp"
#include "config/config_test_util.hpp"
#include "config/json_file.hpp"

namespace mixprec {
namespace {

using testing::error_of;
using testing::TempFile;

std::string text_error(const std::string& text) {
  return error_of([&] { parse_json_text(text, "c.json"); });
}

TEST(PositionOf, CountsLinesAndColumnsFromOne) {
  const std::string text = "ab\ncd\n\nx";
  EXPECT_EQ(position_of(text, 0).line, 1u);
  EXPECT_EQ(position_of(text, 0).column, 1u);
  EXPECT_EQ(position_of(text, 2).column, 3u);  // the '\n' ends line 1 at column 3
  EXPECT_EQ(position_of(text, 3).line, 2u);
  EXPECT_EQ(position_of(text, 3).column, 1u);
  EXPECT_EQ(position_of(text, 7).line, 4u);
  EXPECT_EQ(position_of(text, 7).column, 1u);
}

TEST(JsonFile, TrailingCommaInAFile) {
  // The stray '}' sits on line 4, column 3.
  TempFile file("trailing.json", "{\n  \"optimizer\": {\n    \"lr\": 0.1,\n  }\n}\n");
  std::string e = error_of([&] { load_config(file.path()); });
  EXPECT_EQ(e.rfind(file.path() + ":4:3: invalid JSON: ", 0), 0u) << e;
  EXPECT_CONTAINS(e, "unexpected '}'");
  EXPECT_CONTAINS(e, "(hint: JSON allows no comma after the last entry; remove it)");
}

TEST(JsonFile, MissingCommaPointsAtTheNextKey) {
  // "seed" starts on line 3, column 3.
  std::string e = text_error("{\n  \"name\": \"a\"\n  \"seed\": 1\n}\n");
  EXPECT_EQ(e.rfind("c.json:3:3: invalid JSON: ", 0), 0u) << e;
  EXPECT_CONTAINS(e, "a comma is probably missing before this entry");
}

TEST(JsonFile, UnexpectedEndPointsAfterTheLastCharacter) {
  // {"a": 1 is 7 characters: the end is at column 8, trailing newlines ignored.
  std::string e = text_error("{\"a\": 1\n\n");
  EXPECT_EQ(e.rfind("c.json:1:8: invalid JSON: ", 0), 0u) << e;
  EXPECT_CONTAINS(e, "a closing } or ] or a quote is missing");
}

TEST(JsonFile, CommentsQuotesAndEmptyFiles) {
  std::string e = text_error("{\n  \"a\": 1 // one\n}");
  EXPECT_EQ(e.rfind("c.json:2:10: invalid JSON: ", 0), 0u) << e;
  EXPECT_CONTAINS(e, "JSON has no comments");
  e = text_error("{'a': 1}");
  EXPECT_EQ(e.rfind("c.json:1:2: ", 0), 0u) << e;
  EXPECT_CONTAINS(e, "double quotes");
  e = text_error("");
  EXPECT_EQ(e.rfind("c.json:1:1: ", 0), 0u) << e;
  EXPECT_CONTAINS(e, "the file is empty; write {} to use every default");
  e = text_error("{\"a\" 1}");
  EXPECT_CONTAINS(e, "a colon is missing");
  e = text_error("{\"a\": 1}}");  // the extra '}' is column 9
  EXPECT_EQ(e.rfind("c.json:1:9: ", 0), 0u) << e;
  EXPECT_CONTAINS(e, "is there an extra } or ]");
}

TEST(JsonFile, NumberOverflowHasAPosition) {
  std::string e = text_error("{\n \"lr\": 1e400}");
  EXPECT_EQ(e.rfind("c.json:2:8: invalid JSON: number overflow parsing '1e400'", 0), 0u) << e;
}

TEST(JsonFile, DuplicateKeysAreRejected) {
  std::string e = text_error(R"({"optimizer": {"lr": 0.1, "lr": 0.2}})");
  EXPECT_EQ(e, "c.json: duplicate key \"optimizer.lr\" (hint: JSON would silently keep only "
               "the last one; remove the other)");
  // The same key in different objects is fine.
  EXPECT_NO_THROW(parse_json_text(R"({"model": {"init": "he"}, "loss_scale": {"init": 8}})",
                                  "c.json"));
}

}  // namespace
}  // namespace mixprec
