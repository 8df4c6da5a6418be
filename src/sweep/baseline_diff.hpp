#pragma once
// A group against its baseline group, metric by metric: paired by seed when the two share
// seeds (runs with one seed share initialisation and data order, so their results
// correlate and the per-seed differences vary far less than the runs do), Welch otherwise;
// and, for test accuracy, the seeds a difference of a given size would need.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mixprec {

// One completed run as pairing sees it.
struct SeededRun {
  std::string dir;
  std::optional<std::uint64_t> seed;                    // config.json's seed
  std::map<std::string, std::optional<double>> values;  // by metric key; none: absent or non-finite
};

// A run left out of the pairing, on either side.
struct UnpairedRun {
  std::string dir;
  std::optional<std::uint64_t> seed;
  bool in_baseline = false;  // true: a baseline run without a partner in the group
  std::string reason;        // "no partner with this seed", "another run has this seed", "no seed"
};

struct MetricDiff {
  std::string method;  // "paired" (t on per-seed differences), "welch", or "none" (n < 2)
  double diff = 0;     // paired: mean of the differences; welch/none: difference of the means
  std::optional<double> low, high;  // 95% interval
  std::optional<double> dof;        // paired: pairs - 1; welch: Welch-Satterthwaite
  std::optional<double> p_value;    // two-sided, H0: no difference
  int n = 0;                        // paired: pairs; otherwise runs in the group with a value
  int n_baseline = 0;               // paired: pairs; otherwise baseline runs with a value
  std::optional<double> sd_diff;      // paired: sample std of the differences
  std::optional<double> correlation;  // paired: Pearson r between the paired values
};

struct SeedsNeeded {
  double resolve = 0;         // the difference to resolve, in the metric's unit (fraction)
  double confidence = 0.95;   // two-sided test at alpha = 1 - confidence
  double power = 0.8;
  std::optional<int> seeds;   // pairs needed; none if above the search limit
  int have = 0;               // pairs available now
};

struct BaselineDiff {
  bool paired = false;                      // at least 2 runs on each side share seeds
  std::vector<std::uint64_t> paired_seeds;  // ascending
  std::vector<UnpairedRun> unpaired;        // the group's, then the baseline's
  std::map<std::string, MetricDiff> metrics;  // by key of diff_metrics(); absent if a side has no value
  std::optional<SeedsNeeded> seeds_needed;    // test accuracy, paired only
};

// The metrics compared against the baseline: test_accuracy, train_loss, test_loss,
// samples_per_s (keys of compare_metrics()).
const std::vector<std::string>& diff_metrics();

// `resolve`: the test-accuracy difference (fraction, 0.0025 = 0.25 points) for seeds_needed.
BaselineDiff diff_against_baseline(const std::vector<SeededRun>& group,
                                   const std::vector<SeededRun>& baseline, double resolve);

}  // namespace mixprec
