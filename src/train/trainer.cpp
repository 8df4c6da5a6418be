#include "train/trainer.hpp"

#include "common/intrinsics_warnings.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "kernels/matmul.hpp"
#include "precision/round_loops.hpp"
#include "metrics/stopwatch.hpp"
#include "nn/init.hpp"
#include "nn/loss.hpp"
#include "optim/grad_norm.hpp"
#include "train/memory_estimate.hpp"

namespace mixprec {
namespace {

LossScaling scaling_mode(const Config& cfg, const PrecisionPolicy& policy) {
  return cfg.loss_scale.mode.value_or(policy.default_loss_scaling);
}

}  // namespace

Trainer::Trainer(const Config& cfg, const DataSplits& data)
    : cfg_(cfg),
      data_(data),
      policy_(policy_for(cfg.precision)),
      mlp_(ParamLayout(data.train.dim(), cfg.model.hidden, data.train.num_classes),
           cfg.model.activation, policy_.roles),
      params_(policy_, initial_parameters(mlp_.layout(), cfg.model.activation, cfg.model.init,
                                          cfg.seed)),
      optimizer_(cfg.optimizer, params_.size(), params_.update_format(), params_.grad_format(),
                 policy_.optimizer_state, cfg.rounding.weights, cfg.seed),
      scaler_(cfg.loss_scale, scaling_mode(cfg, policy_)),
      // Buffers for min(batch size, rows): a batch of 10 million on 1,000 rows needs 1,000.
      train_ws_(mlp_.layout(), cfg.model.activation, policy_.roles, training_capacity(cfg, data),
                true),
      eval_ws_(mlp_.layout(), cfg.model.activation, policy_.roles,
               evaluation_capacity(cfg, data), false),
      order_(std::size_t(data.train.rows())),
      batch_labels_(std::size_t(std::max(training_capacity(cfg, data), evaluation_capacity(cfg, data)))),
      eval_rows_(std::size_t(evaluation_capacity(cfg, data))),
      shuffle_rng_(cfg.seed ^ 0x5eed5eed5eed5eedULL) {
  std::iota(order_.begin(), order_.end(), 0);
}

void Trainer::gather(const Dataset& set, const std::int32_t* rows, int batch, Workspace& ws) {
  // x_0 (B, in) = the batch's rows, rounded to the compute format (NUMERICS.md step 2).
  // In the same parallel region, the weights are prepared for the forward pass (widened on
  // the emulated path, the first layer packed): that work reads the weights the optimizer
  // has just written, and overlaps with the wait for the batch's rows from memory.
  const int dim = set.dim();
  const void* weights = params_.matmul_weights();
  dispatch_format(policy_.format(TensorRole::kInput), [&](auto tag) {
    using T = decltype(tag);
    T* x = ws.input.as<T>();
    // The plain vector conversion per row: round_from_float would open a (nested, serial)
    // parallel region for every row, which cost more than the conversion itself.
#pragma omp parallel
    {
#pragma omp for schedule(static) nowait
      for (int i = 0; i < batch; ++i)
        from_float_array<T>(set.x.data() + std::size_t(rows[i]) * dim,
                            x + std::size_t(i) * dim, std::size_t(dim));
      mlp_.prepare_weights(weights, ws);
    }
  });
  for (int i = 0; i < batch; ++i) batch_labels_[i] = set.y[rows[i]];
}

Trainer::StepResult Trainer::train_step(const std::int32_t* rows, int batch, float lr) {
  // 1. Data: gather the batch and round it to the compute format.
  {
    ScopedPhase t(phases_, Phase::kData);
    gather(data_.train, rows, batch, train_ws_);
  }
  // 2. Cast: fp32 master -> 16-bit working copy (mixed modes only). Done: the previous
  // update rewrote the copy as it updated the master (ParameterStore::apply_update).
  // 3. Forward, then the loss in fp32, multiplied by the loss scale S.
  const float scale = scaler_.scale();
  epoch_.note_scale(scale);
  {
    ScopedPhase t(phases_, Phase::kForward);
    mlp_.forward(params_.matmul_weights(), batch, train_ws_);
    const LossSum loss =
        softmax_cross_entropy(train_ws_.logits.as<float>(), batch_labels_.data(), batch,
                              mlp_.layout().num_classes(), train_ws_.dlogits.as<float>(), scale);
    epoch_.loss_sum += loss.loss;
    epoch_.samples += batch;
    step_loss_ = loss.loss;
    if (!std::isfinite(loss.loss) && scaler_.mode() == LossScaling::kNone)
      return StepResult::kDiverged;
  }
  // 4. Backward: gradients between layers and of every parameter rounded to 16-bit.
  RoundStats grad_rounding;
  {
    ScopedPhase t(phases_, Phase::kBackward);
    // Stochastic rounding of the gradients is keyed by this step's number (NUMERICS.md).
    Rounding rounding;
    rounding.mode = cfg_.rounding.gradients;
    rounding.seed = cfg_.seed;
    rounding.step = std::uint64_t(global_step_);
    grad_rounding = mlp_.backward(params_.matmul_weights(), batch, train_ws_, params_.grads(),
                                  rounding, &epoch_.grad_rounding);
  }
  // 5. Unscale and check: a non-finite gradient skips the step (or ends the run). A 16-bit
  // gradient was counted as it was rounded; fp32 ones come straight from the matmuls.
  // 6. Update in fp32 (optimizer state fp32, except in the -true modes). One pass after
  // backward: the pass is bound by the cold fp32 master and momentum, not by the gradient,
  // so updating each layer inside backward did not pay (docs/performance.md).
  ScopedPhase t(phases_, Phase::kOptimizer);
  const bool finite = params_.grad_format() == kFloatFormat
                          ? all_finite(params_.grads(), params_.grad_format(), params_.size())
                          : grad_rounding.nonfinite == 0;
  switch (scaler_.update(finite)) {
    case StepVerdict::kDiverged: return StepResult::kDiverged;
    case StepVerdict::kScaleBelowMinimum: return StepResult::kScaleBelowMinimum;
    case StepVerdict::kSkip: ++epoch_.skipped_steps; return StepResult::kSkipped;
    case StepVerdict::kApply: break;
  }
  float multiplier = 1.0f / scale;
  if (cfg_.optimizer.clip_grad_norm > 0.0) {
    // Clipping acts on the unscaled gradients (NUMERICS.md), as torch's clip_grad_norm_.
    const double norm = grad_norm(params_.grads(), params_.grad_format(), params_.size(), multiplier);
    const double coefficient = cfg_.optimizer.clip_grad_norm / (norm + 1e-6);
    if (coefficient < 1.0) multiplier = float(multiplier * coefficient);
  }
  params_.apply_update(optimizer_, lr, multiplier, &epoch_.updates);
  return StepResult::kApplied;
}

StepTensors Trainer::step_tensors(int batch, double loss) {
  StepTensors t;
  t.layout = &mlp_.layout();
  t.compute = policy_.format(TensorRole::kWeight);
  t.weights = params_.matmul_weights();
  t.grads = params_.grads();
  t.grad_format = params_.grad_format();
  t.ws = &train_ws_;
  t.batch = batch;
  t.loss = loss;
  t.optimizer_state = optimizer_.state_buffers();
  return t;
}

void Trainer::track_nonfinite(StepResult r, int batch, double loss) {
  const std::int64_t step = global_step_ + 1;  // train_step has not counted it yet
  if (r == StepResult::kApplied) {
    last_update_step_ = step;
    streak_site_.reset();
    return;
  }
  if (!streak_site_) streak_site_ = locate_nonfinite(step_tensors(batch, loss), step, last_update_step_, cfg_);
  if (r != StepResult::kDiverged && r != StepResult::kScaleBelowMinimum) return;
  // A streak that began with gradients overflowing a high loss scale (what dynamic loss
  // scaling is for) says little; the last step's scan then shows what kept them non-finite.
  divergence_ = streak_site_;
  if (!divergence_ || divergence_->tensor == "gradient") {
    const auto last = locate_nonfinite(step_tensors(batch, loss), step, last_update_step_, cfg_);
    if (last && (!divergence_ || last->tensor != "gradient")) divergence_ = last;
  }
}

Evaluation Trainer::evaluate(const Dataset& set) {
  Stopwatch watch;
  double loss = 0.0;
  std::int64_t correct = 0;
  const int cap = eval_ws_.capacity;
  for (std::int64_t start = 0; start < set.rows(); start += cap) {
    const int batch = int(std::min<std::int64_t>(cap, set.rows() - start));
    std::iota(eval_rows_.begin(), eval_rows_.begin() + batch, std::int32_t(start));
    gather(set, eval_rows_.data(), batch, eval_ws_);
    mlp_.forward(params_.matmul_weights(), batch, eval_ws_);
    const LossSum s = softmax_cross_entropy(eval_ws_.logits.as<float>(), batch_labels_.data(),
                                            batch, mlp_.layout().num_classes());
    loss += s.loss;
    correct += s.correct;
  }
  const double rows = double(std::max<std::int64_t>(1, set.rows()));
  return {loss / rows, double(correct) / rows, watch.seconds()};
}

nlohmann::json Trainer::accounted_memory() const {
  const std::size_t saved = train_ws_.saved_activation_bytes();
  const std::size_t weights_16 = params_.working_bytes();
  const std::size_t data_bytes = data_.train.bytes() + data_.test.bytes() +
                                 (data_.validation ? data_.validation->bytes() : 0);
  const std::size_t training = params_.master_bytes() + weights_16 + params_.grad_bytes() +
                               optimizer_.state_bytes() + optimizer_.compensation_bytes() + saved +
                               train_ws_.scratch_bytes();
  // Inference holds the weights in the format it runs in and one batch's activations.
  const std::size_t inference_weights =
      bytes_per_value(policy_.format(TensorRole::kWeight)) * params_.size();
  return {
      {"master_weights_bytes", params_.master_bytes()},
      {"working_weights_bytes", weights_16},
      {"gradient_bytes", params_.grad_bytes()},
      {"optimizer_state_bytes", optimizer_.state_bytes()},
      {"compensation_bytes", optimizer_.compensation_bytes()},  // Kahan's c (-true modes)
      {"activation_bytes_per_batch", saved},
      // min(batch size, rows): what the buffers above were sized for.
      {"batch_rows_allocated", train_ws_.capacity},
      {"eval_batch_rows_allocated", eval_ws_.capacity},
      {"workspace_bytes", train_ws_.scratch_bytes()},
      {"dataset_bytes", data_bytes},
      {"training_total_bytes", training},
      {"inference_weight_bytes", inference_weights},
      {"inference_activation_bytes_per_batch", eval_ws_.saved_activation_bytes()},
  };
}

}  // namespace mixprec
