// The Trainer end to end in memory: determinism, learning in every precision, the
// precision statistics each mode reports, and the accounted memory checked byte by byte.
#include <gtest/gtest.h>

#include <regex>

#include "kernels/matmul.hpp"
#include "precision/precision.hpp"
#include "train_test_util.hpp"

namespace mixprec {
namespace {

using testing::blobs;
using testing::blobs_config;
using testing::run_trainer;
using testing::without_timing;

// --- Determinism -------------------------------------------------------------------------

// Same config, seed and thread count (the process's): every epoch record is identical once
// the clock- and RSS-dependent fields are dropped. Exact equality: the run is a fixed
// sequence of floating-point operations, so any difference is a reproducibility bug.
void expect_deterministic(Precision p) {
  const DataSplits data = blobs();
  Config cfg = blobs_config(p);
  cfg.train.epochs = 2;
  const auto a = run_trainer(cfg, data);
  const auto b = run_trainer(cfg, data);
  const auto ea = a.of_type("epoch"), eb = b.of_type("epoch");
  ASSERT_EQ(ea.size(), 2u);
  ASSERT_EQ(eb.size(), 2u);
  for (std::size_t i = 0; i < ea.size(); ++i)
    EXPECT_EQ(without_timing(ea[i]), without_timing(eb[i])) << to_string(p) << " epoch " << i + 1;
  EXPECT_EQ(a.outcome.summary.at("final"), b.outcome.summary.at("final"));

  // A different seed (init and shuffle) must change the numbers.
  cfg.seed += 1;
  const auto c = run_trainer(cfg, data);
  const auto ec = c.of_type("epoch");
  ASSERT_EQ(ec.size(), 2u);
  EXPECT_NE(ea[0].at("train_loss_running"), ec[0].at("train_loss_running")) << to_string(p);
  EXPECT_NE(ea[1].at("test").at("loss"), ec[1].at("test").at("loss")) << to_string(p);
}

TEST(TrainerDeterminism, Fp32) { expect_deterministic(Precision::kFp32); }
TEST(TrainerDeterminism, Fp16Mixed) { expect_deterministic(Precision::kFp16Mixed); }
TEST(TrainerDeterminism, Bf16True) { expect_deterministic(Precision::kBf16True); }

// --- Every precision learns --------------------------------------------------------------

class TrainerLearns : public ::testing::TestWithParam<Precision> {};

TEST_P(TrainerLearns, BlobsToNinetyPercentInThreeEpochs) {
  const Precision p = GetParam();
  const DataSplits data = blobs();
  const auto result = run_trainer(blobs_config(p), data);
  ASSERT_EQ(result.outcome.status, "completed") << result.outcome.reason;
  EXPECT_EQ(result.outcome.epochs_completed, 3);

  // Log shape: run_start, 3 epochs, run_end, in that order.
  ASSERT_EQ(result.records.size(), 5u);
  EXPECT_EQ(result.records.front().at("type"), "run_start");
  EXPECT_EQ(result.records.back().at("type"), "run_end");
  EXPECT_EQ(result.records.back().at("status"), "completed");
  EXPECT_EQ(result.records.front().at("precision"), to_string(p));
  const auto epochs = result.of_type("epoch");
  ASSERT_EQ(epochs.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(epochs[i].at("epoch"), i + 1);
    EXPECT_EQ(epochs[i].at("steps"), 63);  // ceil(2000 / 32): the partial batch counts
  }

  // The best possible accuracy is ~98% (blobs()); 90% with margin for the 16-bit modes.
  const double test_acc = epochs.back().at("test").at("accuracy").get<double>();
  EXPECT_GE(test_acc, 0.90) << to_string(p);
  RecordProperty("test_accuracy", std::to_string(test_acc));
  EXPECT_EQ(result.outcome.summary.at("final").at("test").at("accuracy").get<double>(), test_acc);
  // Learning, not luck: the loss fell from ln(4) = 1.386 at chance.
  EXPECT_LT(epochs.back().at("test").at("loss").get<double>(), 0.5) << to_string(p);

  // Lost updates only mean something without an fp32 master copy (NUMERICS.md).
  const auto& stats = epochs.back().at("precision_stats");
  const bool true16 = p == Precision::kFp16True || p == Precision::kBf16True;
  if (true16) {
    ASSERT_TRUE(stats.at("lost_update_fraction").is_number()) << stats.dump();
    const double lost = stats.at("lost_update_fraction").get<double>();
    RecordProperty("lost_update_fraction", std::to_string(lost));
    EXPECT_GE(lost, 0.0);
    EXPECT_LE(lost, 1.0);
  } else {
    EXPECT_TRUE(stats.at("lost_update_fraction").is_null()) << stats.dump();
  }
  // Gradient rounding statistics exist exactly in the 16-bit modes.
  if (p == Precision::kFp32) {
    EXPECT_TRUE(stats.at("grad_underflow_fraction").is_null());
    EXPECT_EQ(stats.at("grad_values_rounded"), 0);
  } else {
    EXPECT_TRUE(stats.at("grad_underflow_fraction").is_number());
    EXPECT_GT(stats.at("grad_values_rounded").get<std::int64_t>(), 0);
  }
  // The loss scale each mode uses by default.
  const LossScaling scaling = policy_for(p).default_loss_scaling;
  EXPECT_EQ(result.records.front().at("loss_scaling"), to_string(scaling));
  if (scaling == LossScaling::kNone) {
    EXPECT_EQ(stats.at("loss_scale").at("last"), 1.0);
    EXPECT_EQ(stats.at("skipped_steps"), 0);
  }
}

INSTANTIATE_TEST_SUITE_P(AllPrecisions, TrainerLearns,
                         ::testing::ValuesIn(all_precisions()),
                         [](const auto& info) {
                           std::string n = to_string(info.param);
                           for (char& ch : n)
                             if (ch == '-') ch = '_';
                           return n;
                         });

// --- Divergence --------------------------------------------------------------------------

TEST(TrainerDiverges, Fp32HugeLearningRateStopsWithTheStep) {
  const DataSplits data = blobs();
  Config cfg = blobs_config(Precision::kFp32);
  cfg.optimizer.lr = 1e6;
  const auto result = run_trainer(cfg, data);
  EXPECT_EQ(result.outcome.status, "diverged");
  EXPECT_TRUE(std::regex_search(result.outcome.reason, std::regex("at step [1-9][0-9]*")))
      << result.outcome.reason;
  EXPECT_LT(result.outcome.epochs_completed, cfg.train.epochs);
  EXPECT_EQ(result.outcome.summary.at("status"), "diverged");
  ASSERT_FALSE(result.records.empty());
  EXPECT_EQ(result.records.back().at("type"), "run_end");
  EXPECT_EQ(result.records.back().at("status"), "diverged");
  EXPECT_EQ(result.records.back().at("reason"), result.outcome.reason);
}

TEST(TrainerDiverges, Fp16MixedHugeLearningRateEndsWhenTheScaleFallsBelowMinimum) {
  // Dynamic scaling cannot rescue a run whose weights blew up: every step is non-finite,
  // the scale halves from 65536 until it is below 1, and the run ends instead of looping.
  const DataSplits data = blobs();
  Config cfg = blobs_config(Precision::kFp16Mixed);
  cfg.optimizer.lr = 1e6;
  const auto result = run_trainer(cfg, data);
  EXPECT_EQ(result.outcome.status, "diverged");
  EXPECT_NE(result.outcome.reason.find("loss scale fell below"), std::string::npos)
      << result.outcome.reason;
  EXPECT_TRUE(std::regex_search(result.outcome.reason, std::regex("at step [1-9][0-9]*")))
      << result.outcome.reason;
  EXPECT_LT(result.outcome.summary.at("loss_scale_final").get<double>(), 1.0);
}

TEST(TrainerSkips, Fp16MixedStaticScaleThatOverflowsSkipsEveryStep) {
  // dlogits are (softmax - onehot) / B, up to ~1/32 here; times 1e9 that is far above fp16's
  // 65504, so every gradient overflows, every step is skipped (static scaling never backs
  // off) and the weights never move: the test loss stays where the initial weights put it.
  const DataSplits data = blobs();
  Config cfg = blobs_config(Precision::kFp16Mixed);
  cfg.train.epochs = 2;
  cfg.loss_scale.mode = LossScaling::kStatic;
  cfg.loss_scale.init = 1e9;
  const auto result = run_trainer(cfg, data);
  // Issue 20: such a run trained nothing, and must say so rather than "completed".
  ASSERT_EQ(result.outcome.status, "untrained") << result.outcome.reason;
  EXPECT_NE(result.outcome.reason.find("steps were skipped"), std::string::npos) << result.outcome.reason;
  EXPECT_EQ(result.outcome.summary.at("status"), "untrained");
  EXPECT_EQ(result.records.back().at("status"), "untrained");
  const auto epochs = result.of_type("epoch");
  ASSERT_EQ(epochs.size(), 2u);
  for (const auto& e : epochs) {
    EXPECT_EQ(e.at("precision_stats").at("skipped_steps"), e.at("steps")) << e.dump();
    EXPECT_GT(e.at("precision_stats").at("grad_overflow_count").get<std::int64_t>(), 0);
  }
  EXPECT_EQ(epochs[0].at("test").at("loss"), epochs[1].at("test").at("loss"));
}

// --- Accounted memory --------------------------------------------------------------------

// A 32-64-3 MLP, training batch 32, evaluation batch 5, SGD with momentum:
//   P = 32*64 + 64 + 64*3 + 3 = 2307 parameters, c = bytes per compute value (4 or 2).
// (Shapes that fill whole blocks of the packed bf16 layout, so that its accounting is tested.)
struct Expected {
  std::size_t master, working, gradient, optimizer, activations, workspace, inference_weights,
      inference_activations;
};

constexpr std::size_t kIn = 32, kHidden = 64, kClasses = 3, kBatch = 32, kEvalBatch = 5;
constexpr std::size_t kP = kIn * kHidden + kHidden + kHidden * kClasses + kClasses;
static_assert(kP == 2307);

Expected expected_memory(Precision p, Activation act) {
  const PrecisionPolicy pol = policy_for(p);
  const std::size_t c = pol.format(TensorRole::kWeight) == Format::kF32 ? 4 : 2;
  const bool true16 = !pol.has_master();
  const std::size_t gelu = act == Activation::kGelu ? 1 : 0;
  Expected e{};
  e.master = true16 ? 0 : 4 * kP;                           // fp32 master, absent in -true
  e.working = pol.format(TensorRole::kWeight) == Format::kF32 ? 0 : 2 * kP;     // 16-bit copy / 16-bit weights
  e.gradient = c * kP;                                      // in the compute format
  e.optimizer = (true16 ? 2 : 4) * kP;                      // one momentum buffer
  // Kept for backward: x_0 (B, in) and a_1 (B, hidden) [+ z_1 (B, hidden) for gelu], all in
  // the compute format. (The fp32 logits count as workspace since commit 09884f5.)
  e.activations = kBatch * (kIn + kHidden * (1 + gelu)) * c;
  // logits (B, C) fp32 + acc (B, max width 64) fp32 + dlogits (B, C) fp32
  // + dz[2] (B, 64) compute + dw_acc (max in*out = 2048) fp32, which only 16-bit modes need
  // (fp32 writes weight gradients in place) + on an emulated path (fp16 on a CPU without a
  // native fp16 matmul) the fp32 widening of all P weights.
  const bool emulated = !matmul().path(pol.format(TensorRole::kWeight)).native;
  e.workspace = kBatch * kClasses * 4 + kBatch * kHidden * 4 + kBatch * kClasses * 4 +
                2 * kBatch * kHidden * c + (c == 2 ? kIn * kHidden * 4 : 0) +
                (emulated ? 4 * kP : 0);
  // + the packed operands (kernels/weight_pack.hpp) where the mode packs them (bf16 with a
  // native kernel, nn/mlp.cpp): w_0 (32, 64), two blocks of 16 rows x 64 columns of bf16
  // (4096 bytes), and dz (B = 32, 64), the same (4096 bytes). The last layer's w_1 (64, 3)
  // and w_1^T (3, 64) stay plain: padded to 64 columns or 16 rows they would be mostly
  // padding (at least 5x their size).
  const Format operands = emulated ? Format::kF32 : pol.format(TensorRole::kWeight);
  const bool packs = pol.format(TensorRole::kWeight) == Format::kBf16 && matmul().path(Format::kBf16).native;
  EXPECT_EQ(packs_operand(operands, int(kIn), int(kHidden)), packs);
  EXPECT_EQ(packs_operand(operands, int(kBatch), int(kHidden)), packs);
  EXPECT_FALSE(packs_operand(operands, int(kHidden), int(kClasses)));
  EXPECT_FALSE(packs_operand(operands, int(kClasses), int(kHidden)));
  if (packs) e.workspace += 4096 + 4096;
  // + on an emulated path, each layer's input and dz widened to fp32 once per step:
  // x_0 (B, 32), a_1 (B, 64) and dz (B, max width 64).
  if (emulated) e.workspace += kBatch * (kIn + kHidden) * 4 + kBatch * kHidden * 4;
  e.inference_weights = c * kP;  // the weights in the format inference runs in
  e.inference_activations = kEvalBatch * (kIn + kHidden * (1 + gelu)) * c;
  return e;
}

nlohmann::json accounted(Precision p, Activation act, const DataSplits& data) {
  Config cfg;
  cfg.precision = p;
  cfg.model.hidden = {int(kHidden)};
  cfg.model.activation = act;
  cfg.optimizer.momentum = 0.9;
  cfg.train.batch_size = int(kBatch);
  cfg.train.eval_batch_size = int(kEvalBatch);
  Trainer t(cfg, data);
  EXPECT_EQ(t.parameters().size(), kP);
  return t.accounted_memory();
}

class AccountedMemory : public ::testing::TestWithParam<std::tuple<Precision, Activation>> {};

TEST_P(AccountedMemory, EveryByteCountByHand) {
  const auto [p, act] = GetParam();
  // 40 training rows: more than a batch, so the buffers hold a whole batch.
  const DataSplits data = testing::make_blobs(int(kIn), int(kClasses), 40, 7, 1.0, 5);
  const nlohmann::json m = accounted(p, act, data);
  const Expected e = expected_memory(p, act);
  SCOPED_TRACE(to_string(p) + (act == Activation::kGelu ? " gelu" : " relu") + ": " + m.dump());
  EXPECT_EQ(m.at("master_weights_bytes"), e.master);
  EXPECT_EQ(m.at("working_weights_bytes"), e.working);
  EXPECT_EQ(m.at("gradient_bytes"), e.gradient);
  EXPECT_EQ(m.at("optimizer_state_bytes"), e.optimizer);
  EXPECT_EQ(m.at("activation_bytes_per_batch"), e.activations);
  EXPECT_EQ(m.at("workspace_bytes"), e.workspace);
  // (40 + 7) rows * (32 fp32 features + one int32 label)
  EXPECT_EQ(m.at("dataset_bytes"), (40 + 7) * (kIn * 4 + 4));
  EXPECT_EQ(m.at("batch_rows_allocated"), kBatch);
  EXPECT_EQ(m.at("eval_batch_rows_allocated"), kEvalBatch);
  EXPECT_EQ(m.at("training_total_bytes"), e.master + e.working + e.gradient + e.optimizer +
                                              e.activations + e.workspace);
  EXPECT_EQ(m.at("inference_weight_bytes"), e.inference_weights);
  EXPECT_EQ(m.at("inference_activation_bytes_per_batch"), e.inference_activations);
}

INSTANTIATE_TEST_SUITE_P(
    AllPrecisions, AccountedMemory,
    ::testing::Combine(::testing::ValuesIn(all_precisions()),
                       ::testing::Values(Activation::kRelu, Activation::kGelu)),
    [](const auto& info) {
      std::string n = to_string(std::get<0>(info.param));
      for (char& ch : n)
        if (ch == '-') ch = '_';
      return n + (std::get<1>(info.param) == Activation::kGelu ? "_gelu" : "_relu");
    });

TEST(AccountedMemory, Bf16MixedHalvesActivationsAndGradientsButAddsACopy) {
  const DataSplits data = testing::make_blobs(int(kIn), int(kClasses), 20, 7, 1.0, 5);
  const auto f32 = accounted(Precision::kFp32, Activation::kRelu, data);
  const auto b16 = accounted(Precision::kBf16Mixed, Activation::kRelu, data);
  // Everything kept for backward is in the compute format, so it halves exactly.
  EXPECT_EQ(2 * b16.at("activation_bytes_per_batch").get<std::size_t>(),
            f32.at("activation_bytes_per_batch").get<std::size_t>());
  EXPECT_EQ(2 * b16.at("gradient_bytes").get<std::size_t>(), f32.at("gradient_bytes").get<std::size_t>());
  // The master copy stays, plus the 16-bit copy: weights cost 1.5x in mixed training.
  EXPECT_EQ(b16.at("master_weights_bytes"), f32.at("master_weights_bytes"));
  EXPECT_EQ(2 * b16.at("working_weights_bytes").get<std::size_t>(),
            f32.at("master_weights_bytes").get<std::size_t>());
}

// Issue 20: a batch of 10 million on 20 rows allocated 10 million rows' buffers (and died
// in std::bad_alloc); the buffers hold min(batch size, rows), and the summary says so.
TEST(AccountedMemory, BatchLargerThanTheDataAllocatesForTheRowsThereAre) {
  const DataSplits data = testing::make_blobs(int(kIn), int(kClasses), 20, 7, 1.0, 5);
  Config cfg;
  cfg.model.hidden = {int(kHidden)};
  cfg.train.batch_size = 10'000'000;
  cfg.train.eval_batch_size = 10'000'000;
  Trainer t(cfg, data);
  const nlohmann::json m = t.accounted_memory();
  EXPECT_EQ(m.at("batch_rows_allocated"), 20);
  EXPECT_EQ(m.at("eval_batch_rows_allocated"), 20) << "the largest split: 20 training rows";
  EXPECT_LT(m.at("training_total_bytes").get<std::size_t>(), std::size_t(1) << 20);
}

}  // namespace
}  // namespace mixprec
