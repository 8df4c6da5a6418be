// Nesting depth of config JSON. nlohmann parses any depth, but dump(), which error messages
// use to show a value, recurses: `mixprec validate` on a config whose "name" was a million
// nested lists died of a stack overflow (SIGSEGV), and so did --set model.hidden=[[[...]]].
// Found while probing the inputs of tests/fuzz/config_fuzz.cpp; these inputs reproduce it.
#include <gtest/gtest.h>

#include <string>

#include "config/config_loader.hpp"
#include "config/config_test_util.hpp"
#include "config/json_file.hpp"

namespace mixprec {
namespace {

using nlohmann::json;
using testing::error_of;

std::string nested(int levels) { return std::string(levels, '[') + std::string(levels, ']'); }

TEST(JsonDepth, ADeeplyNestedFileIsAUserErrorAtTheBracketThatGoesTooDeep) {
  // '{"name": ' is 9 bytes; the k-th '[' sits at byte 8 + k and opens level 1 + k, so the
  // first bracket past level 100 is the 100th, at column 8 + 100 + 1 = 109.
  const std::string text = "{\"name\": " + nested(1000000) + "}";
  EXPECT_EQ(error_of([&] { parse_json_text(text, "t.json"); }),
            "t.json:1:109: JSON nested more than 100 levels deep (hint: a config nests at most 3 "
            "levels: {\"loss_scale\": {...}}, {\"model\": {\"hidden\": [...]}})");
  // Brackets inside strings do not count.
  const std::string quoted = "{\"data\": {\"dir\": \"" + std::string(200, '[') + "\"}, \"x\": " +
                             nested(200) + "}";
  EXPECT_CONTAINS(error_of([&] { parse_json_text(quoted, "t.json"); }), "t.json:1:327: JSON nested");
}

TEST(JsonDepth, OneHundredLevelsParseAndAreReportedAsAWrongType) {
  const std::string text = "{\"name\": " + nested(99) + "}";  // levels 1 + 99 = 100
  const json j = parse_json_text(text, "t.json");
  EXPECT_CONTAINS(error_of([&] { parse_config(j, "t.json"); }), "t.json: name = ");
  // One more is one too many: the 100th '[' at column 109 again.
  EXPECT_CONTAINS(error_of([] { parse_json_text("{\"name\": " + nested(100) + "}", "t.json"); }),
                  "t.json:1:109: JSON nested more than 100 levels deep");
}

TEST(JsonDepth, ADeeplyNestedOverrideIsAUserError) {
  const json base = {{"data", {{"dir", "d"}}}};
  EXPECT_EQ(error_of([&] { apply_override(base, "model.hidden=" + nested(100000)); }),
            "--set model.hidden=" + nested(100000) + ": the value is nested more than 100 levels "
            "deep (hint: a list such as model.hidden=[256,128] needs one)");
  EXPECT_NO_THROW(apply_override(base, "model.hidden=" + nested(100)));
  EXPECT_CONTAINS(error_of([&] { apply_override(base, "model.hidden=" + nested(101)); }),
                  "is nested more than 100 levels deep");
}

}  // namespace
}  // namespace mixprec
