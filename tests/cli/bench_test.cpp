// `mixprec bench`: the measured peaks and the GEMM table are JSON, with the three ways a
// product can read its b (plain, packed, packed with the packing timed) where oneDNN reads
// that format packed; the shapes are the config's model on its data (input width and class
// count of the data loaded). Speeds are not asserted (no unit test times anything); only
// that each number was measured: present, finite and positive.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <fstream>
#include <set>

#include "cli_test_util.hpp"

namespace mixprec {
namespace {

using namespace mixprec::testing;

bool measured(const nlohmann::json& v) {
  return v.is_number() && std::isfinite(v.get<double>()) && v.get<double>() > 0.0;
}

TEST(BenchCommand, SkipTrainingPrintsPeaksAndEveryProductOfTheStep) {
  TempDir tmp;
  // A small model keeps the test quick; the GEMM table follows the config's layers.
  const Invocation r = run_mixprec(
      {"bench", "--skip-training", "--threads", "1", "--config", kDefaultConfig.string(),
       "--set", "data.dir=" + kMnist10k.string(), "--set", "model.hidden=[64,32]", "--set",
       "train.batch_size=16"},
      tmp.path(), tmp.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json out = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(out.is_discarded()) << "stdout is not JSON:\n" << r.out;

  ASSERT_EQ(out.at("peak").size(), 1u);  // one entry per thread count up to --threads
  EXPECT_TRUE(measured(out.at("peak")[0].at("fp32_fma_gflops")));
  EXPECT_TRUE(out.at("training").empty());

  // fp32, bf16, fp16 x the three layers (784-64, 64-32, 32-10) x three products (x*w,
  // x^T*dz, dz*w^T).
  const auto& gemm = out.at("gemm");
  ASSERT_EQ(gemm.size(), 27u);
  std::set<std::string> formats;
  for (const auto& row : gemm) {
    formats.insert(row.at("format").get<std::string>());
    EXPECT_TRUE(measured(row.at("gflops"))) << row.dump();
    // null only when the product beat a peak measured on a busy machine (machine_busy).
    if (row.at("share_of_peak").is_null()) EXPECT_EQ(out.at("machine_busy"), true) << row.dump();
    else EXPECT_TRUE(measured(row.at("share_of_peak")) && row.at("share_of_peak") <= 1.0) << row.dump();
    const bool packed = !row.at("gflops_packed").is_null();
    EXPECT_EQ(packed, !row.at("gflops_packed_incl_packing").is_null()) << row.dump();
    if (packed) {
      EXPECT_TRUE(measured(row.at("gflops_packed"))) << row.dump();
      EXPECT_TRUE(measured(row.at("gflops_packed_incl_packing"))) << row.dump();
    }
    // fp16 has no packed layout here (its products run in fp32 where it is emulated).
    if (row.at("format") == "fp16") {
      EXPECT_FALSE(packed) << row.dump();
    }
  }
  EXPECT_EQ(formats, (std::set<std::string>{"fp32", "bf16", "fp16"}));
  // The first layer's forward product: batch 16, 784 -> 64 (the default config's data).
  EXPECT_EQ(gemm[0].at("m"), 16);
  EXPECT_EQ(gemm[0].at("n"), 64);
  // The last layer's forward product: 32 -> 10 classes.
  EXPECT_EQ(gemm[6].at("n"), 10);
  EXPECT_EQ(gemm[6].at("k"), 32);
  EXPECT_EQ(out.at("layers"), nlohmann::json({784, 64, 32, 10}));
  EXPECT_EQ(out.at("batch_size"), 16);
}

// 7 numeric columns and a label column of 3 class names, 90 rows, deterministic.
void write_seven_column_csv(const fs::path& file) {
  std::ofstream out(file);
  const char* const kinds[] = {"apple", "pear", "plum"};
  out << "c1,c2,c3,c4,c5,c6,c7,kind\n";
  for (int r = 0; r < 90; ++r) {
    for (int c = 0; c < 7; ++c) out << (r * 7 + c * 13) % 17 + (c == r % 3 ? 20 : 0) << ",";
    out << kinds[r % 3] << "\n";
  }
}

// A CSV config: the GEMM shapes and the end-to-end runs' matmul work come from the data
// loaded (7 inputs, 3 classes), not from an assumed 784 inputs and 10 classes.
TEST(BenchCommand, ShapesComeFromTheDataOfACsvConfig) {
  TempDir tmp;
  write_seven_column_csv(tmp.path() / "seven.csv");
  const nlohmann::json cfg = {{"data", {{"format", "csv"}, {"train", "seven.csv"}}},
                              {"model", {{"hidden", {8}}}},
                              {"train", {{"batch_size", 16}}}};
  std::ofstream(tmp.path() / "seven.json") << cfg.dump();
  // Relative paths in a --config are the working folder's; the training children get them
  // made absolute.
  const Invocation r = run_mixprec({"bench", "--threads", "1", "--config", "seven.json",
                                    "--precision", "fp32,bf16-mixed", "--epochs", "2", "--rounds", "1"},
                                   tmp.path(), tmp.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json out = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(out.is_discarded()) << "stdout is not JSON:\n" << r.out;
  EXPECT_EQ(out.at("layers"), nlohmann::json({7, 8, 3}));
  EXPECT_TRUE(contains(out.at("data").get<std::string>(), "7 features, 3 classes")) << out.at("data");

  // Per format: (16, 7) x (7, 8), then (16, 8) x (8, 3); x^T*dz and dz*w^T of each layer.
  const auto& gemm = out.at("gemm");
  ASSERT_EQ(gemm.size(), 18u);
  const std::vector<std::array<int, 3>> mnk = {{16, 8, 7}, {7, 8, 16}, {16, 7, 8},
                                               {16, 3, 8}, {8, 3, 16}, {16, 8, 3}};
  for (std::size_t i = 0; i < gemm.size(); ++i) {
    const auto& [m, n, k] = mnk[i % 6];
    EXPECT_EQ(gemm[i].at("m"), m) << gemm[i].dump();
    EXPECT_EQ(gemm[i].at("n"), n) << gemm[i].dump();
    EXPECT_EQ(gemm[i].at("k"), k) << gemm[i].dump();
  }

  // Both precisions trained; matmul work per sample: 2 flops x (7*8*2 + 8*3*3) multiply-adds
  // (forward and x^T*dz of each layer, dz*w^T of all but the first).
  const auto& training = out.at("training");
  ASSERT_EQ(training.size(), 2u);
  for (const auto& t : training) {
    EXPECT_EQ(t.at("matmul_flops_per_sample"), 2.0 * (7 * 8 * 2 + 8 * 3 * 3)) << t.dump();
    EXPECT_TRUE(measured(t.at("samples_per_s"))) << t.dump();
    EXPECT_EQ(t.at("samples_per_s_per_round").size(), 1u) << t.dump();
  }
  EXPECT_EQ(training[1].at("precision"), "bf16-mixed");
  EXPECT_TRUE(measured(training[1].at("speedup_vs_fp32"))) << training[1].dump();
}

// The data is read before anything is measured: without it there are no shapes.
TEST(BenchCommand, MissingDataFailsNamingTheFile) {
  TempDir tmp;
  const Invocation r = run_mixprec({"bench", "--skip-training", "--config", kDefaultConfig.string(),
                                    "--set", "data.dir=nowhere"},
                                   tmp.path(), tmp.path());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "bench reads " + kDefaultConfig.string() +
                                  "'s data for the model's input width and class count: ")) << r.err;
  EXPECT_TRUE(contains(r.err, "nowhere")) << r.err;
}

}  // namespace
}  // namespace mixprec
