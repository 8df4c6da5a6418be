// Lower bounds of integer keys for values read from JSON text. nlohmann parses a
// non-negative integer from text as *unsigned*, while a json built in C++ from an int is
// signed; the parser once checked the lower bound only for signed values, so text such as
// "batch_size": 0 was accepted (and `mixprec validate` died of SIGFPE). Found by
// tests/fuzz/config_fuzz.cpp; these inputs reproduce it.
#include <gtest/gtest.h>

#include "config/config_loader.hpp"
#include "config/config_test_util.hpp"
#include "config/json_file.hpp"

namespace mixprec {
namespace {

using testing::error_of;

std::string text_error(const std::string& text) {
  return error_of([&] { parse_config(parse_json_text(text, "t.json"), "t.json"); });
}

TEST(IntegerBounds, ZeroFromTextIsBelowAMinimumOfOne) {
  ASSERT_TRUE(parse_json_text(R"({"train": {"batch_size": 0}})", "t")["train"]["batch_size"]
                  .is_number_unsigned());  // the case the old check skipped
  EXPECT_EQ(text_error(R"({"train": {"batch_size": 0}})"),
            "t.json: train.batch_size = 0: expected an integer >= 1");
  EXPECT_EQ(text_error(R"({"train": {"epochs": 0}})"),
            "t.json: train.epochs = 0: expected an integer >= 1");
  EXPECT_EQ(text_error(R"({"train": {"eval_batch_size": 0}})"),
            "t.json: train.eval_batch_size = 0: expected an integer >= 1");
  EXPECT_EQ(text_error(R"({"schedule": {"step_epochs": 0}})"),
            "t.json: schedule.step_epochs = 0: expected an integer >= 1");
  EXPECT_EQ(text_error(R"({"loss_scale": {"growth_interval": 0}})"),
            "t.json: loss_scale.growth_interval = 0: expected an integer >= 1");
  EXPECT_EQ(text_error(R"({"model": {"hidden": [8, 0]}})"),
            "t.json: model.hidden[1] = 0: expected an integer >= 1");
}

TEST(IntegerBounds, TheMinimumItselfAndZeroWhereAllowedAreAccepted) {
  Config c = parse_config(parse_json_text(
      R"({"train": {"batch_size": 1, "epochs": 1}, "threads": 0, "data": {"max_train_samples": 0}})",
      "t.json"), "t.json");
  EXPECT_EQ(c.train.batch_size, 1);
  EXPECT_EQ(c.train.epochs, 1);
  EXPECT_EQ(c.threads, 0);
  EXPECT_EQ(c.data.max_train_samples, 0);
}

TEST(IntegerBounds, AnOverrideOfZeroIsRejectedToo) {
  EXPECT_EQ(error_of([] { load_config_text(R"({"data": {"dir": "d"}})", "t.json",
                                           {"train.batch_size=0"}); }),
            "--set train.batch_size=0: train.batch_size = 0: expected an integer >= 1");
}

}  // namespace
}  // namespace mixprec
