// `mixprec bench --skip-training`: the measured peaks and the GEMM table are JSON, with the
// three ways a product can read its b (plain, packed, packed with the packing timed) where
// oneDNN reads that format packed. Speeds are not asserted (no unit test times anything);
// only that each number was measured: present, finite and positive.
#include <gtest/gtest.h>

#include <cmath>
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
       "--set", "model.hidden=[64,32]", "--set", "train.batch_size=16"},
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
}

}  // namespace
}  // namespace mixprec
