#include "sweep/compare_format.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "common/error.hpp"
#include "sweep/baseline_diff_format.hpp"

namespace mixprec {

using nlohmann::json;

CompareFormat parse_compare_format(const std::string& name) {
  if (name == "table") return CompareFormat::kTable;
  if (name == "markdown" || name == "md") return CompareFormat::kMarkdown;
  if (name == "csv") return CompareFormat::kCsv;
  if (name == "json") return CompareFormat::kJson;
  fail("--format {}: expected table, markdown, csv or json", name);
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

namespace {

json opt(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

json diff_json(const CompareGroup& g) {
  if (!g.test_accuracy_diff) return nullptr;
  const auto& w = g.test_accuracy_ci;
  return {{"diff", *g.test_accuracy_diff},
          {"ci95_low", w ? json(w->low) : json(nullptr)},
          {"ci95_high", w ? json(w->high) : json(nullptr)},
          {"dof", w ? opt(w->dof) : json(nullptr)}};
}

// ---- table and markdown: rounded for reading ----

const double kMiB = 1024.0 * 1024.0;

std::string num(const std::optional<double>& v, int decimals, double scale = 1.0) {
  return v ? fmt::format("{:.{}f}", *v * scale, decimals) : "-";
}

std::string mean_pm_std(const MeanStd& s, int decimals, double scale = 1.0) {
  if (!s.mean) return "-";
  if (!s.std) return num(s.mean, decimals, scale);
  return num(s.mean, decimals, scale) + " ± " + num(s.std, decimals, scale);
}

std::string diff_cell(const CompareGroup& g) {
  if (g.is_baseline) return "baseline";
  if (!g.baseline_label) return "no baseline";
  if (!g.test_accuracy_diff) return "-";
  if (g.vs_baseline && g.vs_baseline->metrics.count("test_accuracy"))  // paired where possible
    return accuracy_diff_cell(g.vs_baseline->metrics.at("test_accuracy"));
  // A group of one run has no variance: the difference alone, without an interval.
  if (!g.test_accuracy_ci) return fmt::format("{:+.2f} (n<2)", 100 * *g.test_accuracy_diff);
  const WelchInterval& w = *g.test_accuracy_ci;
  return fmt::format("{:+.2f} [{:+.2f}, {:+.2f}]", 100 * w.diff, 100 * w.low, 100 * w.high);
}

const MetricDiff* test_accuracy_vs_baseline(const CompareGroup& g) {
  if (!g.vs_baseline || !g.vs_baseline->metrics.count("test_accuracy")) return nullptr;
  return &g.vs_baseline->metrics.at("test_accuracy");
}

std::string test_accuracy_p_cell(const CompareGroup& g) {
  const MetricDiff* d = test_accuracy_vs_baseline(g);
  return d && d->p_value ? fmt::format("{:.2g}", *d->p_value) : "";
}

std::string test_accuracy_method_cell(const CompareGroup& g) {
  const MetricDiff* d = test_accuracy_vs_baseline(g);
  return d ? method_cell(*d) : "";
}

struct Column {
  std::string header;
  bool right;  // numbers align right
};

std::vector<Column> table_columns() {
  return {{"group", false},           {"n", true},
          {"epoch s", true},          {"samples/s", true},
          {"speed-up", true},         {"peak RSS MiB", true},
          {"train mem MiB", true},    {"infer weights MiB", true},
          {"train acc %", true},      {"test acc %", true},
          {"Δ test acc pts [95% CI]", true}, {"p", true}, {"method", false},
          {"skipped steps", true},
          {"loss scale", true}};
}

std::vector<std::vector<std::string>> table_rows(const Comparison& cmp) {
  std::vector<std::vector<std::string>> rows;
  for (const CompareGroup& g : cmp.groups) {
    const auto& m = g.metrics;
    rows.push_back({g.label,
                    std::to_string(g.runs.size()),
                    mean_pm_std(m.at("median_epoch_s"), 3),
                    mean_pm_std(m.at("samples_per_s"), 0),
                    g.speedup ? fmt::format("{:.2f}x", *g.speedup) : "-",
                    mean_pm_std(m.at("peak_rss_bytes"), 1, 1 / kMiB),
                    num(m.at("training_memory_bytes").mean, 2, 1 / kMiB),
                    num(m.at("inference_weight_bytes").mean, 2, 1 / kMiB),
                    mean_pm_std(m.at("train_accuracy"), 2, 100),
                    mean_pm_std(m.at("test_accuracy"), 2, 100),
                    diff_cell(g),
                    test_accuracy_p_cell(g),
                    test_accuracy_method_cell(g),
                    num(m.at("skipped_steps").mean, 1),
                    num(m.at("loss_scale_final").mean, 0)});
  }
  return rows;
}

// Display width: count code points, not bytes (± and Δ are two bytes in UTF-8).
std::size_t width(const std::string& s) {
  std::size_t w = 0;
  for (unsigned char c : s) w += (c & 0xC0) != 0x80;
  return w;
}

std::string pad(const std::string& s, std::size_t w, bool right) {
  const std::string fill(w > width(s) ? w - width(s) : 0, ' ');
  return right ? fill + s : s + fill;
}

std::string notes(const Comparison& cmp, const std::string& bullet) {
  std::string out;
  for (const std::string& f : cmp.footnotes) out += bullet + f + "\n";
  if (!cmp.groups.empty()) {
    out += bullet + fmt::format("mean ± sample std over seeds; speed-up = mean samples/s / the {} "
                                "group's; Δ test acc = minus the {} group's, 95% interval by the method "
                                "shown (paired by seed, else Welch)\n",
                                cmp.baseline, cmp.baseline);
  }
  for (const auto& [depth, text] : baseline_diff_notes(cmp))
    out += std::string(2 * depth, ' ') + bullet + text + "\n";
  for (const SkippedRun& s : cmp.skipped) out += bullet + "skipped " + s.dir + " (" + s.status + ")\n";
  return out;
}

std::string render_table(const Comparison& cmp) {
  const auto columns = table_columns();
  const auto rows = table_rows(cmp);
  std::vector<std::size_t> w(columns.size());
  for (std::size_t c = 0; c < columns.size(); ++c) {
    w[c] = width(columns[c].header);
    for (const auto& row : rows) w[c] = std::max(w[c], width(row[c]));
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (std::size_t c = 0; c < cells.size(); ++c)
      out += (c ? "  " : "") + pad(cells[c], w[c], columns[c].right);
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::vector<std::string> headers;
  for (const Column& c : columns) headers.push_back(c.header);
  std::string out = line(headers);
  std::size_t total = 0;
  for (std::size_t c = 0; c < w.size(); ++c) total += w[c] + (c ? 2 : 0);
  out += std::string(total, '-') + "\n";
  for (const auto& row : rows) out += line(row);
  if (rows.empty()) out += "(no completed runs)\n";
  return out + notes(cmp, "");
}

std::string render_markdown(const Comparison& cmp) {
  const auto columns = table_columns();
  std::string out = "|";
  for (const Column& c : columns) out += " " + c.header + " |";
  out += "\n|";
  for (const Column& c : columns) out += c.right ? "---:|" : "---|";
  out += "\n";
  for (auto row : table_rows(cmp)) {
    out += "|";
    for (std::string& cell : row) {
      std::string escaped;  // a '|' inside a cell would split it
      for (char ch : cell) escaped += ch == '|' ? std::string("\\|") : std::string(1, ch);
      out += " " + escaped + " |";
    }
    out += "\n";
  }
  const std::string n = notes(cmp, "- ");
  return n.empty() ? out : out + "\n" + n;
}

std::string render_csv(const Comparison& cmp) {
  std::vector<std::string> header = {"label", "name", "precision", "settings", "matmul_path", "n"};
  for (const MetricSpec& spec : compare_metrics()) {
    header.push_back(std::string(spec.key) + "_mean");
    header.push_back(std::string(spec.key) + "_std");
  }
  for (const char* h : {"is_baseline", "baseline", "speedup_vs_baseline", "test_accuracy_diff",
                        "test_accuracy_diff_ci95_low", "test_accuracy_diff_ci95_high",
                        "test_accuracy_diff_dof"})
    header.push_back(h);
  for (const std::string& h : baseline_diff_csv_header()) header.push_back(h);
  auto number = [](const std::optional<double>& v) { return v ? fmt::format("{}", *v) : std::string(); };
  auto join = [](const std::vector<std::string>& fields) {
    std::string line;
    for (std::size_t i = 0; i < fields.size(); ++i) {
      // Two appends, not "," + temporary: GCC 12 warns falsely on the latter (-Wrestrict,
      // GCC bug 105329).
      if (i) line += ',';
      line += csv_field(fields[i]);
    }
    return line + "\n";
  };
  std::string out = join(header);
  for (const CompareGroup& g : cmp.groups) {
    std::string settings;
    for (const auto& [k, v] : g.settings.items())
      settings += (settings.empty() ? "" : " ") + k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
    std::vector<std::string> row = {g.label, g.name, g.precision, settings, g.matmul_path,
                                    std::to_string(g.runs.size())};
    for (const MetricSpec& spec : compare_metrics()) {
      row.push_back(number(g.metrics.at(spec.key).mean));
      row.push_back(number(g.metrics.at(spec.key).std));
    }
    const auto& w = g.test_accuracy_ci;
    row.push_back(g.is_baseline ? "true" : "false");
    row.push_back(g.baseline_label.value_or(""));
    row.push_back(number(g.speedup));
    row.push_back(number(g.test_accuracy_diff));
    row.push_back(w ? number(w->low) : "");
    row.push_back(w ? number(w->high) : "");
    row.push_back(w ? number(w->dof) : "");
    for (std::string& field : baseline_diff_csv_fields(g)) row.push_back(std::move(field));
    out += join(row);
  }
  return out;
}

}  // namespace

json comparison_json(const Comparison& cmp) {
  json groups = json::array();
  for (const CompareGroup& g : cmp.groups) {
    json metrics = json::object();
    for (const MetricSpec& spec : compare_metrics()) {
      const MeanStd& s = g.metrics.at(spec.key);
      metrics[spec.key] = {{"mean", opt(s.mean)}, {"std", opt(s.std)}, {"n", s.n},
                           {"values", g.values.at(spec.key)}};
    }
    groups.push_back({
        {"label", g.label},
        {"name", g.name},
        {"precision", g.precision},
        {"settings", g.settings},
        {"matmul_path", g.matmul_path},
        {"n", g.runs.size()},
        {"runs", g.runs},
        {"is_baseline", g.is_baseline},
        {"baseline", g.baseline_label ? json(*g.baseline_label) : json(nullptr)},
        {"metrics", metrics},
        {"speedup_vs_baseline", opt(g.speedup)},
        {"test_accuracy_diff_vs_baseline", diff_json(g)},
        {"vs_baseline", g.vs_baseline ? baseline_diff_json(*g.vs_baseline) : json(nullptr)},
    });
  }
  json skipped = json::array();
  for (const SkippedRun& s : cmp.skipped) skipped.push_back({{"run_dir", s.dir}, {"status", s.status}});
  return json{{"format", "mixprec-compare/1"},
              {"baseline", cmp.baseline},
              {"varying_keys", cmp.varying_keys},
              {"groups", groups},
              {"skipped", skipped},
              {"footnotes", cmp.footnotes}};
}

std::string format_comparison(const Comparison& cmp, CompareFormat format) {
  switch (format) {
    case CompareFormat::kTable: return render_table(cmp);
    case CompareFormat::kMarkdown: return render_markdown(cmp);
    case CompareFormat::kCsv: return render_csv(cmp);
    case CompareFormat::kJson: return comparison_json(cmp).dump(2) + "\n";
  }
  return "";
}

}  // namespace mixprec
