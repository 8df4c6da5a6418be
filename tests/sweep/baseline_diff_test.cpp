// Pairing by seed against the baseline (src/sweep/baseline_diff.hpp): which runs pair,
// which are listed as unpaired and why, the fallback to Welch, and the seeds-needed
// estimate. Reference numbers: tests/sweep/paired_reference.py (mpmath, 40 digits).
#include "sweep/baseline_diff.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "sweep/paired_stats.hpp"
#include "sweep/seeds_needed.hpp"

namespace mixprec {
namespace {

constexpr double kRel = 1e-9;  // as paired_stats_test.cpp: exact references, Boost to ulps

const std::vector<double> kA = {0.8812, 0.8790, 0.8851, 0.8803, 0.8836, 0.8779, 0.8824, 0.8847, 0.8801, 0.8830};
const std::vector<double> kB = {0.8795, 0.8781, 0.8822, 0.8800, 0.8809, 0.8770, 0.8811, 0.8829, 0.8796, 0.8805};

// Runs with seeds first_seed, first_seed + 1, ... and test accuracies `acc`; the rate is
// 1000 + seed so that samples/s pairs too.
std::vector<SeededRun> runs(const std::string& name, const std::vector<double>& acc, std::uint64_t first_seed = 0) {
  std::vector<SeededRun> out;
  for (std::size_t i = 0; i < acc.size(); ++i) {
    const std::uint64_t seed = first_seed + i;
    out.push_back({name + "-seed" + std::to_string(seed), seed,
                   {{"test_accuracy", acc[i]}, {"samples_per_s", 1000.0 + seed}, {"test_loss", std::nullopt}}});
  }
  return out;
}

TEST(PairedVsBaseline, PairsBySeedAndMatchesTheReference) {
  const BaselineDiff d = diff_against_baseline(runs("fp16", kA), runs("fp32", kB), 0.0025);
  EXPECT_TRUE(d.paired);
  EXPECT_EQ(d.paired_seeds.size(), 10u);
  EXPECT_TRUE(d.unpaired.empty());
  const MetricDiff& acc = d.metrics.at("test_accuracy");
  EXPECT_EQ(acc.method, "paired");
  EXPECT_EQ(acc.n, 10);
  EXPECT_NEAR(*acc.low, 0.00088810691951057664, kRel * 0.00089);
  EXPECT_NEAR(*acc.high, 0.0022118930804894234, kRel * 0.0022);
  EXPECT_NEAR(*acc.p_value, 0.0004955269406688666, kRel * 0.0005);
  EXPECT_NEAR(*acc.correlation, 0.94983622066964035, kRel);
  // samples/s is equal within each pair: difference 0, interval the point.
  EXPECT_EQ(d.metrics.at("samples_per_s").diff, 0.0);
  EXPECT_EQ(d.metrics.at("samples_per_s").p_value, 1.0);
  EXPECT_FALSE(d.metrics.count("test_loss"));  // no values on either side
  // Seeds needed: from the sd of the differences, as seeds_needed computes it.
  ASSERT_TRUE(d.seeds_needed && d.seeds_needed->seeds);
  EXPECT_EQ(d.seeds_needed->have, 10);
  EXPECT_EQ(*d.seeds_needed->seeds, *seeds_needed(0.0025, 0.00092526272545213401));
}

TEST(PairedVsBaseline, AMissingSeedPairsTheRestAndIsListed) {
  std::vector<SeededRun> group = runs("fp16", kA);
  group.pop_back();  // seed 9 never ran at fp16
  const BaselineDiff d = diff_against_baseline(group, runs("fp32", kB), 0.0025);
  EXPECT_TRUE(d.paired);
  EXPECT_EQ(d.paired_seeds.size(), 9u);
  ASSERT_EQ(d.unpaired.size(), 1u);
  EXPECT_EQ(d.unpaired[0].dir, "fp32-seed9");
  EXPECT_EQ(d.unpaired[0].seed, 9u);
  EXPECT_TRUE(d.unpaired[0].in_baseline);
  EXPECT_EQ(d.unpaired[0].reason, "no partner with this seed");
  const auto p = paired_t(std::vector<double>(kA.begin(), kA.end() - 1), std::vector<double>(kB.begin(), kB.end() - 1));
  EXPECT_EQ(d.metrics.at("test_accuracy").n, 9);
  EXPECT_DOUBLE_EQ(*d.metrics.at("test_accuracy").high, p->high);
}

TEST(PairedVsBaseline, DuplicateAndSeedlessRunsAreListedNotDropped) {
  std::vector<SeededRun> group = runs("fp16", kA);
  group.push_back({"fp16-again-seed0", 0, {{"test_accuracy", 0.5}}});
  group.push_back({"fp16-noseed", std::nullopt, {{"test_accuracy", 0.5}}});
  const BaselineDiff d = diff_against_baseline(group, runs("fp32", kB), 0.0025);
  EXPECT_EQ(d.paired_seeds.size(), 10u);
  ASSERT_EQ(d.unpaired.size(), 2u);
  EXPECT_EQ(d.unpaired[0].reason, "another run has this seed");
  EXPECT_EQ(d.unpaired[1].reason, "no seed");
  EXPECT_NEAR(d.metrics.at("test_accuracy").diff, 0.00155, kRel * 0.00155);  // the duplicate is not used
}

TEST(PairedVsBaseline, NoSharedSeedsFallsBackToWelch) {
  // Seeds 10-19 against 0-9: nothing pairs, so every run counts, independently.
  const BaselineDiff d = diff_against_baseline(runs("fp16", kA, 10), runs("fp32", kB), 0.0025);
  EXPECT_FALSE(d.paired);
  EXPECT_TRUE(d.paired_seeds.empty());
  EXPECT_TRUE(d.unpaired.empty());
  EXPECT_FALSE(d.seeds_needed);
  const MetricDiff& acc = d.metrics.at("test_accuracy");
  EXPECT_EQ(acc.method, "welch");
  EXPECT_EQ(acc.n, 10);
  EXPECT_EQ(acc.n_baseline, 10);
  EXPECT_NEAR(*acc.low, -0.00045708316785923582, kRel * 0.00046);
  EXPECT_NEAR(*acc.high, 0.0035570831678592358, kRel * 0.0036);
  EXPECT_NEAR(*acc.dof, 16.479086356205851, kRel * 16.5);
  EXPECT_NEAR(*acc.p_value, 0.12137070631573637, kRel * 0.12);
  EXPECT_FALSE(acc.correlation);
}

TEST(PairedVsBaseline, OneSharedSeedIsNotEnoughToPair) {
  const BaselineDiff d = diff_against_baseline(runs("fp16", {0.9, 0.91}, 1), runs("fp32", {0.9, 0.92}), 0.0025);
  EXPECT_FALSE(d.paired);  // seed 1 only: no spread of differences to estimate
  EXPECT_EQ(d.metrics.at("test_accuracy").method, "welch");
  const BaselineDiff single = diff_against_baseline(runs("fp16", {0.9}), runs("fp32", {0.9, 0.92}), 0.0025);
  EXPECT_EQ(single.metrics.at("test_accuracy").method, "none");  // one run: the difference alone
  EXPECT_FALSE(single.metrics.at("test_accuracy").low);
}

}  // namespace
}  // namespace mixprec
