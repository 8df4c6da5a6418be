// The name of a group of runs: its precision and the remedies its config turns on, in one
// order (src/sweep/group_name.hpp); runs recorded before the remedy keys existed are plain.
#include "sweep/group_name.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace mixprec {
namespace {

using nlohmann::json;

FlatConfig settings(const std::string& weights, const std::string& gradients,
                    const std::string& compensation) {
  return {{"precision", "bf16-true"},
          {"rounding.weights", weights},
          {"rounding.gradients", gradients},
          {"optimizer.compensation", compensation},
          {"optimizer.lr", 0.001}};
}

TEST(GroupName, PrecisionThenEachRemedyInOrder) {
  EXPECT_EQ(group_name(settings("nearest", "nearest", "none")), "bf16-true");
  EXPECT_EQ(group_name(settings("stochastic", "nearest", "none")), "bf16-true+sr");
  EXPECT_EQ(group_name(settings("nearest", "stochastic", "none")), "bf16-true+sr-grad");
  EXPECT_EQ(group_name(settings("nearest", "nearest", "kahan")), "bf16-true+kahan");
  EXPECT_EQ(group_name(settings("stochastic", "nearest", "kahan")), "bf16-true+sr+kahan");
  EXPECT_EQ(group_name(settings("stochastic", "stochastic", "kahan")), "bf16-true+sr+sr-grad+kahan");
  EXPECT_EQ(group_name({{"precision", "fp16-mixed"}, {"rounding.gradients", "stochastic"}}),
            "fp16-mixed+sr-grad");
}

TEST(GroupName, ARunRecordedBeforeTheKeysIsPlainAndGroupsWithTheDefaults) {
  FlatConfig old = {{"precision", "bf16-true"}, {"optimizer.lr", 0.001}};
  EXPECT_EQ(group_name(old), "bf16-true");
  fill_absent_remedies(old);
  EXPECT_EQ(old, settings("nearest", "nearest", "none"));
  // A key that is there is kept as recorded.
  FlatConfig sr = settings("stochastic", "nearest", "none");
  fill_absent_remedies(sr);
  EXPECT_EQ(sr.at("rounding.weights"), "stochastic");
}

TEST(GroupName, OrderIsPlainThenOneRemedyThenMore) {
  std::vector<FlatConfig> all;
  for (const char* w : {"nearest", "stochastic"})
    for (const char* g : {"nearest", "stochastic"})
      for (const char* c : {"none", "kahan"}) all.push_back(settings(w, g, c));
  std::sort(all.begin(), all.end(), [](const FlatConfig& a, const FlatConfig& b) {
    return remedy_order(a) < remedy_order(b);
  });
  std::vector<std::string> names;
  for (const FlatConfig& s : all) names.push_back(group_name(s));
  EXPECT_EQ(names, (std::vector<std::string>{
                       "bf16-true", "bf16-true+sr", "bf16-true+sr-grad", "bf16-true+kahan",
                       "bf16-true+sr+sr-grad", "bf16-true+sr+kahan", "bf16-true+sr-grad+kahan",
                       "bf16-true+sr+sr-grad+kahan"}));
}

}  // namespace
}  // namespace mixprec
