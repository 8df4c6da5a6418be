// Trainer::checkpoint / restore for the state that checkpoints carry by name or per layer:
// each layer's per-tensor scaling state, and the optimizer buffers (matched by name, in any
// order; a missing one is a one-line UserError naming it and the file).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "common/error.hpp"
#include "train_test_util.hpp"

namespace mixprec {
namespace {

using testing::blobs_config;
using testing::make_blobs;

// A 20-32-4 model on a small blobs set: two linear layers.
Config adam_config(Precision p) {
  Config cfg = blobs_config(p);
  cfg.optimizer.kind = OptimizerKind::kAdam;
  cfg.optimizer.lr = 1e-3;
  return cfg;
}

TEST(TrainerCheckpoint, ScalingStateOfEachLayerRoundTrips) {
  const DataSplits data = make_blobs(20, 4, 64, 32, 0.8, 42);
  const Config cfg = adam_config(Precision::kBf16True);
  Trainer first(cfg, data);
  Checkpoint c = first.checkpoint();
  // A 16-bit mode leaves every slot at its default.
  ASSERT_EQ(c.scaling.size(), 2u);
  for (const LayerScaling& layer : c.scaling) EXPECT_EQ(layer, LayerScaling{});

  c.scaling[1][TensorRole::kWeight] = {0.5f, {1.5f, 3.0f, 0.25f}, 2};
  c.scaling[0][TensorRole::kOutputGrad].scale = 4096.0f;
  Trainer second(cfg, data);
  second.restore(c, "run/checkpoint.ckpt");
  const TensorScaling& weight = second.model().scaling()[1][TensorRole::kWeight];
  EXPECT_EQ(weight.scale, 0.5f);
  EXPECT_EQ(weight.amax_history, (std::vector<float>{1.5f, 3.0f, 0.25f}));
  EXPECT_EQ(weight.amax_next, 2u);
  EXPECT_EQ(second.model().scaling()[0][TensorRole::kOutputGrad].scale, 4096.0f);
  // What the restored trainer checkpoints is what it was given, through the file's bytes too.
  const Checkpoint again = decode_checkpoint(encode_checkpoint(second.checkpoint()), "mem");
  EXPECT_EQ(again.scaling, c.scaling);
}

TEST(TrainerCheckpoint, OptimizerBuffersAreRestoredByName) {
  const DataSplits data = make_blobs(20, 4, 64, 32, 0.8, 42);
  const Config cfg = adam_config(Precision::kFp32);
  Trainer first(cfg, data);
  Checkpoint c = first.checkpoint();
  ASSERT_EQ(c.optimizer_state.size(), 2u);
  // Distinct contents, then stored in the other order: each must land in its own buffer.
  std::fill(c.optimizer_state[0].values.bytes.begin(), c.optimizer_state[0].values.bytes.end(), std::byte{1});
  std::fill(c.optimizer_state[1].values.bytes.begin(), c.optimizer_state[1].values.bytes.end(), std::byte{2});
  Checkpoint swapped = c;
  std::swap(swapped.optimizer_state[0], swapped.optimizer_state[1]);
  Trainer second(cfg, data);
  second.restore(swapped, "run/checkpoint.ckpt");
  const Checkpoint restored = second.checkpoint();
  ASSERT_EQ(restored.optimizer_state.size(), 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(restored.optimizer_state[i].name, c.optimizer_state[i].name);
    EXPECT_EQ(restored.optimizer_state[i].values.bytes, c.optimizer_state[i].values.bytes);
  }
}

TEST(TrainerCheckpoint, AMissingOptimizerBufferIsNamedWithTheFile) {
  const DataSplits data = make_blobs(20, 4, 64, 32, 0.8, 42);
  const Config cfg = adam_config(Precision::kFp32);
  Trainer first(cfg, data);
  Checkpoint c = first.checkpoint();
  c.optimizer_state.pop_back();  // exp_avg_sq
  Trainer second(cfg, data);
  std::string message;
  try {
    second.restore(c, "run/checkpoint.ckpt");
  } catch (const UserError& e) {
    message = e.what();
  }
  EXPECT_EQ(message,
            "run/checkpoint.ckpt: the checkpoint has no optimizer buffer 'exp_avg_sq' (the checkpoint "
            "holds [exp_avg], this run's optimizer (adam) keeps [exp_avg, exp_avg_sq]) (hint: resume "
            "with the optimizer settings the checkpoint was trained with)");
}

}  // namespace
}  // namespace mixprec
