// Values that parse but cannot run as written (issue 20): a loss scale or growth beyond
// fp32, a learning rate that rounds to 0 in fp32, absurd thread counts, run names that
// cannot be folder names, whole numbers written as 1e2 or too large for 64 bits.
#include <gtest/gtest.h>

#include "config/config_diff.hpp"
#include "config/config_loader.hpp"
#include "config_test_util.hpp"

namespace mixprec {
namespace {

using nlohmann::json;
using testing::error_of;

std::string parse_error(const json& j) {
  return error_of([&] { parse_config(j, "f.json"); });
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(ConfigLimits, LossScaleBeyondFp32IsRefused) {
  std::string e = parse_error({{"loss_scale", 1e39}});
  EXPECT_TRUE(has(e, "f.json: loss_scale.init = 1e+39 is above the fp32 maximum 3.40282e+38")) << e;
  EXPECT_TRUE(has(e, "hint:")) << e;
  e = parse_error({{"precision", "fp16-mixed"}, {"loss_scale", {{"init", 1e38}, {"growth_factor", 4}}}});
  EXPECT_TRUE(has(e, "loss_scale.growth_factor = 4 would grow loss_scale.init = 1e+38 past")) << e;
  // The largest fp32 is fine as a static scale; without scaling the keys are not used.
  EXPECT_NO_THROW(parse_config({{"loss_scale", 3.4e38}}, "f.json"));
  EXPECT_NO_THROW(parse_config({{"loss_scale", {{"mode", "none"}, {"init", 1e39}}}}, "f.json"));
}

TEST(ConfigLimits, LearningRateThatRoundsToZeroInFp32IsRefused) {
  const std::string e = parse_error({{"optimizer", {{"lr", 1e-50}}}});
  EXPECT_TRUE(has(e, "optimizer.lr = 1e-50 rounds to 0 in fp32")) << e;
  EXPECT_NO_THROW(parse_config({{"optimizer", {{"lr", 1e-30}}}}, "f.json"));
}

TEST(ConfigLimits, ThreadCountsBeyondAnyMachineAreRefused) {
  const std::string e = parse_error({{"threads", 100000}});
  EXPECT_TRUE(has(e, "threads = 100000: expected an integer in [0, 1024]")) << e;
}

TEST(ConfigLimits, NamesThatCannotBeFolderNamesAreRefused) {
  for (const std::string& name : std::vector<std::string>{"a/b", ".", "..", "tab\there", std::string(201, 'n')}) {
    const std::string e = parse_error({{"name", name}});
    EXPECT_TRUE(has(e, "cannot start a folder name")) << name << ": " << e;
  }
  EXPECT_NO_THROW(parse_config({{"name", "run_2024-05 (lr 0.1)"}}, "f.json"));
}

TEST(ConfigLimits, WholeNumbersInFloatingPointFormAreNamedForWhatTheyAre) {
  std::string e = parse_error({{"train", {{"epochs", 1e2}}}});
  EXPECT_TRUE(has(e, "got a number in floating-point form")) << e;
  EXPECT_TRUE(has(e, "hint: write 100 without a decimal point or exponent")) << e;
  e = parse_error({{"seed", 1e20}});
  EXPECT_TRUE(has(e, "got an integer too large for 64 bits")) << e;
  EXPECT_FALSE(has(e, "decimal point")) << e;
}

TEST(ConfigDiff, NamesEachChangedKeyWithBothValues) {
  const json a = to_json(Config{});
  Config c;
  c.optimizer.lr = 0.05;
  c.model.hidden = {64, 32};
  EXPECT_EQ(changed_keys(a, to_json(c)),
            (std::vector<std::string>{"model.hidden: [256] -> [64,32]", "optimizer.lr: 0.1 -> 0.05"}));
  EXPECT_TRUE(changed_keys(a, a).empty());
}

}  // namespace
}  // namespace mixprec
