#include "sweep/compare.hpp"

#include <algorithm>
#include <tuple>

#include "common/error.hpp"
#include "precision/precision.hpp"
#include "sweep/group_name.hpp"

namespace mixprec {

using nlohmann::json;

const std::vector<MetricSpec>& compare_metrics() {
  static const std::vector<MetricSpec> specs = {
      {"median_epoch_s", "/time/median_epoch_s"},
      {"samples_per_s", "/time/median_samples_per_s"},
      {"peak_rss_bytes", "/memory/measured/peak_rss_bytes"},
      {"training_memory_bytes", "/memory/accounted/training_total_bytes"},
      {"inference_weight_bytes", "/memory/accounted/inference_weight_bytes"},
      {"train_accuracy", "/final/train/accuracy"},
      {"test_accuracy", "/final/test/accuracy"},
      {"train_loss", "/final/train/loss"},
      {"test_loss", "/final/test/loss"},
      {"skipped_steps", "/skipped_steps"},
      {"loss_scale_final", "/loss_scale_final"},
  };
  return specs;
}

namespace {

// Keys that say nothing about what was run: the seed is what the groups average over,
// the name only labels the folder.
bool is_bookkeeping(const std::string& key) { return key == "seed" || key == "name"; }

// The remedy keys, which the group's name shows instead of its label's key=value list.
bool shown_in_name(const std::string& key) {
  for (const Remedy& r : remedies())
    if (r.key == key) return true;
  return false;
}

void flatten_into(const json& j, const std::string& prefix, std::map<std::string, json>& out) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) flatten_into(v, prefix.empty() ? k : prefix + "." + k, out);
  } else {
    out[prefix] = j;
  }
}

int precision_rank(const std::string& name) {
  const auto& all = all_precisions();
  for (std::size_t i = 0; i < all.size(); ++i)
    if (to_string(all[i]) == name) return static_cast<int>(i);
  return static_cast<int>(all.size());
}

// The format a run's products read its weights in, as its summary.json names it. Runs
// written before summaries named their formats get the mode table's (their mode's row has
// not changed since); a mode this build does not know is named as it is.
std::string weight_format(const RunInfo& run, const std::string& precision) {
  const json formats = run.summary.is_object() ? run.summary.value("formats", json(nullptr)) : json(nullptr);
  if (formats.is_object() && formats.contains("weight") && formats["weight"].is_string())
    return formats["weight"].get<std::string>();
  try {
    return to_string(policy_for(parse_precision(precision)).format(TensorRole::kWeight));
  } catch (const UserError&) {
    return precision;
  }
}

struct Member {
  const RunInfo* run;
  std::map<std::string, json> settings;  // flattened config without bookkeeping keys
};

}  // namespace

std::map<std::string, json> flatten_config(const json& config) {
  std::map<std::string, json> out;
  flatten_into(config, "", out);
  return out;
}

Comparison compare_runs(const std::vector<RunInfo>& runs, const std::string& baseline, double resolve) {
  Comparison cmp;
  cmp.baseline = to_string(parse_precision(baseline, "--baseline"));

  std::vector<Member> members;
  for (const RunInfo& run : runs) {
    if (run.status == "untrained" && run.summary.is_object() && run.summary.contains("reason") &&
        run.summary["reason"].is_string()) {
      // Its accuracy is that of the initial weights: listed with the cause, never averaged.
      cmp.skipped.push_back({run.dir.string(), "untrained: " + run.summary["reason"].get<std::string>()});
    } else if (run.status != "completed") {
      cmp.skipped.push_back({run.dir.string(), run.status});
    } else if (!run.config.is_object() || !run.summary.is_object()) {
      cmp.skipped.push_back({run.dir.string(), "completed, but config.json is missing or unreadable"});
    } else {
      Member m{&run, flatten_config(run.config)};
      for (auto it = m.settings.begin(); it != m.settings.end();)
        it = is_bookkeeping(it->first) ? m.settings.erase(it) : std::next(it);
      fill_absent_remedies(m.settings);
      if (!m.settings.count("precision") || !m.settings["precision"].is_string())
        cmp.skipped.push_back({run.dir.string(), "completed, but config.json has no precision"});
      else
        members.push_back(std::move(m));
    }
  }

  // The keys whose values differ between runs (precision apart: it leads every label).
  std::map<std::string, std::vector<json>> seen_values;
  for (const Member& m : members)
    for (const auto& [k, v] : m.settings) {
      auto& values = seen_values[k];
      if (std::find(values.begin(), values.end(), v) == values.end()) values.push_back(v);
    }
  for (const auto& [k, values] : seen_values) {
    bool everywhere = true;
    for (const Member& m : members) everywhere = everywhere && m.settings.count(k);
    if (k != "precision" && (values.size() > 1 || !everywhere)) cmp.varying_keys.push_back(k);
  }

  // Group by the full settings; order: first appearance of the settings the name does not
  // show, then the precisions in their canonical order, then the remedies.
  std::vector<std::map<std::string, json>> group_settings;
  std::vector<std::string> others_order;  // dump of the settings without precision and remedies
  auto others_of = [](std::map<std::string, json> s) {
    s.erase("precision");
    for (const Remedy& r : remedies()) s.erase(r.key);
    return json(s).dump();
  };
  for (const Member& m : members) {
    auto it = std::find(group_settings.begin(), group_settings.end(), m.settings);
    const std::size_t g = it - group_settings.begin();
    if (it == group_settings.end()) {
      group_settings.push_back(m.settings);
      cmp.groups.emplace_back();
      CompareGroup& group = cmp.groups.back();
      group.precision = m.settings.at("precision").get<std::string>();
      group.name = group_name(m.settings);
      for (const std::string& k : cmp.varying_keys)
        group.settings[k] = m.settings.count(k) ? m.settings.at(k) : json(nullptr);
      const std::string others = others_of(m.settings);
      if (std::find(others_order.begin(), others_order.end(), others) == others_order.end())
        others_order.push_back(others);
    }
    CompareGroup& group = cmp.groups[g];
    group.runs.push_back(m.run->dir.string());
    const std::string path = m.run->summary.value("matmul_path", "");
    group.matmul_path = group.matmul_path.empty() || group.matmul_path == path ? path : "mixed";
    if (group.weight_format.empty()) group.weight_format = weight_format(*m.run, group.precision);
    SeededRun& seeded = group.seeded_runs.emplace_back();
    seeded.dir = m.run->dir.string();
    const json seed = m.run->config.value("seed", json(nullptr));
    if (seed.is_number_unsigned()) seeded.seed = seed.get<std::uint64_t>();
    for (const MetricSpec& spec : compare_metrics()) {
      const json::json_pointer ptr(spec.summary_path);
      if (m.run->summary.contains(ptr) && m.run->summary.at(ptr).is_number()) {
        group.values[spec.key].push_back(m.run->summary.at(ptr).get<double>());
        seeded.values[spec.key] = m.run->summary.at(ptr).get<double>();
      } else {
        group.values[spec.key];  // a null (non-finite) value is left out of the mean
        seeded.values[spec.key] = std::nullopt;
      }
    }
  }

  std::vector<std::string> emulated_formats;
  for (std::size_t g = 0; g < cmp.groups.size(); ++g) {
    CompareGroup& group = cmp.groups[g];
    for (const MetricSpec& spec : compare_metrics())
      group.metrics[spec.key] = mean_std(group.values[spec.key]);
    const bool emulated = group.matmul_path == "emulated" || group.matmul_path == "mixed";
    group.label = group.name + (emulated ? "*" : "");
    for (const auto& [k, v] : group.settings.items())
      if (!shown_in_name(k))
        group.label += " " + k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
    if (emulated) {
      const std::string& format = group.weight_format;
      if (std::find(emulated_formats.begin(), emulated_formats.end(), format) == emulated_formats.end())
        emulated_formats.push_back(format);
    }
  }
  for (const std::string& format : emulated_formats)
    cmp.footnotes.push_back("* emulated: " + format + " matmuls converted to fp32 on this CPU");

  // Baselines: the group of the baseline precision with otherwise equal settings and no
  // remedy, so that bf16-true+sr is measured against fp32 (which takes no remedy) and,
  // with --baseline bf16-true, against what the remedy changed.
  for (std::size_t g = 0; g < cmp.groups.size(); ++g) {
    std::map<std::string, json> wanted = group_settings[g];
    wanted["precision"] = cmp.baseline;
    for (const Remedy& r : remedies()) wanted[r.key] = r.off;
    const auto it = std::find(group_settings.begin(), group_settings.end(), wanted);
    if (it == group_settings.end()) continue;
    CompareGroup& group = cmp.groups[g];
    const CompareGroup& base = cmp.groups[it - group_settings.begin()];
    group.is_baseline = (&group == &base);
    group.baseline_label = base.label;
    const auto& rate = group.metrics["samples_per_s"];
    const auto& base_rate = base.metrics.at("samples_per_s");
    if (rate.mean && base_rate.mean && *base_rate.mean > 0) group.speedup = *rate.mean / *base_rate.mean;
    const auto& acc = group.metrics["test_accuracy"];
    const auto& base_acc = base.metrics.at("test_accuracy");
    if (!group.is_baseline && acc.mean && base_acc.mean) {
      group.test_accuracy_diff = *acc.mean - *base_acc.mean;
      group.test_accuracy_ci = welch_interval(group.values["test_accuracy"], base.values.at("test_accuracy"));
    }
    if (!group.is_baseline) group.vs_baseline = diff_against_baseline(group.seeded_runs, base.seeded_runs, resolve);
  }

  // Report order: settings first seen first, precisions in canonical order within, each
  // precision plain and then with its remedies.
  std::vector<std::size_t> order(cmp.groups.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  auto rank = [&](std::size_t g) {
    const std::string others = others_of(group_settings[g]);
    const auto pos = std::find(others_order.begin(), others_order.end(), others) - others_order.begin();
    return std::tuple(pos, precision_rank(cmp.groups[g].precision),
                      remedy_order(group_settings[g]));
  };
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return rank(a) < rank(b); });
  std::vector<CompareGroup> sorted;
  for (std::size_t g : order) sorted.push_back(std::move(cmp.groups[g]));
  cmp.groups = std::move(sorted);
  return cmp;
}

}  // namespace mixprec
