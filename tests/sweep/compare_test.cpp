// compare on run folders written here with known numbers: grouping, mean and sample std,
// speed-up, the Welch interval, skipped runs, emulated marks, and the CSV/JSON outputs.
#include "sweep/compare.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <sstream>
#include <fstream>

#include "common/error.hpp"
#include "config/config_loader.hpp"
#include "support/temp_dir.hpp"
#include "sweep/compare_format.hpp"

namespace mixprec {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct Fixture {
  std::string precision;
  int seed;
  std::vector<int> hidden;
  double samples_per_s;
  double test_accuracy;
  std::string matmul_path = "native";
};

// `edit` changes the config.json that to_json(Config) writes (a remedy, or an old run's keys).
void write_run(const fs::path& dir, const Fixture& f, const std::function<void(json&)>& edit = {}) {
  fs::create_directories(dir);
  Config c;
  c.name = "run-" + std::to_string(f.seed);  // differs per run, must not split groups
  c.precision = parse_precision(f.precision);
  c.seed = f.seed;
  c.model.hidden = f.hidden;
  c.data.dir = "/data";
  json config = to_json(c);
  if (edit) edit(config);
  std::ofstream(dir / "config.json") << config.dump(2);
  const json summary = {
      {"status", "completed"},
      {"precision", f.precision},
      {"matmul_path", f.matmul_path},
      {"final", {{"train", {{"accuracy", f.test_accuracy + 0.01}}}, {"test", {{"accuracy", f.test_accuracy}}}}},
      {"time", {{"median_epoch_s", 1000.0 / f.samples_per_s}, {"median_samples_per_s", f.samples_per_s}}},
      {"memory",
       {{"accounted", {{"training_total_bytes", 4000 * f.hidden[0]}, {"inference_weight_bytes", 1000 * f.hidden[0]}}},
        {"measured", {{"peak_rss_bytes", 50e6 + f.seed * 1e6}}}}},
      {"skipped_steps", f.seed},
      {"loss_scale_final", f.precision == "fp16-mixed" ? 32768.0 : 1.0},
  };
  std::ofstream(dir / "summary.json") << summary.dump(2);
}

// fp32 and bf16-mixed at hidden [64], three seeds each; fp16-mixed (emulated) at
// [32,16], two seeds, with no fp32 partner; plus a diverged and a crashed run.
class CompareTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const double fp32_acc[] = {0.86, 0.88, 0.90}, bf16_acc[] = {0.90, 0.92, 0.94};
    const double fp32_rate[] = {1000, 1100, 1200}, bf16_rate[] = {2000, 2200, 2400};
    for (int s = 0; s < 3; ++s) {
      write_run(tmp_.path() / ("fp32-" + std::to_string(s)), {"fp32", s, {64}, fp32_rate[s], fp32_acc[s]});
      write_run(tmp_.path() / ("bf16-" + std::to_string(s)), {"bf16-mixed", s, {64}, bf16_rate[s], bf16_acc[s]});
    }
    for (int s = 0; s < 2; ++s)
      write_run(tmp_.path() / ("fp16-" + std::to_string(s)),
                {"fp16-mixed", s, {32, 16}, 500.0 + 100 * s, 0.8, "emulated"});
    fs::create_directories(tmp_.path() / "diverged");
    std::ofstream(tmp_.path() / "diverged" / "summary.json") << R"({"status": "diverged"})";
    fs::create_directories(tmp_.path() / "crashed");
    std::ofstream(tmp_.path() / "crashed" / "config.json") << "{}";
  }

  Comparison compare(const std::string& baseline = "fp32") {
    return compare_runs(collect_runs({tmp_.path().string()}), baseline);
  }

  const CompareGroup& group(const Comparison& c, const std::string& precision) {
    for (const CompareGroup& g : c.groups)
      if (g.precision == precision) return g;
    throw std::runtime_error("no group " + precision);
  }

  testing::TempDir tmp_;
};

TEST_F(CompareTest, GroupsBySettingsExceptSeedAndName) {
  const Comparison c = compare();
  ASSERT_EQ(c.groups.size(), 3u);
  EXPECT_EQ(c.varying_keys, (std::vector<std::string>{"model.hidden"}));
  // Order: settings in first-seen order (bf16 comes first in the folder listing), fp32 first within.
  EXPECT_EQ(c.groups[0].label, "fp32 model.hidden=[64]");
  EXPECT_EQ(c.groups[1].label, "bf16-mixed model.hidden=[64]");
  EXPECT_EQ(c.groups[2].label, "fp16-mixed* model.hidden=[32,16]");
  EXPECT_EQ(c.groups[0].runs.size(), 3u);
  EXPECT_EQ(c.groups[2].runs.size(), 2u);
  EXPECT_EQ(c.footnotes, (std::vector<std::string>{"* emulated: fp16 matmuls converted to fp32 on this CPU"}));
  ASSERT_EQ(c.skipped.size(), 2u);
  EXPECT_EQ(c.skipped[0].status, "failed");  // crashed: no summary.json
  EXPECT_EQ(c.skipped[1].status, "diverged");
}

TEST_F(CompareTest, MeansStdsAndSpeedup) {
  const Comparison c = compare();
  const CompareGroup& fp32 = group(c, "fp32");
  const CompareGroup& bf16 = group(c, "bf16-mixed");
  // Hand-computed: fp32 rates {1000,1100,1200} mean 1100 std 100; bf16 {2000,2200,2400}
  // mean 2200 std 200; speed-up 2200/1100 = 2. Exact in binary up to rounding (1e-12).
  EXPECT_NEAR(*fp32.metrics.at("samples_per_s").mean, 1100, 1e-9);
  EXPECT_NEAR(*fp32.metrics.at("samples_per_s").std, 100, 1e-9);
  EXPECT_NEAR(*bf16.metrics.at("samples_per_s").std, 200, 1e-9);
  EXPECT_NEAR(*bf16.speedup, 2.0, 1e-12);
  EXPECT_NEAR(*fp32.speedup, 1.0, 1e-12);
  EXPECT_TRUE(fp32.is_baseline);
  EXPECT_FALSE(fp32.test_accuracy_diff);
  // peak RSS 50e6 + seed*1e6: mean 51e6, std 1e6; skipped steps = seed: mean 1, std 1.
  EXPECT_NEAR(*fp32.metrics.at("peak_rss_bytes").mean, 51e6, 1e-3);
  EXPECT_NEAR(*fp32.metrics.at("peak_rss_bytes").std, 1e6, 1e-3);
  EXPECT_NEAR(*fp32.metrics.at("skipped_steps").mean, 1.0, 1e-12);
  EXPECT_EQ(*fp32.metrics.at("training_memory_bytes").mean, 256000);
  EXPECT_EQ(*fp32.metrics.at("training_memory_bytes").std, 0);
  EXPECT_NEAR(*bf16.metrics.at("train_accuracy").mean, 0.93, 1e-12);
}

TEST_F(CompareTest, WelchIntervalOnTestAccuracy) {
  const Comparison c = compare();
  const CompareGroup& bf16 = group(c, "bf16-mixed");
  // bf16 {0.90,0.92,0.94} vs fp32 {0.86,0.88,0.90}: diff 0.04, equal s^2 = 4e-4, dof 4,
  // half-width t_{0.975,4} * sqrt(2 * 4e-4 / 3) = 2.776445 * 0.016329932 (table, 6 decimals).
  ASSERT_TRUE(bf16.test_accuracy_diff && bf16.test_accuracy_ci && bf16.test_accuracy_ci->dof);
  EXPECT_NEAR(*bf16.test_accuracy_diff, 0.04, 1e-12);
  EXPECT_NEAR(*bf16.test_accuracy_ci->dof, 4.0, 1e-9);
  EXPECT_NEAR(bf16.test_accuracy_ci->low, 0.04 - 2.776445 * std::sqrt(8e-4 / 3), 1e-8);
  EXPECT_NEAR(bf16.test_accuracy_ci->high, 0.04 + 2.776445 * std::sqrt(8e-4 / 3), 1e-8);
  // fp16-mixed at [32,16] has no fp32 partner with the same settings.
  const CompareGroup& fp16 = group(c, "fp16-mixed");
  EXPECT_FALSE(fp16.baseline_label);
  EXPECT_FALSE(fp16.speedup);
  EXPECT_FALSE(fp16.test_accuracy_diff);
}

TEST_F(CompareTest, OtherBaseline) {
  const Comparison c = compare("bf16");
  EXPECT_EQ(c.baseline, "bf16-mixed");
  EXPECT_NEAR(*group(c, "fp32").speedup, 0.5, 1e-12);
  EXPECT_NEAR(*group(c, "fp32").test_accuracy_diff, -0.04, 1e-12);
  EXPECT_THROW(compare("fp12"), UserError);
}

// A small RFC 4180 reader: fields split on commas outside double quotes, "" is a quote.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    if (quoted) {
      if (ch == '"' && i + 1 < text.size() && text[i + 1] == '"') field += text[++i];
      else if (ch == '"') quoted = false;
      else field += ch;
    } else if (ch == '"') {
      quoted = true;
    } else if (ch == ',') {
      rows.back().push_back(field);
      field.clear();
    } else if (ch == '\n') {
      rows.back().push_back(field);
      field.clear();
      rows.emplace_back();
    } else {
      field += ch;
    }
  }
  EXPECT_FALSE(quoted) << "unterminated quote";
  if (rows.back().empty() && field.empty()) rows.pop_back();
  return rows;
}

TEST_F(CompareTest, CsvHasOneRowPerGroupAndEqualFieldCounts) {
  const auto rows = parse_csv(format_comparison(compare(), CompareFormat::kCsv));
  ASSERT_EQ(rows.size(), 4u);  // header + 3 groups
  for (const auto& row : rows) EXPECT_EQ(row.size(), rows[0].size());
  EXPECT_EQ(rows[0][0], "label");
  EXPECT_EQ(rows[3][0], "fp16-mixed* model.hidden=[32,16]");  // the comma is quoted, not split
  const auto column = [&](const std::string& name) {
    return std::find(rows[0].begin(), rows[0].end(), name) - rows[0].begin();
  };
  EXPECT_NEAR(std::stod(rows[2][column("speedup_vs_baseline")]), 2.0, 1e-12);
  EXPECT_NEAR(std::stod(rows[2][column("test_accuracy_diff_dof")]), 4.0, 1e-9);
  EXPECT_EQ(rows[1][column("test_accuracy_diff")], "");  // the baseline itself
  EXPECT_EQ(csv_field("a\"b,c"), "\"a\"\"b,c\"");
}

TEST_F(CompareTest, JsonParsesWithTheDocumentedKeys) {
  const json j = json::parse(format_comparison(compare(), CompareFormat::kJson));
  for (const char* key : {"format", "baseline", "varying_keys", "groups", "skipped", "footnotes"})
    EXPECT_TRUE(j.contains(key)) << key;
  EXPECT_EQ(j["baseline"], "fp32");
  ASSERT_EQ(j["groups"].size(), 3u);
  for (const json& g : j["groups"]) {
    for (const char* key : {"label", "precision", "settings", "matmul_path", "n", "runs", "is_baseline",
                            "baseline", "metrics", "speedup_vs_baseline", "test_accuracy_diff_vs_baseline"})
      EXPECT_TRUE(g.contains(key)) << key;
    for (const MetricSpec& spec : compare_metrics())
      for (const char* key : {"mean", "std", "n", "values"})
        EXPECT_TRUE(g["metrics"][spec.key].contains(key)) << spec.key << "." << key;
  }
  const json& bf16 = j["groups"][1];
  EXPECT_EQ(bf16["settings"]["model.hidden"], json::array({64}));
  EXPECT_NEAR(bf16["test_accuracy_diff_vs_baseline"]["dof"].get<double>(), 4.0, 1e-9);
  EXPECT_EQ(j["groups"][2]["matmul_path"], "emulated");
  EXPECT_EQ(j["skipped"].size(), 2u);
}

TEST_F(CompareTest, TableAndMarkdownShowEveryGroupAndTheNotes) {
  const Comparison c = compare();
  const std::string table = format_comparison(c, CompareFormat::kTable);
  const std::string md = format_comparison(c, CompareFormat::kMarkdown);
  for (const CompareGroup& g : c.groups) {
    EXPECT_NE(table.find(g.label), std::string::npos) << g.label;
    EXPECT_NE(md.find(g.label), std::string::npos) << g.label;
  }
  EXPECT_NE(table.find("2.00x"), std::string::npos);
  EXPECT_NE(table.find("+4.00 ["), std::string::npos);  // 4 points, then the interval
  EXPECT_NE(table.find("* emulated: fp16"), std::string::npos);
  EXPECT_NE(table.find("skipped"), std::string::npos);
  EXPECT_NE(md.find("|---|"), std::string::npos);
  // The table lines up: header, rule and rows have one display width (the last column is
  // right-aligned), counting code points since ± and Δ take two bytes.
  auto display_width = [](const std::string& line) {
    std::size_t w = 0;
    for (unsigned char ch : line) w += (ch & 0xC0) != 0x80;
    return w;
  };
  std::istringstream lines(table);
  std::string line;
  std::vector<std::size_t> widths;
  for (std::size_t i = 0; i < 2 + c.groups.size() && std::getline(lines, line); ++i)
    widths.push_back(display_width(line));
  ASSERT_EQ(widths.size(), 5u);
  for (std::size_t w : widths) EXPECT_EQ(w, widths[0]);
  EXPECT_THROW(parse_compare_format("xml"), UserError);
}

// The remedies of NUMERICS.md "Beyond nearest rounding": fp32, bf16-true with and without
// each remedy, and fp16-true+sr (emulated), written as sweeps write them; one bf16-true run
// has a config.json from before the remedy keys existed.
class RemedyCompareTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto set = [](const char* key, const char* value) {
      return [=](json& c) { c[json::json_pointer(key)] = value; };
    };
    const auto sr = set("/rounding/weights", "stochastic");
    const auto kahan = set("/optimizer/compensation", "kahan");
    const auto all = [&](json& c) {
      sr(c);
      kahan(c);
      c["rounding"]["gradients"] = "stochastic";
    };
    for (int s = 0; s < 3; ++s) {
      const std::string seed = std::to_string(s);
      write_run(dir("fp32-" + seed), {"fp32", s, {64}, 1000, 0.88 + 0.01 * s});
      write_run(dir("bf16-true-" + seed), {"bf16-true", s, {64}, 2000, 0.78 + 0.01 * s}, [&](json& c) {
        if (s == 2) {  // recorded before the keys existed: nearest, no compensation
          c.erase("rounding");
          c["optimizer"].erase("compensation");
        }
      });
      write_run(dir("sr-" + seed), {"bf16-true", s, {64}, 1900, 0.875 + 0.01 * s}, sr);
      write_run(dir("kahan-" + seed), {"bf16-true", s, {64}, 1800, 0.87 + 0.01 * s}, kahan);
    }
    for (int s = 0; s < 2; ++s) {
      write_run(dir("all-" + std::to_string(s)), {"bf16-true", s, {64}, 1700, 0.88}, all);
      write_run(dir("fp16-sr-" + std::to_string(s)), {"fp16-true", s, {64}, 500, 0.88, "emulated"}, sr);
    }
  }

  fs::path dir(const std::string& name) const { return tmp_.path() / name; }

  Comparison compare(const std::string& baseline = "fp32") {
    return compare_runs(collect_runs({tmp_.path().string()}), baseline);
  }

  static const CompareGroup& named(const Comparison& c, const std::string& name) {
    for (const CompareGroup& g : c.groups)
      if (g.name == name) return g;
    throw std::runtime_error("no group " + name);
  }

  testing::TempDir tmp_;
};

TEST_F(RemedyCompareTest, GroupsAreNamedByTheirRemediesFromTheConfig) {
  const Comparison c = compare();
  std::vector<std::string> labels;
  for (const CompareGroup& g : c.groups) labels.push_back(g.label);
  // Each precision plain first, then its remedies; the name replaces their key=value pairs.
  EXPECT_EQ(labels, (std::vector<std::string>{"fp32", "fp16-true+sr*", "bf16-true", "bf16-true+sr",
                                              "bf16-true+kahan", "bf16-true+sr+sr-grad+kahan"}));
  EXPECT_EQ(c.varying_keys,
            (std::vector<std::string>{"optimizer.compensation", "rounding.gradients", "rounding.weights"}));
  // The old run is a plain bf16-true run: one group of three, not a group of its own.
  EXPECT_EQ(named(c, "bf16-true").runs.size(), 3u);
  EXPECT_EQ(named(c, "bf16-true+sr").settings["rounding.weights"], "stochastic");
  EXPECT_TRUE(c.skipped.empty());
}

TEST_F(RemedyCompareTest, TheBaselineIsThePlainGroupOfTheBaselinePrecision) {
  Comparison c = compare();
  // fp32 takes no remedy: every group is measured against plain fp32.
  for (const CompareGroup& g : c.groups) EXPECT_EQ(g.baseline_label, "fp32") << g.label;
  // bf16-true+sr {0.875, 0.885, 0.895} against fp32 {0.88, 0.89, 0.90}: -0.005 (1e-12: rounding).
  EXPECT_NEAR(*named(c, "bf16-true+sr").test_accuracy_diff, -0.005, 1e-12);
  EXPECT_NEAR(*named(c, "bf16-true+sr").speedup, 1.9, 1e-12);
  // Against bf16-true, what each remedy changed; fp16-true+sr meets plain bf16-true too.
  c = compare("bf16-true");
  EXPECT_TRUE(named(c, "bf16-true").is_baseline);
  for (const char* name : {"fp32", "fp16-true+sr", "bf16-true+sr", "bf16-true+kahan"}) {
    EXPECT_EQ(named(c, name).baseline_label, "bf16-true") << name;
    EXPECT_FALSE(named(c, name).is_baseline) << name;
  }
  // bf16-true+kahan {0.87, 0.88, 0.89} against bf16-true {0.78, 0.79, 0.80}: +0.09.
  EXPECT_NEAR(*named(c, "bf16-true+kahan").test_accuracy_diff, 0.09, 1e-12);
}

TEST_F(RemedyCompareTest, JsonAndCsvCarryTheName) {
  const Comparison c = compare();
  const json j = json::parse(format_comparison(c, CompareFormat::kJson));
  ASSERT_EQ(j["groups"].size(), c.groups.size());
  EXPECT_EQ(j["groups"][1]["name"], "fp16-true+sr");
  EXPECT_EQ(j["groups"][1]["label"], "fp16-true+sr*");
  EXPECT_EQ(j["groups"][1]["settings"]["rounding.weights"], "stochastic");
  const auto rows = parse_csv(format_comparison(c, CompareFormat::kCsv));
  ASSERT_EQ(rows.size(), 1 + c.groups.size());
  EXPECT_EQ(rows[0][1], "name");
  EXPECT_EQ(rows[6][1], "bf16-true+sr+sr-grad+kahan");
  const std::string table = format_comparison(c, CompareFormat::kTable);
  EXPECT_NE(table.find("bf16-true+kahan"), std::string::npos);
}

// scripts/plot_runs.py mirrors compare's grouping in Python: the same groups, labels and
// sizes (its own order: it sorts the other settings as text).
TEST_F(RemedyCompareTest, PlotRunsGroupsAndLabelsAsCompareDoes) {
  const std::string cmd = "/usr/bin/python3 " MIXPREC_SOURCE_DIR "/scripts/plot_runs.py --groups " +
                          tmp_.path().string();
  FILE* pipe = popen(cmd.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string out;
  char buffer[256];
  while (std::fgets(buffer, sizeof buffer, pipe)) out += buffer;
  ASSERT_EQ(pclose(pipe), 0) << cmd << "\n" << out;
  std::vector<std::string> from_plot, from_compare;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) from_plot.push_back(line);
  for (const CompareGroup& g : compare().groups)
    from_compare.push_back(g.label + "\t" + std::to_string(g.runs.size()));
  std::sort(from_plot.begin(), from_plot.end());
  std::sort(from_compare.begin(), from_compare.end());
  EXPECT_EQ(from_plot, from_compare);
}

TEST(CollectRuns, ErrorsNameTheFolder) {
  testing::TempDir tmp;
  EXPECT_THROW(collect_runs({(tmp.path() / "absent").string()}), UserError);
  EXPECT_THROW(collect_runs({tmp.path().string()}), UserError);  // empty: no runs
}

}  // namespace
}  // namespace mixprec
