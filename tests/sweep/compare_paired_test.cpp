// compare with runs that share seeds (run folders written here with known numbers): the
// group pairs with its baseline, every rendering shows the method, the unpaired run and
// the seeds needed. The numbers are tests/sweep/paired_reference.py's ten-seed case.
#include <gtest/gtest.h>

#include <fstream>

#include "config/config_loader.hpp"
#include "support/temp_dir.hpp"
#include "sweep/compare.hpp"
#include "sweep/compare_format.hpp"
#include "sweep/seeds_needed.hpp"

namespace mixprec {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const double kFp16[] = {0.8812, 0.8790, 0.8851, 0.8803, 0.8836, 0.8779, 0.8824, 0.8847, 0.8801, 0.8830};
const double kFp32[] = {0.8795, 0.8781, 0.8822, 0.8800, 0.8809, 0.8770, 0.8811, 0.8829, 0.8796, 0.8805};

void write_run(const fs::path& dir, const std::string& precision, int seed, double test_accuracy) {
  fs::create_directories(dir);
  Config c;
  c.precision = parse_precision(precision);
  c.seed = seed;
  c.data.dir = "/data";
  std::ofstream(dir / "config.json") << to_json(c).dump(2);
  const json summary = {
      {"status", "completed"},
      {"matmul_path", "native"},
      {"final", {{"train", {{"accuracy", 0.9}, {"loss", 0.3 + seed * 0.01}}},
                 {"test", {{"accuracy", test_accuracy}, {"loss", 0.4 - test_accuracy / 10}}}}},
      {"time", {{"median_epoch_s", 1.0}, {"median_samples_per_s", 1000.0 + seed}}},
  };
  std::ofstream(dir / "summary.json") << summary.dump(2);
}

// fp16-mixed seeds 0-8 (seed 9 missing), fp32 seeds 0-9.
class ComparePairedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int s = 0; s < 10; ++s) {
      if (s < 9) write_run(tmp_.path() / ("fp16-" + std::to_string(s)), "fp16-mixed", s, kFp16[s]);
      write_run(tmp_.path() / ("fp32-" + std::to_string(s)), "fp32", s, kFp32[s]);
    }
  }
  Comparison compare(double resolve = 0.0025) {
    return compare_runs(collect_runs({tmp_.path().string()}), "fp32", resolve);
  }
  testing::TempDir tmp_;
};

TEST_F(ComparePairedTest, PairsBySeedAndListsTheMissingOne) {
  const Comparison c = compare();
  ASSERT_EQ(c.groups.size(), 2u);
  EXPECT_FALSE(c.groups[0].vs_baseline);  // fp32 is the baseline
  const BaselineDiff& d = *c.groups[1].vs_baseline;
  EXPECT_TRUE(d.paired);
  EXPECT_EQ(d.paired_seeds, (std::vector<std::uint64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8}));
  ASSERT_EQ(d.unpaired.size(), 1u);
  EXPECT_EQ(d.unpaired[0].dir, (tmp_.path() / "fp32-9").string());
  for (const char* key : {"test_accuracy", "train_loss", "test_loss", "samples_per_s"})
    EXPECT_EQ(d.metrics.at(key).method, "paired") << key;
  // train loss and samples/s depend on the seed alone: equal within every pair.
  EXPECT_EQ(d.metrics.at("samples_per_s").diff, 0.0);
  EXPECT_EQ(d.seeds_needed->have, 9);
}

TEST_F(ComparePairedTest, RenderingsStateTheMethod) {
  const Comparison c = compare(0.001);
  const std::string table = format_comparison(c, CompareFormat::kTable);
  EXPECT_NE(table.find("paired 9, r="), std::string::npos) << table;
  EXPECT_NE(table.find("fp16-mixed: paired by seed (9 pairs)"), std::string::npos) << table;
  EXPECT_NE(table.find("Welch, ignoring the pairing"), std::string::npos) << table;
  EXPECT_NE(table.find("unpaired: " + (tmp_.path() / "fp32-9").string() + " (fp32, seed 9): no partner"),
            std::string::npos) << table;
  const int seeds = *c.groups[1].vs_baseline->seeds_needed->seeds;
  EXPECT_NE(table.find("to resolve +-0.1 pts between fp16-mixed and fp32: ~" + std::to_string(seeds) +
                       " seeds (you have 9)"), std::string::npos) << table;
  const std::string md = format_comparison(c, CompareFormat::kMarkdown);
  EXPECT_NE(md.find("| p | method |"), std::string::npos) << md;
  EXPECT_NE(md.find("  - fp16-mixed: paired by seed (9 pairs)"), std::string::npos) << md;

  const json j = json::parse(format_comparison(c, CompareFormat::kJson));
  const json& vs = j["groups"][1]["vs_baseline"];
  EXPECT_TRUE(j["groups"][0]["vs_baseline"].is_null());
  EXPECT_EQ(vs["method"], "paired");
  EXPECT_EQ(vs["paired_seeds"].size(), 9u);
  EXPECT_EQ(vs["unpaired"][0]["side"], "baseline");
  EXPECT_EQ(vs["unpaired"][0]["seed"], 9);
  EXPECT_EQ(vs["unpaired"][0]["reason"], "no partner with this seed");
  for (const char* key : {"method", "diff", "ci95_low", "ci95_high", "dof", "p_value", "n", "n_baseline",
                          "sd_diff", "correlation"})
    EXPECT_TRUE(vs["metrics"]["test_accuracy"].contains(key)) << key;
  EXPECT_EQ(vs["metrics"]["test_accuracy"]["dof"], 8.0);
  EXPECT_EQ(vs["seeds_needed"]["seeds"], seeds);
  EXPECT_DOUBLE_EQ(vs["seeds_needed"]["resolve"].get<double>(), 0.001);
  EXPECT_TRUE(j["groups"][1]["metrics"].contains("test_loss"));

  const std::string csv = format_comparison(c, CompareFormat::kCsv);
  const std::string header = csv.substr(0, csv.find('\n'));
  EXPECT_NE(header.find("test_accuracy_vs_baseline_p_value"), std::string::npos);
  // Every line has the header's number of fields (no field here holds a comma).
  std::size_t start = 0, commas = std::count(header.begin(), header.end(), ',');
  for (std::size_t end; (end = csv.find('\n', start)) != std::string::npos; start = end + 1)
    EXPECT_EQ(static_cast<std::size_t>(std::count(csv.begin() + start, csv.begin() + end, ',')), commas);
}

TEST(ComparePairedWelch, GroupsWithoutSharedSeedsSayWelch) {
  testing::TempDir tmp;
  for (int s = 0; s < 3; ++s) {
    write_run(tmp.path() / ("fp32-" + std::to_string(s)), "fp32", s, kFp32[s]);
    write_run(tmp.path() / ("bf16-" + std::to_string(s)), "bf16-mixed", 20 + s, kFp16[s]);
  }
  const Comparison c = compare_runs(collect_runs({tmp.path().string()}), "fp32");
  const BaselineDiff& d = *c.groups[1].vs_baseline;
  EXPECT_FALSE(d.paired);
  EXPECT_EQ(d.metrics.at("test_accuracy").method, "welch");
  // The Welch interval of mixprec-compare/1 and the new one are the same numbers.
  EXPECT_DOUBLE_EQ(*d.metrics.at("test_accuracy").low, c.groups[1].test_accuracy_ci->low);
  const std::string table = format_comparison(c, CompareFormat::kTable);
  EXPECT_NE(table.find("bf16-mixed: no shared seeds, Welch"), std::string::npos) << table;
  EXPECT_NE(table.find("  Welch  "), std::string::npos) << table;  // the method column
  EXPECT_EQ(table.find("to resolve"), std::string::npos) << table;  // no pairs, no estimate
}

}  // namespace
}  // namespace mixprec
