#include "sweep/baseline_diff_format.hpp"

#include <fmt/format.h>

namespace mixprec {

using nlohmann::json;

namespace {

json opt(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

// How each compared metric reads: its label, the factor to the shown unit, decimals.
struct Shown {
  const char* label;
  double scale;
  int decimals;
};

Shown shown(const std::string& key) {
  if (key == "test_accuracy") return {"test acc pts", 100, 2};
  if (key == "train_loss") return {"train loss", 1, 4};
  if (key == "test_loss") return {"test loss", 1, 4};
  return {"samples/s", 1, 0};
}

std::string interval(const MetricDiff& d, const Shown& s) {
  std::string out = fmt::format("{:+.{}f}", d.diff * s.scale, s.decimals);
  if (d.low && d.high)
    out += fmt::format(" [{:+.{}f}, {:+.{}f}]", *d.low * s.scale, s.decimals, *d.high * s.scale, s.decimals);
  return out;
}

std::string seed_text(const std::optional<std::uint64_t>& seed) {
  return seed ? fmt::format("seed {}", *seed) : std::string("no seed");
}

}  // namespace

json baseline_diff_json(const BaselineDiff& d) {
  json metrics = json::object();
  for (const auto& [key, m] : d.metrics)
    metrics[key] = {{"method", m.method},     {"diff", m.diff},         {"ci95_low", opt(m.low)},
                    {"ci95_high", opt(m.high)}, {"dof", opt(m.dof)},     {"p_value", opt(m.p_value)},
                    {"n", m.n},               {"n_baseline", m.n_baseline}, {"sd_diff", opt(m.sd_diff)},
                    {"correlation", opt(m.correlation)}};
  json unpaired = json::array();
  for (const UnpairedRun& u : d.unpaired)
    unpaired.push_back({{"run_dir", u.dir},
                        {"seed", u.seed ? json(*u.seed) : json(nullptr)},
                        {"side", u.in_baseline ? "baseline" : "group"},
                        {"reason", u.reason}});
  json seeds = nullptr;
  if (d.seeds_needed) {
    const SeedsNeeded& s = *d.seeds_needed;
    seeds = {{"metric", "test_accuracy"}, {"resolve", s.resolve},  {"confidence", s.confidence},
             {"power", s.power},          {"seeds", s.seeds ? json(*s.seeds) : json(nullptr)},
             {"have", s.have}};
  }
  return {{"method", d.paired ? "paired" : "welch"},
          {"paired_seeds", d.paired_seeds},
          {"unpaired", unpaired},
          {"metrics", metrics},
          {"seeds_needed", seeds}};
}

std::string accuracy_diff_cell(const MetricDiff& d) { return interval(d, shown("test_accuracy")); }

std::string method_cell(const MetricDiff& d) {
  if (d.method == "paired")
    return d.correlation ? fmt::format("paired {}, r={:.2f}", d.n, *d.correlation) : fmt::format("paired {}", d.n);
  return d.method == "welch" ? "Welch" : "n<2";
}

std::vector<std::pair<int, std::string>> baseline_diff_notes(const Comparison& cmp) {
  std::vector<std::pair<int, std::string>> lines;
  for (const CompareGroup& g : cmp.groups) {
    if (!g.vs_baseline) continue;
    const BaselineDiff& d = *g.vs_baseline;
    if (lines.empty())
      lines.push_back({0, fmt::format("Δ vs {}, 95% interval and two-sided p: paired t on the per-seed "
                                      "differences where runs share a seed, else Welch", cmp.baseline)});
    lines.push_back({1, g.label + (d.paired ? fmt::format(": paired by seed ({} pairs)", d.paired_seeds.size())
                                             : ": no shared seeds, Welch (runs independent)")});
    for (const std::string& key : diff_metrics()) {
      const auto it = d.metrics.find(key);
      if (it == d.metrics.end()) continue;
      const MetricDiff& m = it->second;
      std::string line = fmt::format("{}: {}", shown(key).label, interval(m, shown(key)));
      if (m.p_value) line += fmt::format(" p={:.2g}", *m.p_value);
      line += " (" + method_cell(m) + ")";
      // The interval alone: with every run paired the difference is the same number, and
      // printing it twice invites reading a rounding tie (-0.15 / -0.16) as a difference.
      if (key == "test_accuracy" && m.method == "paired" && g.test_accuracy_ci)
        line += fmt::format("; Welch, ignoring the pairing: [{:+.2f}, {:+.2f}]", 100 * g.test_accuracy_ci->low,
                            100 * g.test_accuracy_ci->high);
      lines.push_back({2, line});
    }
    for (const UnpairedRun& u : d.unpaired)
      lines.push_back({2, fmt::format("unpaired: {} ({}, {}): {}", u.dir,
                                      u.in_baseline ? *g.baseline_label : g.label, seed_text(u.seed), u.reason)});
  }
  bool any_seeds = false;
  for (const CompareGroup& g : cmp.groups) {
    if (!g.vs_baseline || !g.vs_baseline->seeds_needed) continue;
    const SeedsNeeded& s = *g.vs_baseline->seeds_needed;
    const std::string n = s.seeds ? fmt::format("~{}", *s.seeds) : std::string("more than 1000000");
    lines.push_back({0, fmt::format("to resolve +-{:g} pts between {} and {}: {} seeds (you have {})",
                                    100 * s.resolve, g.label, *g.baseline_label, n, s.have)});
    any_seeds = true;
  }
  if (any_seeds)
    lines.push_back({0, "(seeds: a paired t-test at 95% confidence with 80% power, given the spread of the "
                        "per-seed differences in test accuracy seen here)"});
  return lines;
}

std::vector<std::string> baseline_diff_csv_header() {
  std::vector<std::string> out = {"vs_baseline_method"};
  for (const std::string& key : diff_metrics())
    for (const char* field : {"method", "diff", "ci95_low", "ci95_high", "p_value", "n", "correlation"})
      out.push_back(key + "_vs_baseline_" + field);
  out.push_back("seeds_needed");
  out.push_back("seeds_needed_resolve");
  return out;
}

std::vector<std::string> baseline_diff_csv_fields(const CompareGroup& g) {
  auto number = [](const std::optional<double>& v) { return v ? fmt::format("{}", *v) : std::string(); };
  std::vector<std::string> out;
  const std::optional<BaselineDiff>& d = g.vs_baseline;
  out.push_back(d ? (d->paired ? "paired" : "welch") : "");
  for (const std::string& key : diff_metrics()) {
    const MetricDiff* m = nullptr;
    if (d && d->metrics.count(key)) m = &d->metrics.at(key);
    if (!m) {
      out.insert(out.end(), 7, "");
      continue;
    }
    out.insert(out.end(), {m->method, number(m->diff), number(m->low), number(m->high), number(m->p_value),
                           std::to_string(m->n), number(m->correlation)});
  }
  const bool seeds = d && d->seeds_needed;
  out.push_back(seeds && d->seeds_needed->seeds ? std::to_string(*d->seeds_needed->seeds) : "");
  out.push_back(seeds ? number(d->seeds_needed->resolve) : "");
  return out;
}

}  // namespace mixprec
