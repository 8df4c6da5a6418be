// Why loss scaling exists: a problem whose fp32 weight gradients sit below fp16's smallest
// subnormal (2^-24 = 5.96e-8; anything below half of it, 2^-25 = 2.98e-8, rounds to zero).
// Without a loss scale fp16-mixed flushes most of them to zero; the dynamic scale (65536)
// lifts them into range; bf16 keeps fp32's exponent range and needs no scale at all.
//
// Construction (B = 64, in = 1024, hidden = 16, classes = 4, 512 rows = 8 steps): inputs
// ~ 3e-7 * N(0, 1), pure noise with cycling labels (representable as fp16 subnormals, so
// the input is not flushed itself; zero-mean, so batch sums of x cancel), He init.
//   dlogits = (softmax - onehot) / B                 ~ 1e-2            (not tiny)
//   dz_1    = dlogits w_2^T * relu'                  ~ 5e-3            (not tiny)
//   dw_1    = x^T dz_1  (in*hidden = 16384 values)   ~ sqrt(B)*3e-7*5e-3 ~ 1e-8 -> flushed
// Per step ~256 dlogits + ~512 dz_1 + ~8000 live dw_1 values (the relu units that the bias
// switches off give exact zeros, which do not count), so without a scale the underflow
// fraction is ~0.8-0.9 (measured 0.80 over the epoch, 0.90 in the first step); times 65536
// the dw_1 values are ~7e-4, far from zero (measured < 1e-4).
#include <gtest/gtest.h>

#include "train_test_util.hpp"

namespace mixprec {
namespace {

using testing::make_blobs;
using testing::run_trainer;

DataSplits tiny_gradient_data() {
  DataSplits d = make_blobs(1024, 4, 512, 128, /*spread=*/0.0, 7);
  d.train.x *= 3e-7f;
  d.test.x *= 3e-7f;
  return d;
}

Config tiny_gradient_config(Precision p, LossScaling mode) {
  Config c;
  c.precision = p;
  c.seed = 3;
  c.model.hidden = {16};
  c.optimizer.lr = 0.05;
  c.optimizer.momentum = 0.0;
  c.train.epochs = 1;
  c.train.batch_size = 64;
  c.train.eval_batch_size = 128;
  c.loss_scale.mode = mode;
  return c;
}

// The epoch's precision_stats of a one-epoch run.
nlohmann::json epoch_stats(Precision p, LossScaling mode, const DataSplits& data) {
  const auto result = run_trainer(tiny_gradient_config(p, mode), data);
  EXPECT_EQ(result.outcome.status, "completed") << result.outcome.reason;
  const auto epochs = result.of_type("epoch");
  EXPECT_EQ(epochs.size(), 1u);
  return epochs.empty() ? nlohmann::json::object() : epochs[0].at("precision_stats");
}

double underflow_fraction(const nlohmann::json& stats) {
  EXPECT_GT(stats.value("grad_values_rounded", std::int64_t{0}), 0) << stats.dump();
  const auto f = stats.value("grad_underflow_fraction", nlohmann::json());
  EXPECT_TRUE(f.is_number()) << stats.dump();
  return f.is_number() ? f.get<double>() : -1.0;
}

TEST(Underflow, Fp16MixedWithoutLossScalingFlushesMostGradients) {
  const DataSplits data = tiny_gradient_data();
  const auto stats = epoch_stats(Precision::kFp16Mixed, LossScaling::kNone, data);
  // ~0.8 measured (see the top); 0.5 is the line between "most" and "some".
  EXPECT_GT(underflow_fraction(stats), 0.5) << stats.dump();
  EXPECT_EQ(stats.at("loss_scale").at("max"), 1.0);
}

TEST(Underflow, Fp16MixedWithDynamicScalingKeepsThem) {
  const DataSplits data = tiny_gradient_data();
  const auto stats = epoch_stats(Precision::kFp16Mixed, LossScaling::kDynamic, data);
  // After scaling only values ~1e4 times smaller than typical flush: measured < 1e-4.
  const double f = underflow_fraction(stats);
  EXPECT_GE(f, 0.0);
  EXPECT_LT(f, 0.05) << stats.dump();
  // ...and it was the initial scale that did it: no overflow, no skipped step, no backoff.
  EXPECT_EQ(stats.at("loss_scale").at("min"), 65536.0);
  EXPECT_EQ(stats.at("skipped_steps"), 0);
  EXPECT_EQ(stats.at("grad_overflow_count"), 0);
}

TEST(Underflow, Bf16MixedNeedsNoScale) {
  const DataSplits data = tiny_gradient_data();
  const auto stats = epoch_stats(Precision::kBf16Mixed, LossScaling::kNone, data);
  // bf16's smallest subnormal is 9e-41: nothing here comes near it (measured 0).
  const double f = underflow_fraction(stats);
  EXPECT_GE(f, 0.0);
  EXPECT_LT(f, 0.05) << stats.dump();
}

TEST(Underflow, Fp32ReportsNoUnderflowFraction) {
  const DataSplits data = tiny_gradient_data();
  const auto result = run_trainer(tiny_gradient_config(Precision::kFp32, LossScaling::kNone), data);
  const auto epochs = result.of_type("epoch");
  ASSERT_EQ(epochs.size(), 1u);
  const auto& stats = epochs[0].at("precision_stats");
  EXPECT_TRUE(stats.at("grad_underflow_fraction").is_null()) << "fp32 never rounds gradients";
  EXPECT_EQ(stats.at("grad_values_rounded"), 0);
}

}  // namespace
}  // namespace mixprec
