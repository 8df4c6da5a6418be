// Tabular data and divergence diagnoses end to end (issue 15), through the real binary:
// a mixed-scale CSV trains in every mode with the default normalisation; named classes and
// categorical columns survive train -> eval; a diverging run says where its first
// non-finite value appeared and why; validate prints the data summary.
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <string>

#include <fmt/format.h>

#include "cli_test_util.hpp"

namespace mixprec {
namespace {

using namespace mixprec::testing;

// A fixed-seed generator (the test must not depend on the standard library's engines'
// distributions, which differ between implementations).
struct Lcg {
  std::uint64_t state;
  double uniform() {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return double(state >> 11) * 0x1.0p-53;
  }
};

class TabularCli : public ::testing::Test {
 protected:
  void SetUp() override { fs::create_directories(cwd()); }
  fs::path cwd() const { return tmp_.path() / "cwd"; }
  fs::path file(const std::string& name) const { return tmp_.path() / name; }
  void write(const std::string& name, const std::string& text) const { std::ofstream(file(name)) << text; }
  Invocation mixprec(const std::vector<std::string>& args) const { return run_mixprec(args, cwd(), tmp_.path()); }
  // `mixprec train CONFIG --out RUN --set ...`; the run's summary.json.
  nlohmann::json train(const std::string& config, const std::string& run, const std::vector<std::string>& sets,
                       Invocation* out = nullptr) const {
    std::vector<std::string> args = {"train", file(config).string(), "--out", file(run).string()};
    for (const auto& s : sets) {
      args.push_back("--set");
      args.push_back(s);
    }
    const Invocation r = mixprec(args);
    if (out) *out = r;
    EXPECT_TRUE(fs::exists(file(run) / "summary.json")) << r.err;
    return fs::exists(file(run) / "summary.json") ? read_json(file(run) / "summary.json") : nlohmann::json{};
  }
  TempDir tmp_;
};

// The class depends only on `signal` (0..1); `noise` is uniform on 0..10000. A global
// min-max (the old "scale") squashed signal to about 0 and trained to chance (37%).
std::string mixed_scale_csv(int rows) {
  Lcg rng{42};
  std::string text = "noise,signal,label\n";
  for (int i = 0; i < rows; ++i) {
    const double noise = 10000 * rng.uniform(), signal = rng.uniform();
    text += fmt::format("{:.2f},{:.4f},{}\n", noise, signal, signal < 1.0 / 3 ? "low" : signal < 2.0 / 3 ? "mid" : "high");
  }
  return text;
}

TEST_F(TabularCli, MixedScaleCsvReaches95PercentInEveryMode) {
  write("mixed.csv", mixed_scale_csv(1500));
  write("mixed.json", R"({"name": "mixed", "data": {"format": "csv", "train": ")" + file("mixed.csv").string() +
                          R"("}, "model": {"hidden": [32]}, "train": {"epochs": 20, "batch_size": 32}})");
  for (const char* mode : {"fp32", "fp16-mixed", "bf16-mixed", "fp16-true", "bf16-true"}) {
    const nlohmann::json s = train("mixed.json", std::string("run-") + mode, {std::string("precision=\"") + mode + "\""});
    ASSERT_EQ(s["status"], "completed") << mode;
    // 300 test rows; the classes are thirds of one input, so only rows at a boundary are hard.
    EXPECT_GE(s["final"]["test"]["accuracy"].get<double>(), 0.95) << mode;
  }
}

// Names as labels, a categorical column and missing cells: eval of the saved model applies
// the stored encoding and reproduces the run's test accuracy exactly.
TEST_F(TabularCli, NamedClassesAndCategoriesSurviveTrainThenEval) {
  Lcg rng{7};
  std::string train_text = "colour,size,label\n", test_text = "size,colour,label\n";  // test: other column order
  const char* colours[] = {"red", "green", "blue"};
  const char* names[] = {"apple", "kiwi", "plum"};
  for (int i = 0; i < 600; ++i) {
    const int c = int(3 * rng.uniform()) % 3;
    const double size = 100 * rng.uniform();
    const std::string size_cell = i % 50 == 7 ? "" : fmt::format("{:.1f}", size);
    const int y = (c + (size > 50 ? 1 : 0)) % 3;
    if (i < 480) train_text += fmt::format("{},{},{}\n", colours[c], size_cell, names[y]);
    else test_text += fmt::format("{},{},{}\n", size_cell, colours[c], names[y]);
  }
  write("fruit.csv", train_text);
  write("fruit-test.csv", test_text);
  write("fruit.json", R"({"name": "fruit", "data": {"format": "csv", "train": ")" + file("fruit.csv").string() +
                          R"(", "test": ")" + file("fruit-test.csv").string() +
                          R"(", "missing": "mean"}, "model": {"hidden": [32]}, "optimizer": {"name": "adam", "lr": 0.01},
                          "train": {"epochs": 30, "batch_size": 32}})");
  Invocation r;
  std::vector<std::string> args = {"train", file("fruit.json").string(), "--out", file("fruit-run").string(), "--save-model"};
  r = mixprec(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json summary = read_json(file("fruit-run") / "summary.json");
  EXPECT_GE(summary["final"]["test"]["accuracy"].get<double>(), 0.9);
  const auto records = read_jsonl(file("fruit-run") / "metrics.jsonl");
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(records[0]["classes"], (nlohmann::json{"apple", "kiwi", "plum"}));
  EXPECT_EQ(records[0]["data_report"]["columns"][0]["categories"], (nlohmann::json{"blue", "green", "red"}));
  EXPECT_GT(records[0]["data_report"]["columns"][1]["missing"]["train"].get<int>(), 0);
  EXPECT_TRUE(fs::exists(file("fruit-run") / "data_encoding.json"));

  const Invocation e = mixprec({"eval", (file("fruit-run") / "model.ckpt").string()});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  const nlohmann::json result = nlohmann::json::parse(e.out);
  EXPECT_EQ(result["test"]["accuracy"], summary["final"]["test"]["accuracy"]);
  EXPECT_EQ(result["data_encoding"], "stored in the checkpoint");
  EXPECT_EQ(result["classes"], (nlohmann::json{"apple", "kiwi", "plum"}));
}

// Adam's eps below fp16's smallest subnormal in fp16-true: warned before training, and the
// divergence names the optimizer update of a layer and the eps that would work.
TEST_F(TabularCli, Fp16TrueAdamEpsIsWarnedAndNamedInTheDivergence) {
  if (!fs::exists(kMnist10k / "train-images-idx3-ubyte.gz")) GTEST_SKIP() << "no " << kMnist10k;
  Invocation r;
  const std::vector<std::string> sets = {"data.dir=" + kMnist10k.string(), "precision=\"fp16-true\"",
                                         "optimizer.name=\"adam\"", "optimizer.lr=0.001", "train.epochs=1"};
  std::vector<std::string> args = {"train", kDefaultConfig.string(), "--out", file("eps").string()};
  for (const auto& s : sets) args.insert(args.end(), {"--set", s});
  r = mixprec(args);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  const auto warning = r.err.find("optimizer.eps = 1e-08 is below fp16's smallest subnormal");
  ASSERT_NE(warning, std::string::npos) << r.err;
  EXPECT_LT(warning, r.err.find("training mnist10k")) << "the warning must come before training";
  const nlohmann::json s = read_json(file("eps") / "summary.json");
  EXPECT_EQ(s["status"], "diverged");
  const nlohmann::json& d = s["divergence"];
  ASSERT_TRUE(d.is_object()) << s.dump(2);
  EXPECT_TRUE(contains(d["cause"].get<std::string>(), "the optimizer update of layer ")) << d.dump(2);
  EXPECT_TRUE(contains(d["cause"].get<std::string>(), "exp_avg_sq is 0")) << d.dump(2);
  EXPECT_TRUE(contains(d["hint"].get<std::string>(), "optimizer.eps >= 0.00024")) << d.dump(2);
  EXPECT_FALSE(contains(s["reason"].get<std::string>(), "try a lower optimizer.lr")) << s["reason"];

  // The eps it suggests trains.
  args.insert(args.end(), {"--set", "optimizer.eps=0.00025"});
  args[3] = file("eps-fixed").string();
  r = mixprec(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

// Inputs in the tens of thousands, fp16-mixed without loss scaling: the first layer's
// products overflow fp16, and the report says so and points at the input scale.
TEST_F(TabularCli, ForcedOverflowNamesTheFirstLayersForwardActivation) {
  Lcg rng{3};
  std::string text;
  for (int i = 0; i < 400; ++i) {
    const double a = 1e4 + 2e4 * rng.uniform(), b = 1e4 + 2e4 * rng.uniform();
    text += fmt::format("{:.1f},{:.1f},{}\n", a, b, a > b ? 1 : 0);
  }
  write("huge.csv", text);
  write("huge.json", R"({"name": "huge", "precision": "fp16-mixed", "data": {"format": "csv", "train": ")" +
                         file("huge.csv").string() + R"(", "normalize": "none"}, "model": {"hidden": [64]},
                         "loss_scale": {"mode": "none"}, "train": {"epochs": 2, "batch_size": 32}})");
  Invocation r;
  const nlohmann::json s = train("huge.json", "huge-run", {}, &r);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(s["status"], "diverged");
  const nlohmann::json& d = s["divergence"];
  EXPECT_EQ(d["tensor"], "forward activation") << d.dump(2);
  EXPECT_EQ(d["layer"], 1);
  EXPECT_EQ(d["step"], 1);
  EXPECT_TRUE(contains(d["hint"].get<std::string>(), "set data.normalize")) << d.dump(2);
  EXPECT_TRUE(contains(r.err, "the first non-finite value appeared in the forward activation of layer 1 at step 1"))
      << r.err;
}

// A resumed run must read its data as the interrupted one did: a training file edited in
// between changes the fitted encoding, and the resume is refused instead of training on it.
TEST_F(TabularCli, ResumeRefusesDataWhoseEncodingChanged) {
  write("r.csv", mixed_scale_csv(200));
  write("r.json", R"({"name": "r", "data": {"format": "csv", "train": ")" + file("r.csv").string() +
                      R"("}, "model": {"hidden": [8]}, "train": {"epochs": 3}})");
  const std::string run = file("r-run").string();
  Invocation r = mixprec({"train", file("r.json").string(), "--out", run, "--save-model", "--stop-after-epochs", "1"});
  ASSERT_EQ(r.exit_code, 130) << r.err;
  write("r.csv", mixed_scale_csv(200) + "20000,0.5,mid\n");  // a new maximum: other statistics
  r = mixprec({"train", "--resume", run});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(contains(r.err, "the data encoding stored in the checkpoint differs")) << r.err;
}

TEST_F(TabularCli, ValidatePrintsTheDataSummary) {
  write("v.csv", "colour,w,label\nred,1,yes\nblue,,no\nred,3,yes\nblue,4,no\ngreen,5,yes\n");
  write("v.json", R"({"data": {"format": "csv", "train": ")" + file("v.csv").string() +
                      R"(", "missing": "mean", "test_fraction": 0.4}})");
  const Invocation r = mixprec({"validate", file("v.json").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "rows: 3 train / 0 validation / 2 test")) << r.out;
  EXPECT_TRUE(contains(r.out, "classes (names, training rows each): no ")) << r.out;
  EXPECT_TRUE(contains(r.out, "categorical columns (one-hot): colour (")) << r.out;
  EXPECT_TRUE(contains(r.out, "numeric columns on the training split after normalize scale (min..max): w 0..1"))
      << r.out;
}

}  // namespace
}  // namespace mixprec
