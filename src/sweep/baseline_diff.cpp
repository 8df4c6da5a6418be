#include "sweep/baseline_diff.hpp"

#include <algorithm>
#include <cmath>

#include "sweep/paired_stats.hpp"
#include "sweep/seeds_needed.hpp"
#include "sweep/summary_stats.hpp"

namespace mixprec {

const std::vector<std::string>& diff_metrics() {
  static const std::vector<std::string> keys = {"test_accuracy", "train_loss", "test_loss", "samples_per_s"};
  return keys;
}

namespace {

constexpr double kConfidence = 0.95;

// Runs by seed, first come first paired; runs without a seed or with a seed already taken
// go to `unpaired`.
std::map<std::uint64_t, const SeededRun*> by_seed(const std::vector<SeededRun>& runs, bool in_baseline,
                                                  std::vector<UnpairedRun>& unpaired) {
  std::map<std::uint64_t, const SeededRun*> out;
  for (const SeededRun& r : runs) {
    if (!r.seed) unpaired.push_back({r.dir, r.seed, in_baseline, "no seed"});
    else if (!out.emplace(*r.seed, &r).second)
      unpaired.push_back({r.dir, r.seed, in_baseline, "another run has this seed"});
  }
  return out;
}

std::optional<double> value_of(const SeededRun& run, const std::string& key) {
  const auto it = run.values.find(key);
  return it == run.values.end() ? std::nullopt : it->second;
}

std::vector<double> present(const std::vector<SeededRun>& runs, const std::string& key) {
  std::vector<double> out;
  for (const SeededRun& r : runs)
    if (const auto v = value_of(r, key)) out.push_back(*v);
  return out;
}

MetricDiff welch_diff(const std::vector<double>& a, const std::vector<double>& b) {
  MetricDiff d;
  d.n = static_cast<int>(a.size());
  d.n_baseline = static_cast<int>(b.size());
  const MeanStd sa = mean_std(a), sb = mean_std(b);
  d.diff = *sa.mean - *sb.mean;
  const auto w = welch_interval(a, b, kConfidence);
  d.method = w ? "welch" : "none";
  if (!w) return d;
  d.low = w->low;
  d.high = w->high;
  d.dof = w->dof;
  const double se = std::sqrt(*sa.std * *sa.std / sa.n + *sb.std * *sb.std / sb.n);
  d.p_value = se > 0 ? two_sided_p(d.diff / se, *w->dof) : (d.diff == 0 ? 1.0 : 0.0);
  return d;
}

}  // namespace

BaselineDiff diff_against_baseline(const std::vector<SeededRun>& group,
                                   const std::vector<SeededRun>& baseline, double resolve) {
  BaselineDiff out;
  std::vector<UnpairedRun> group_left, base_left;
  const auto mine = by_seed(group, false, group_left);
  const auto theirs = by_seed(baseline, true, base_left);
  std::vector<std::pair<const SeededRun*, const SeededRun*>> pairs;
  for (const auto& [seed, run] : mine) {
    const auto it = theirs.find(seed);
    if (it == theirs.end()) group_left.push_back({run->dir, seed, false, "no partner with this seed"});
    else pairs.emplace_back(run, it->second), out.paired_seeds.push_back(seed);
  }
  for (const auto& [seed, run] : theirs)
    if (!mine.count(seed)) base_left.push_back({run->dir, seed, true, "no partner with this seed"});
  out.paired = pairs.size() >= 2;
  if (out.paired) {
    out.unpaired = group_left;
    out.unpaired.insert(out.unpaired.end(), base_left.begin(), base_left.end());
  } else {
    out.paired_seeds.clear();  // Welch uses every run: nothing is left out
  }

  for (const std::string& key : diff_metrics()) {
    std::vector<double> a, b;  // the pairs where both runs have a value
    for (const auto& [g, base] : pairs) {
      const auto va = value_of(*g, key), vb = value_of(*base, key);
      if (va && vb) a.push_back(*va), b.push_back(*vb);
    }
    const auto p = out.paired ? paired_t(a, b, kConfidence) : std::nullopt;
    if (p) {
      MetricDiff& d = out.metrics[key];
      d.method = "paired";
      d.diff = p->diff;
      d.low = p->low;
      d.high = p->high;
      d.dof = p->dof;
      d.p_value = p->p_value;
      d.n = d.n_baseline = p->n;
      d.sd_diff = p->sd_diff;
      d.correlation = p->correlation;
    } else {
      const auto ga = present(group, key), gb = present(baseline, key);
      if (!ga.empty() && !gb.empty()) out.metrics[key] = welch_diff(ga, gb);
    }
  }

  const auto acc = out.metrics.find("test_accuracy");
  if (acc != out.metrics.end() && acc->second.method == "paired") {
    SeedsNeeded s;
    s.resolve = resolve;
    s.confidence = kConfidence;
    s.have = acc->second.n;
    s.seeds = seeds_needed(resolve, *acc->second.sd_diff, 1.0 - kConfidence, s.power);
    out.seeds_needed = s;
  }
  return out;
}

}  // namespace mixprec
