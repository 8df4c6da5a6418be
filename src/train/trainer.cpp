#include "train/trainer.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <omp.h>

#include <spdlog/spdlog.h>

#include "kernels/matmul.hpp"
#include "kernels/simd_convert.hpp"
#include "metrics/cpu_share.hpp"
#include "metrics/memory.hpp"
#include "metrics/stopwatch.hpp"
#include "nn/init.hpp"
#include "nn/loss.hpp"
#include "optim/grad_norm.hpp"
#include "optim/schedule.hpp"
#include "train/inference_comparison.hpp"
#include "train/interrupt.hpp"

namespace mixprec {
namespace {

double median(std::vector<double> v) {
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Fisher-Yates on mt19937_64 with our own bounded draw: std::shuffle differs between
// standard libraries and runs must reproduce everywhere.
void shuffle_rows(std::vector<std::int32_t>& rows, std::mt19937_64& rng) {
  for (std::size_t i = rows.size(); i > 1; --i) {
    const std::size_t j = std::size_t(rng() % i);
    std::swap(rows[i - 1], rows[j]);
  }
}

LossScaling scaling_mode(const Config& cfg, const PrecisionPolicy& policy) {
  return cfg.loss_scale.mode.value_or(policy.default_loss_scaling);
}

nlohmann::json evaluation_json(const Evaluation& e) {
  return {{"loss", e.loss}, {"accuracy", e.accuracy}};
}

}  // namespace

Trainer::Trainer(const Config& cfg, const DataSplits& data)
    : cfg_(cfg),
      data_(data),
      policy_(policy_for(cfg.precision)),
      mlp_(ParamLayout(data.train.dim(), cfg.model.hidden, data.train.num_classes),
           cfg.model.activation, policy_.compute),
      params_(policy_, initial_parameters(mlp_.layout(), cfg.model.activation, cfg.model.init,
                                          cfg.seed)),
      optimizer_(cfg.optimizer, params_.size(), params_.update_format(), params_.grad_format(),
                 policy_.optimizer_state),
      scaler_(cfg.loss_scale, scaling_mode(cfg, policy_)),
      train_ws_(mlp_.layout(), cfg.model.activation, policy_.compute, cfg.train.batch_size, true),
      eval_ws_(mlp_.layout(), cfg.model.activation, policy_.compute, cfg.train.eval_batch_size,
               false),
      order_(std::size_t(data.train.rows())),
      batch_labels_(std::size_t(std::max(cfg.train.batch_size, cfg.train.eval_batch_size))),
      eval_rows_(std::size_t(cfg.train.eval_batch_size)),
      shuffle_rng_(cfg.seed ^ 0x5eed5eed5eed5eedULL) {
  std::iota(order_.begin(), order_.end(), 0);
}

void Trainer::gather(const Dataset& set, const std::int32_t* rows, int batch, Workspace& ws) {
  // x_0 (B, in) = the batch's rows, rounded to the compute format (NUMERICS.md step 2).
  const int dim = set.dim();
  dispatch_format(policy_.compute, [&](auto tag) {
    using T = decltype(tag);
    T* x = ws.input.as<T>();
    // The plain vector conversion per row: round_from_float would open a (nested, serial)
    // parallel region for every row, which cost more than the conversion itself.
#pragma omp parallel for schedule(static)
    for (int i = 0; i < batch; ++i)
      from_float_array<T>(set.x.data() + std::size_t(rows[i]) * dim, x + std::size_t(i) * dim,
                          std::size_t(dim));
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
    if (!std::isfinite(loss.loss) && scaler_.mode() == LossScaling::kNone)
      return StepResult::kDiverged;
  }
  // 4. Backward: gradients between layers and of every parameter rounded to 16-bit.
  RoundStats grad_rounding;
  {
    ScopedPhase t(phases_, Phase::kBackward);
    grad_rounding = mlp_.backward(params_.matmul_weights(), batch, train_ws_, params_.grads(),
                                  &epoch_.grad_rounding);
  }
  // 5. Unscale and check: a non-finite gradient skips the step (or ends the run). A 16-bit
  // gradient was counted as it was rounded; fp32 ones come straight from the matmuls.
  // 6. Update in fp32 (optimizer state fp32, except in the -true modes).
  ScopedPhase t(phases_, Phase::kOptimizer);
  const bool finite = params_.grad_format() == Format::kF32
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
                               optimizer_.state_bytes() + saved + train_ws_.scratch_bytes();
  // Inference holds the weights in the format it runs in and one batch's activations.
  const std::size_t inference_weights = policy_.compute == Format::kF32 ? params_.master_bytes()
                                                                        : weights_16;
  return {
      {"master_weights_bytes", params_.master_bytes()},
      {"working_weights_bytes", weights_16},
      {"gradient_bytes", params_.grad_bytes()},
      {"optimizer_state_bytes", optimizer_.state_bytes()},
      {"activation_bytes_per_batch", saved},
      {"workspace_bytes", train_ws_.scratch_bytes()},
      {"dataset_bytes", data_bytes},
      {"training_total_bytes", training},
      {"inference_weight_bytes", inference_weights},
      {"inference_activation_bytes_per_batch", eval_ws_.saved_activation_bytes()},
  };
}

std::optional<std::pair<std::string, std::string>> Trainer::why_stop(StepResult r,
                                                                    int epoch) const {
  if (r == StepResult::kDiverged)
    return std::pair{"diverged", fmt::format(
        "non-finite loss or gradient at step {} (epoch {}) with loss scaling none; try a "
        "lower optimizer.lr or loss_scale \"dynamic\"", global_step_, epoch)};
  if (r == StepResult::kScaleBelowMinimum)
    return std::pair{"diverged", fmt::format(
        "loss scale fell below loss_scale.min = {} at step {} (epoch {}): gradients are "
        "non-finite at every scale; try a lower optimizer.lr", cfg_.loss_scale.min,
        global_step_, epoch)};
  if (interrupt_requested())
    return std::pair{"interrupted", fmt::format("interrupted by a signal at step {} (epoch {})",
                                                global_step_, epoch)};
  return std::nullopt;
}

nlohmann::json Trainer::summary_json(const RunOutcome& outcome, std::int64_t rss_at_start) const {
  const RunTotals& t = totals_;
  nlohmann::json final_metrics = nullptr;
  if (outcome.epochs_completed > 0) {
    final_metrics = {{"train", evaluation_json(t.last_train)}, {"test", evaluation_json(t.last_test)}};
    if (t.last_validation) final_metrics["validation"] = evaluation_json(*t.last_validation);
  }
  auto median_or_null = [](const std::vector<double>& v) {
    return v.empty() ? nlohmann::json(nullptr) : nlohmann::json(median(v));
  };
  return {
      {"status", outcome.status},
      {"reason", outcome.reason},
      {"precision", to_string(cfg_.precision)},
      {"epochs_completed", outcome.epochs_completed},
      {"epochs_planned", cfg_.train.epochs},
      {"steps", global_step_},
      {"final", final_metrics},
      {"time",
       {{"total_s", seconds_before_ + run_watch_.seconds()},
        {"train_s", t.train_seconds},
        {"eval_s", t.eval_seconds},
        {"median_epoch_s", median_or_null(t.epoch_times)},
        {"median_samples_per_s", median_or_null(t.epoch_rates)},
        {"median_excludes_warmup_epoch", cfg_.train.epochs > 1}}},
      {"skipped_steps", t.skipped_steps},
      {"loss_scale_final", scaler_.scale()},
      {"loss_scaling", to_string(scaler_.mode())},
      {"memory",
       {{"accounted", accounted_memory()},
        {"measured", {{"rss_at_start_bytes", rss_at_start}, {"peak_rss_bytes", peak_rss_bytes()}}}}},
  };
}

RunOutcome Trainer::run(RunLog& log, const nlohmann::json& run_start_extra) {
  RunOutcome outcome;
  const std::int64_t n = data_.train.rows();
  const int bs = cfg_.train.batch_size;
  const std::int64_t steps_per_epoch = (n + bs - 1) / bs;  // the last partial batch counts
  const std::int64_t total_steps = steps_per_epoch * cfg_.train.epochs;
  const std::int64_t rss_at_start = current_rss_bytes();

  nlohmann::json start = run_start_extra;
  start["type"] = "run_start";
  start["precision"] = to_string(cfg_.precision);
  start["compute_format"] = to_string(policy_.compute);
  start["loss_scaling"] = to_string(scaler_.mode());
  start["parameters"] = params_.size();
  start["train_rows"] = n;
  start["test_rows"] = data_.test.rows();
  start["steps_per_epoch"] = steps_per_epoch;
  start["data"] = data_.description;
  start["memory_accounted"] = accounted_memory();
  start["rss_at_start_bytes"] = rss_at_start;
  if (resumed_) start["resumed_from_epoch"] = totals_.epochs_completed;
  log.write(start);

  // The totals live in totals_ so that checkpoints carry them; after restore() they hold
  // the epochs before this process and the loop continues with the next epoch.
  std::vector<double>& epoch_times = totals_.epoch_times;
  std::vector<double>& epoch_rates = totals_.epoch_rates;
  double& train_seconds = totals_.train_seconds;
  double& eval_seconds = totals_.eval_seconds;
  std::int64_t& skipped_total = totals_.skipped_steps;
  Evaluation& last_train = totals_.last_train;
  Evaluation& last_test = totals_.last_test;
  std::optional<Evaluation>& last_val = totals_.last_validation;
  const int first_epoch = totals_.epochs_completed + 1;  // warm-up epoch of this process
  outcome.epochs_completed = totals_.epochs_completed;
  seconds_before_ = totals_.seconds;
  run_watch_.restart();

  for (int epoch = first_epoch; epoch <= cfg_.train.epochs && outcome.status == "completed"; ++epoch) {
    phases_.reset();
    epoch_ = EpochStats{};
    if (cfg_.train.shuffle) shuffle_rows(order_, shuffle_rng_);
    Stopwatch epoch_watch, progress_watch;
    const CpuShareMeter cpu_share(omp_get_max_threads());
    float lr = 0.0f;
    std::int64_t samples_done = 0;
    for (std::int64_t s = 0; s < steps_per_epoch; ++s) {
      const std::int64_t begin = s * bs;
      const int batch = int(std::min<std::int64_t>(bs, n - begin));
      lr = float(learning_rate(cfg_.schedule, cfg_.optimizer.lr, global_step_, steps_per_epoch,
                               total_steps));
      const StepResult r = train_step(order_.data() + begin, batch, lr);
      ++global_step_;
      ++epoch_.steps;
      samples_done += batch;
      if (const auto stop = why_stop(r, epoch)) {
        outcome.status = stop->first;
        outcome.reason = stop->second;
      }
      if (outcome.status != "completed") break;
      if (progress_watch.seconds() > 5.0) {
        spdlog::info("epoch {}: {}/{} steps, loss {:.4f}", epoch, s + 1, steps_per_epoch,
                     epoch_.loss_sum / double(std::max<std::int64_t>(1, epoch_.samples)));
        progress_watch = Stopwatch();
      }
    }
    const double epoch_seconds = epoch_watch.seconds();
    const double share = cpu_share.share();
    if (outcome.status != "completed") break;
    if (share < kBusyCpuShare)
      spdlog::warn("epoch {}: the run got {:.0f}% of its {} threads' CPU time (other processes "
                   "were using the cores): its timings are not the hardware's; rerun on an idle "
                   "machine or with fewer threads", epoch, 100.0 * share, omp_get_max_threads());

    // Evaluation, timed apart from the training loop.
    {
      ScopedPhase t(phases_, Phase::kEvaluation);
      last_train = evaluate(data_.train);
      last_test = evaluate(data_.test);
      if (data_.validation) last_val = evaluate(*data_.validation);
    }
    const double eval_s = phases_.seconds(Phase::kEvaluation);
    const double rate = double(samples_done) / epoch_seconds;
    train_seconds += epoch_seconds;
    eval_seconds += eval_s;
    skipped_total += epoch_.skipped_steps;
    if (epoch > first_epoch || cfg_.train.epochs == 1) {
      epoch_times.push_back(epoch_seconds);
      epoch_rates.push_back(rate);
    }
    nlohmann::json record = {
        {"type", "epoch"},
        {"epoch", epoch},
        {"warmup", epoch == first_epoch},
        {"lr", lr},
        {"steps", epoch_.steps},
        {"train_loss_running", epoch_.loss_sum / double(std::max<std::int64_t>(1, epoch_.samples))},
        {"train", evaluation_json(last_train)},
        {"test", evaluation_json(last_test)},
        {"epoch_time_s", epoch_seconds},
        {"eval_time_s", eval_s},
        {"samples_per_s", rate},
        {"cpu_share", share},
        {"phases_s", phases_.to_json()},
        {"precision_stats", epoch_.precision_json(policy_.compute != Format::kF32,
                                                  policy_.has_fp32_master)},
        {"peak_rss_bytes", peak_rss_bytes()},
    };
    if (last_val) record["validation"] = evaluation_json(*last_val);
    log.write(record);
    outcome.epochs_completed = totals_.epochs_completed = epoch;
    spdlog::info("epoch {}/{}: train loss {:.4f} acc {:.2f}% | test loss {:.4f} acc {:.2f}% | "
                 "{:.0f} samples/s | {:.2f}s + eval {:.2f}s{}",
                 epoch, cfg_.train.epochs, last_train.loss, 100 * last_train.accuracy,
                 last_test.loss, 100 * last_test.accuracy, rate, epoch_seconds, eval_s,
                 epoch_.skipped_steps ? fmt::format(" | {} skipped", epoch_.skipped_steps) : "");
    if (epoch_end_hook_) epoch_end_hook_(*this);
    if (stop_after_epochs_ > 0 && epoch >= stop_after_epochs_ && epoch < cfg_.train.epochs) {
      outcome.status = "interrupted";
      outcome.reason = fmt::format("stopped after epoch {} as asked (--stop-after-epochs)", epoch);
    }
  }

  outcome.summary = summary_json(outcome, rss_at_start);
  if (outcome.epochs_completed > 0) {
    spdlog::info("comparing inference in fp32, bf16 and fp16 on the test set");
    outcome.summary["inference"] =
        compare_inference(mlp_.layout(), cfg_.model.activation, params_.weights_as_float(),
                          data_.test, cfg_.train.eval_batch_size);
  }
  nlohmann::json end = {{"type", "run_end"}, {"status", outcome.status}, {"reason", outcome.reason},
                        {"epochs_completed", outcome.epochs_completed},
                        {"total_time_s", seconds_before_ + run_watch_.seconds()}};
  log.write(end);
  return outcome;
}

}  // namespace mixprec
