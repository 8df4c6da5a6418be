// --set values must be UTF-8. A value that is not JSON is taken as text verbatim, and text
// with other bytes made nlohmann's dump() throw json::type_error (exit code 1, a "bug")
// when a message or config.json showed it: `--set loss_scale.init=10$'\xfe'` did. Found by
// tests/fuzz/config_fuzz.cpp; these inputs reproduce it.
#include <gtest/gtest.h>

#include "config/config_loader.hpp"
#include "config/config_test_util.hpp"

namespace mixprec {
namespace {

using nlohmann::json;
using testing::error_of;

const json kBase = {{"data", {{"dir", "d"}}}};

std::string override_error(const std::string& assignment) {
  return error_of([&] { apply_override(kBase, assignment); });
}

TEST(OverrideUtf8, InvalidBytesAreAUserErrorThatShowsThemEscaped) {
  EXPECT_EQ(override_error("loss_scale.init=10\xfe\xfe"),
            "--set loss_scale.init=10\\xfe\\xfe: byte 18 (0xfe) is not valid UTF-8 (hint: config "
            "values are UTF-8 text; for a path with other bytes in its name, use a symlink whose "
            "name is UTF-8)");
  EXPECT_CONTAINS(override_error("name=ab\xff"), "byte 7 (0xff) is not valid UTF-8");
  EXPECT_CONTAINS(override_error("data.dir=/tmp/\xc3"), "byte 14 (0xc3) is not valid UTF-8");  // cut short
  EXPECT_CONTAINS(override_error("name=\xc0\xaf"), "byte 5 (0xc0) is not valid UTF-8");      // overlong '/'
  EXPECT_CONTAINS(override_error("name=\xed\xa0\x80"), "byte 5 (0xed) is not valid UTF-8");  // surrogate
  EXPECT_CONTAINS(override_error("name=\xf4\x90\x80\x80"), "byte 5 (0xf4) is not valid UTF-8");  // > U+10FFFF
  EXPECT_CONTAINS(override_error("na\x80me=x"), "byte 2 (0x80) is not valid UTF-8");  // in the key
}

TEST(OverrideUtf8, WellFormedUtf8IsKeptAndWritesBack) {
  // 2-, 3- and 4-byte sequences: M\u00fcller, \u20ac, U+1F600.
  const std::string name = "M\xc3\xbcller-\xe2\x82\xac-\xf0\x9f\x98\x80";
  Config c = load_config_text(kBase.dump(), "t.json", {"name=" + name});
  EXPECT_EQ(c.name, name);
  EXPECT_EQ(json::parse(to_json(c).dump())["name"], name);
}

}  // namespace
}  // namespace mixprec
