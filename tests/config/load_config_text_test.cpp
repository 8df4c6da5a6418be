// load_config_text: the load_config path for text already in memory (used by the config
// fuzz target): same result as the file, same errors with the given source name.
#include <gtest/gtest.h>

#include "config/config_loader.hpp"
#include "config/config_test_util.hpp"

namespace mixprec {
namespace {

using testing::error_of;
using testing::same_config;
using testing::TempFile;

TEST(LoadConfigText, SameConfigAsTheFile) {
  const std::string text = R"({"data": {"dir": "mnist"}, "precision": "bf16-mixed",
                               "model": {"hidden": [8, 4]}})";
  TempFile file("text.json", text);
  Config from_text = load_config_text(text, "mem.json", {"optimizer.lr=0.25"});
  EXPECT_TRUE(same_config(from_text, load_config(file.path(), {"optimizer.lr=0.25"})));
  EXPECT_EQ(from_text.precision, Precision::kBf16Mixed);
  EXPECT_EQ(from_text.model.hidden, (std::vector<int>{8, 4}));
  EXPECT_EQ(from_text.optimizer.lr, 0.25);
}

TEST(LoadConfigText, ErrorsNameTheSource) {
  // Syntax error: a comma before the closing brace, reported at that brace (column 21).
  EXPECT_CONTAINS(error_of([] { load_config_text(R"({"data": {"dir": 1},})", "mem.json"); }),
                  "mem.json:1:21: invalid JSON");
  EXPECT_EQ(error_of([] { load_config_text("[1]", "mem.json"); }),
            "mem.json: expected a JSON object {...} at the top level, got array");
  EXPECT_CONTAINS(error_of([] { load_config_text("{}", "mem.json"); }),
                  "mem.json: data.dir is not set");
  EXPECT_CONTAINS(error_of([] { load_config_text(R"({"data": {"dir": "d"}})", "mem.json",
                                                 {"optimizer.lr=0"}); }),
                  "--set optimizer.lr=0: optimizer.lr = 0: expected a number > 0");
}

}  // namespace
}  // namespace mixprec
