// `mixprec compare` pairs runs by seed, through the real binary: a 3 precisions x 4 seeds
// sweep of a 784-16-10 MLP on 1000 MNIST rows for one epoch (a few seconds), compared with
// every run, then with fp16-mixed seed 3 left out. Same-seed runs share initialisation and
// data order, so their accuracies correlate and the paired interval is narrower than
// Welch's on the same runs.
#include <gtest/gtest.h>

#include "cli_test_util.hpp"

namespace mixprec {
namespace {

using namespace mixprec::testing;
using nlohmann::json;

const std::vector<std::string> kPrecisions = {"fp32", "fp16-mixed", "bf16-mixed"};

fs::path run_small_sweep(const TempDir& tmp) {
  const fs::path sweep = tmp.path() / "sweep";
  const Invocation r = run_mixprec(
      {"sweep", kDefaultConfig.string(), "--set", "data.dir=" + kMnist10k.string(), "--set", "train.epochs=1",
       "--set", "model.hidden=[16]", "--set", "data.max_train_samples=1000", "--precision",
       "fp32,fp16-mixed,bf16-mixed", "--seeds", "0-3", "--jobs", "2", "--out", sweep.string()},
      tmp.path(), tmp.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return sweep;
}

const json& group(const json& cmp, const std::string& precision) {
  for (const json& g : cmp["groups"])
    if (g["precision"] == precision) return g;
  throw std::runtime_error("no group " + precision);
}

TEST(PairedCompareCli, PairsBySeedNarrowerThanWelchAndListsAMissingSeed) {
  TempDir tmp;
  const fs::path sweep = run_small_sweep(tmp);

  // Every run: each group pairs all four seeds with fp32.
  const Invocation all = run_mixprec({"compare", sweep.string(), "--format", "json"}, tmp.path(), tmp.path());
  ASSERT_EQ(all.exit_code, 0) << all.err;
  const json j = json::parse(all.out);
  for (const char* p : {"fp16-mixed", "bf16-mixed"}) {
    const json& vs = group(j, p)["vs_baseline"];
    ASSERT_TRUE(vs.is_object()) << p;
    EXPECT_EQ(vs["method"], "paired") << p;
    EXPECT_EQ(vs["paired_seeds"], json::array({0, 1, 2, 3})) << p;
    EXPECT_TRUE(vs["unpaired"].empty()) << p;
    const json& acc = vs["metrics"]["test_accuracy"];
    EXPECT_EQ(acc["method"], "paired");
    EXPECT_EQ(acc["n"], 4);
    EXPECT_EQ(acc["dof"], 3.0);
    for (const char* key : {"test_loss", "train_loss", "samples_per_s"})
      EXPECT_EQ(vs["metrics"][key]["method"], "paired") << p << " " << key;
    // The same runs as if independent (the Welch field kept from mixprec-compare/1).
    const json& welch = group(j, p)["test_accuracy_diff_vs_baseline"];
    const double paired_width = acc["ci95_high"].get<double>() - acc["ci95_low"].get<double>();
    const double welch_width = welch["ci95_high"].get<double>() - welch["ci95_low"].get<double>();
    EXPECT_LT(paired_width, welch_width) << p << ": r = " << acc["correlation"];
    EXPECT_TRUE(vs["seeds_needed"]["seeds"].is_number_integer()) << p;
    EXPECT_EQ(vs["seeds_needed"]["have"], 4);
  }

  // The table says which method it used and how many seeds a 0.1-point question needs.
  // The label is "fp16-mixed*" where fp16 is emulated (most CPUs).
  const std::string fp16 = group(j, "fp16-mixed")["label"];
  const Invocation table = run_mixprec({"compare", sweep.string(), "--resolve", "0.1"}, tmp.path(), tmp.path());
  ASSERT_EQ(table.exit_code, 0) << table.err;
  EXPECT_TRUE(contains(table.out, "paired 4, r=")) << table.out;
  EXPECT_TRUE(contains(table.out, fp16 + ": paired by seed (4 pairs)")) << table.out;
  EXPECT_TRUE(contains(table.out, "to resolve +-0.1 pts between " + fp16 + " and fp32: ~")) << table.out;
  EXPECT_TRUE(contains(table.out, "(you have 4)")) << table.out;

  // fp16-mixed seed 3 left out: its three other seeds pair, fp32 seed 3 is listed.
  std::vector<std::string> dirs = {"compare", "--format", "json"};
  for (int seed = 0; seed < 4; ++seed)
    for (const std::string& p : kPrecisions)
      if (!(p == "fp16-mixed" && seed == 3)) dirs.push_back((sweep / (p + "-seed" + std::to_string(seed))).string());
  const Invocation part = run_mixprec(dirs, tmp.path(), tmp.path());
  ASSERT_EQ(part.exit_code, 0) << part.err;
  const json part_json = json::parse(part.out);
  const json& vs = group(part_json, "fp16-mixed")["vs_baseline"];
  EXPECT_EQ(vs["method"], "paired");
  EXPECT_EQ(vs["paired_seeds"], json::array({0, 1, 2}));
  ASSERT_EQ(vs["unpaired"].size(), 1u) << vs.dump();
  EXPECT_EQ(vs["unpaired"][0]["run_dir"], (sweep / "fp32-seed3").string());
  EXPECT_EQ(vs["unpaired"][0]["side"], "baseline");
  EXPECT_EQ(vs["unpaired"][0]["seed"], 3);
  EXPECT_EQ(vs["metrics"]["test_accuracy"]["n"], 3);
  dirs.erase(dirs.begin() + 1, dirs.begin() + 3);  // the same as a table
  const Invocation part_table = run_mixprec(dirs, tmp.path(), tmp.path());
  EXPECT_TRUE(contains(part_table.out, "unpaired: " + (sweep / "fp32-seed3").string() + " (fp32, seed 3)"))
      << part_table.out;
}

TEST(PairedCompareCli, ResolveMustBeAPositiveDifference) {
  TempDir tmp;
  const Invocation r = run_mixprec({"compare", tmp.path().string(), "--resolve", "0"}, tmp.path(), tmp.path());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(contains(r.err, "--resolve")) << r.err;
}

}  // namespace
}  // namespace mixprec
