#pragma once
// `mixprec compare`: groups completed runs by their settings (everything in config.json
// except seed and name), and reports per group the mean and sample std over seeds of
// speed, memory and accuracy, with speed-up and test-accuracy difference (95% Welch
// interval) against the baseline precision at otherwise equal settings, without the
// remedies of sweep/group_name.hpp (fp32 takes none of them).
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sweep/baseline_diff.hpp"
#include "sweep/run_collection.hpp"
#include "sweep/summary_stats.hpp"

namespace mixprec {

// The metrics of each group, in report order: {key in the JSON output, path in summary.json}.
struct MetricSpec {
  const char* key;
  const char* summary_path;  // JSON pointer
};
const std::vector<MetricSpec>& compare_metrics();

struct CompareGroup {
  std::string name;       // precision and remedies, "bf16-true+sr" (sweep/group_name.hpp)
  std::string label;      // name, '*' if emulated, then the other varying settings
  std::string precision;
  nlohmann::json settings = nlohmann::json::object();  // varying keys -> values
  std::string matmul_path;  // native, emulated, or mixed (runs disagree)
  std::string weight_format;  // what its products read, from the runs' summaries
  std::vector<std::string> runs;
  std::map<std::string, MeanStd> metrics;              // by MetricSpec::key
  std::map<std::string, std::vector<double>> values;   // the per-run values behind them
  bool is_baseline = false;
  std::optional<std::string> baseline_label;           // the group compared against
  std::optional<double> speedup;                       // mean samples/s over the baseline's
  // Mean test accuracy minus the baseline's (fractions), and its 95% Welch interval
  // (none when either group has a single run).
  std::optional<double> test_accuracy_diff;
  std::optional<WelchInterval> test_accuracy_ci;
  std::vector<SeededRun> seeded_runs;      // per run: its seed and metric values, for pairing
  // Against the baseline, paired by seed where the groups share seeds (docs/compare.md);
  // none for the baseline itself and for a group without one.
  std::optional<BaselineDiff> vs_baseline;
};

struct SkippedRun {
  std::string dir;
  std::string status;
};

struct Comparison {
  std::string baseline;                  // canonical precision name
  std::vector<std::string> varying_keys; // config keys (not seed/name/precision) that differ
  std::vector<CompareGroup> groups;
  std::vector<SkippedRun> skipped;       // not completed, or no config.json
  std::vector<std::string> footnotes;    // "* emulated: fp16 matmuls converted to fp32 on this CPU"
};

// Flattens a config to dotted keys; arrays are leaves ({"model": {"hidden": [64]}} ->
// {"model.hidden": [64]}).
std::map<std::string, nlohmann::json> flatten_config(const nlohmann::json& config);

// `baseline` is a precision name or alias; `resolve` the test-accuracy difference
// (fraction: 0.0025 = 0.25 points) that the seeds-needed estimate is for.
Comparison compare_runs(const std::vector<RunInfo>& runs, const std::string& baseline,
                        double resolve = 0.0025);

}  // namespace mixprec
