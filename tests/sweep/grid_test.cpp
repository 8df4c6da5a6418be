// Grid expansion, value splitting and run naming (src/sweep/grid.hpp).
#include "sweep/grid.hpp"

#include <gtest/gtest.h>

#include <set>

#include "common/error.hpp"

namespace mixprec {
namespace {

using Strings = std::vector<std::string>;

TEST(SplitValues, CommasOutsideBracketsOnly) {
  EXPECT_EQ(split_values("0.1,0.05", "--set"), (Strings{"0.1", "0.05"}));
  EXPECT_EQ(split_values("[256,128],[512]", "--set"), (Strings{"[256,128]", "[512]"}));
  EXPECT_EQ(split_values("[[1,2],[3]],4", "--set"), (Strings{"[[1,2],[3]]", "4"}));
  EXPECT_EQ(split_values(R"({"a":1,"b":[2,3]},x)", "--set"), (Strings{R"({"a":1,"b":[2,3]})", "x"}));
  EXPECT_EQ(split_values(R"("a,b",c)", "--set"), (Strings{R"("a,b")", "c"}));
  EXPECT_EQ(split_values(R"("a\",b",c)", "--set"), (Strings{R"("a\",b")", "c"}));  // escaped quote
  EXPECT_EQ(split_values("bf16-mixed", "--set"), (Strings{"bf16-mixed"}));
}

TEST(SplitValues, RejectsUnbalancedAndEmpty) {
  EXPECT_THROW(split_values("[256,128", "--set"), UserError);
  EXPECT_THROW(split_values("256]", "--set"), UserError);
  EXPECT_THROW(split_values("[1}", "--set"), UserError);
  EXPECT_THROW(split_values("\"abc", "--set"), UserError);
  EXPECT_THROW(split_values("1,,2", "--set"), UserError);
  EXPECT_THROW(split_values("1,", "--set"), UserError);
  EXPECT_THROW(split_values("", "--set"), UserError);
}

TEST(ParseAxis, KeyAndValues) {
  const SweepAxis a = parse_axis("model.hidden=[256,128],[512]");
  EXPECT_EQ(a.key, "model.hidden");
  EXPECT_EQ(a.values, (Strings{"[256,128]", "[512]"}));
  EXPECT_EQ(parse_axis("name=a=b").values, (Strings{"a=b"}));  // only the first '=' splits
  EXPECT_THROW(parse_axis("model.hidden"), UserError);
  EXPECT_THROW(parse_axis("=3"), UserError);
}

TEST(ParseSeeds, RangesAndLists) {
  EXPECT_EQ(parse_seeds("0-4"), (std::vector<std::uint64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(parse_seeds("7"), (std::vector<std::uint64_t>{7}));
  EXPECT_EQ(parse_seeds("0,3,7"), (std::vector<std::uint64_t>{0, 3, 7}));
  EXPECT_EQ(parse_seeds("0-2,5"), (std::vector<std::uint64_t>{0, 1, 2, 5}));
  EXPECT_EQ(parse_seeds("3-3"), (std::vector<std::uint64_t>{3}));
  EXPECT_THROW(parse_seeds("4-0"), UserError);
  EXPECT_THROW(parse_seeds("0-2,1"), UserError);  // duplicate
  EXPECT_THROW(parse_seeds("a"), UserError);
  EXPECT_THROW(parse_seeds("-1"), UserError);
  EXPECT_THROW(parse_seeds("1.5"), UserError);
}

TEST(ParsePrecisions, CanonicalNamesAndAliases) {
  EXPECT_EQ(parse_precisions("fp32,16-mixed,bf16"), (Strings{"fp32", "fp16-mixed", "bf16-mixed"}));
  EXPECT_THROW(parse_precisions("fp32,32"), UserError);  // same mode twice
  EXPECT_THROW(parse_precisions("fp8"), UserError);
}

TEST(RunName, SanitisedAndDeterministic) {
  EXPECT_EQ(run_name("fp32", 3, {}), "fp32-seed3");
  EXPECT_EQ(run_name("bf16-mixed", 0, {{"model.hidden", "[256,128]"}, {"optimizer.lr", "0.05"}}),
            "bf16-mixed-seed0-model.hidden=256_128-optimizer.lr=0.05");
  EXPECT_EQ(run_name("fp32", 0, {{"data.dir", "/x/y z"}}), "fp32-seed0-data.dir=_x_yz");
  EXPECT_EQ(sanitize_for_filename(".hidden"), "_hidden");
  EXPECT_EQ(sanitize_for_filename("a/b\\c*?"), "a_b_c__");
  EXPECT_LE(run_name("fp32", 0, {{"name", std::string(500, 'x')}}).size(), 200u);
}

TEST(ExpandGrid, OrderOverridesAndNames) {
  const auto runs = expand_grid({"fp32", "bf16-mixed"}, {0, 1},
                                {{"model.hidden", {"[64]", "[32,16]"}}, {"train.epochs", {"1"}}});
  ASSERT_EQ(runs.size(), 8u);  // 2 precisions x 2 hidden x 2 seeds; the fixed set adds none
  // seed outermost, then the swept values, then the precisions (interleaved).
  const Strings expected_names = {
      "fp32-seed0-model.hidden=64",       "bf16-mixed-seed0-model.hidden=64",
      "fp32-seed0-model.hidden=32_16",    "bf16-mixed-seed0-model.hidden=32_16",
      "fp32-seed1-model.hidden=64",       "bf16-mixed-seed1-model.hidden=64",
      "fp32-seed1-model.hidden=32_16",    "bf16-mixed-seed1-model.hidden=32_16"};
  for (std::size_t i = 0; i < runs.size(); ++i) EXPECT_EQ(runs[i].name, expected_names[i]) << i;
  EXPECT_EQ(runs[6].precision, "fp32");
  EXPECT_EQ(runs[6].seed, 1u);
  EXPECT_EQ(runs[6].overrides,
            (Strings{"precision=fp32", "seed=1", "model.hidden=[32,16]", "train.epochs=1"}));
  ASSERT_EQ(runs[6].parameters.size(), 1u);  // only the swept key names the run
  EXPECT_EQ(runs[6].parameters[0], (std::pair<std::string, std::string>{"model.hidden", "[32,16]"}));
}

TEST(ExpandGrid, TwoAxesTurnLikeAnOdometer) {
  const auto runs = expand_grid({"fp32"}, {0}, {{"a", {"1", "2"}}, {"b", {"x", "y", "z"}}});
  Strings got;
  for (const auto& r : runs) got.push_back(r.parameters[0].second + r.parameters[1].second);
  EXPECT_EQ(got, (Strings{"1x", "1y", "1z", "2x", "2y", "2z"}));
}

TEST(ExpandGrid, CollidingNamesGetSuffixes) {
  const auto runs = expand_grid({"fp32"}, {0}, {{"data.dir", {"a/b", "a_b", "a*b"}}});
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].name, "fp32-seed0-data.dir=a_b");
  EXPECT_EQ(runs[1].name, "fp32-seed0-data.dir=a_b-2");
  EXPECT_EQ(runs[2].name, "fp32-seed0-data.dir=a_b-3");
}

TEST(ExpandGrid, RejectsPrecisionSeedAndRepeatedKeys) {
  EXPECT_THROW(expand_grid({"fp32"}, {0}, {{"precision", {"fp32", "bf16-mixed"}}}), UserError);
  EXPECT_THROW(expand_grid({"fp32"}, {0}, {{"seed", {"1"}}}), UserError);
  EXPECT_THROW(expand_grid({"fp32"}, {0}, {{"a", {"1"}}, {"a", {"2"}}}), UserError);
  EXPECT_THROW(expand_grid({}, {0}, {}), UserError);
}

TEST(ExpandGrid, FullGridSizeAndUniqueNames) {
  const auto runs = expand_grid({"fp32", "fp16-mixed", "bf16-mixed"}, {0, 1, 2, 3, 4},
                                {{"optimizer.lr", {"0.1", "0.05"}}});
  EXPECT_EQ(runs.size(), 30u);
  std::set<std::string> names;
  for (const auto& r : runs) names.insert(r.name);
  EXPECT_EQ(names.size(), 30u);
}

}  // namespace
}  // namespace mixprec
