// Trainer::run: the epoch loop around train_step, and the records it writes (run_start,
// one per epoch, run_end) and the summary.
#include "train/trainer.hpp"

#include <algorithm>
#include <cmath>

#include <omp.h>

#include <spdlog/spdlog.h>

#include "metrics/cpu_share.hpp"
#include "metrics/memory.hpp"
#include "optim/schedule.hpp"
#include "train/inference_comparison.hpp"
#include "train/interrupt.hpp"
#include "train/run_verdict.hpp"

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

nlohmann::json evaluation_json(const Evaluation& e) {
  return {{"loss", e.loss}, {"accuracy", e.accuracy}};
}

}  // namespace

std::optional<std::pair<std::string, std::string>> Trainer::why_stop(StepResult r,
                                                                    int epoch) const {
  // The site and hint come from track_nonfinite's scan of the step's tensors.
  const std::string site = divergence_ ? "; " + divergence_->describe() : "";
  const std::string hint = divergence_ ? divergence_->hint : "lower optimizer.lr";
  if (r == StepResult::kDiverged)
    return std::pair{"diverged", fmt::format(
        "non-finite loss or gradient at step {} (epoch {}) with loss scaling none{}; hint: {}",
        global_step_, epoch, site, hint)};
  if (r == StepResult::kScaleBelowMinimum)
    return std::pair{"diverged", fmt::format(
        "loss scale fell below loss_scale.min = {} at step {} (epoch {}): gradients were "
        "non-finite at every scale{}; hint: {}", cfg_.loss_scale.min, global_step_, epoch, site, hint)};
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
      {"divergence", outcome.divergence ? outcome.divergence->to_json() : nlohmann::json(nullptr)},
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


std::int64_t Trainer::steps_per_epoch() const {
  const int bs = cfg_.train.batch_size;
  return (data_.train.rows() + bs - 1) / bs;  // the last partial batch counts
}

nlohmann::json Trainer::formats_json() const {
  nlohmann::json formats = nlohmann::json::object();
  for (TensorRole role : kAllTensorRoles)
    formats[std::string(to_string(role))] = to_string(policy_.format(role));
  formats["master_weights"] = policy_.master ? to_string(*policy_.master) : "none";
  formats["optimizer_state"] = to_string(policy_.optimizer_state);
  return formats;
}

nlohmann::json Trainer::run_start_record(const nlohmann::json& extra,
                                         std::int64_t rss_at_start) const {
  nlohmann::json start = extra;
  start["type"] = "run_start";
  start["precision"] = to_string(cfg_.precision);
  // The weights' format (what the matmuls read), and the format of every tensor role, so
  // that `compare` reads each run's formats from its log instead of from the mode's name.
  start["compute_format"] = to_string(policy_.format(TensorRole::kWeight));
  start["formats"] = formats_json();
  start["loss_scaling"] = to_string(scaler_.mode());
  start["parameters"] = params_.size();
  start["train_rows"] = data_.train.rows();
  start["test_rows"] = data_.test.rows();
  start["steps_per_epoch"] = steps_per_epoch();
  start["data"] = data_.description;
  start["memory_accounted"] = accounted_memory();
  start["rss_at_start_bytes"] = rss_at_start;
  if (resumed_) start["resumed_from_epoch"] = totals_.epochs_completed;
  return start;
}

Trainer::EpochLoop Trainer::train_epoch(int epoch, RunOutcome& outcome) {
  const std::int64_t n = data_.train.rows();
  const int bs = cfg_.train.batch_size;
  const std::int64_t steps = steps_per_epoch();
  const std::int64_t total_steps = steps * cfg_.train.epochs;
  phases_.reset();
  epoch_ = EpochStats{};
  if (cfg_.train.shuffle) shuffle_rows(order_, shuffle_rng_);
  EpochLoop loop;
  Stopwatch epoch_watch, progress_watch;
  const CpuShareMeter cpu_share(omp_get_max_threads());
  for (std::int64_t s = 0; s < steps; ++s) {
    const std::int64_t begin = s * bs;
    const int batch = int(std::min<std::int64_t>(bs, n - begin));
    loop.lr = float(learning_rate(cfg_.schedule, cfg_.optimizer.lr, global_step_, steps,
                                  total_steps));
    const StepResult r = train_step(order_.data() + begin, batch, loop.lr);
    track_nonfinite(r, batch, step_loss_);
    ++global_step_;
    ++epoch_.steps;
    loop.samples += batch;
    if (const auto stop = why_stop(r, epoch)) {
      outcome.status = stop->first;
      outcome.reason = stop->second;
      outcome.divergence = divergence_;
      break;
    }
    if (progress_.active()) {
      const double elapsed = epoch_watch.seconds();
      const std::int64_t steps_left = (steps - s - 1) + steps * (cfg_.train.epochs - epoch);
      progress_.update(epoch, cfg_.train.epochs, s + 1, steps, double(loop.samples) / elapsed,
                       elapsed / double(s + 1) * double(steps_left));
    } else if (periodic_progress_ && progress_watch.seconds() > 5.0) {
      spdlog::info("epoch {}: {}/{} steps, loss {:.4f}", epoch, s + 1, steps,
                   epoch_.loss_sum / double(std::max<std::int64_t>(1, epoch_.samples)));
      progress_watch = Stopwatch();
    }
  }
  progress_.clear();
  loop.seconds = epoch_watch.seconds();
  loop.cpu_share = cpu_share.share();
  return loop;
}

nlohmann::json Trainer::epoch_record(int epoch, bool warmup, const EpochLoop& loop,
                                     double eval_seconds) const {
  nlohmann::json record = {
      {"type", "epoch"},
      {"epoch", epoch},
      {"warmup", warmup},
      {"lr", loop.lr},
      {"steps", epoch_.steps},
      {"train_loss_running", epoch_.loss_sum / double(std::max<std::int64_t>(1, epoch_.samples))},
      {"train", evaluation_json(totals_.last_train)},
      {"test", evaluation_json(totals_.last_test)},
      {"epoch_time_s", loop.seconds},
      {"eval_time_s", eval_seconds},
      {"samples_per_s", double(loop.samples) / loop.seconds},
      {"cpu_share", loop.cpu_share},
      {"phases_s", phases_.to_json()},
      {"precision_stats", epoch_.precision_json(policy_.rounds_any_role(), policy_.has_master())},
      {"peak_rss_bytes", peak_rss_bytes()},
  };
  if (totals_.last_validation) record["validation"] = evaluation_json(*totals_.last_validation);
  return record;
}

RunOutcome Trainer::run(RunLog& log, const nlohmann::json& run_start_extra) {
  RunOutcome outcome;
  const std::int64_t rss_at_start = current_rss_bytes();
  log.write(run_start_record(run_start_extra, rss_at_start));

  // The totals live in totals_ so that checkpoints carry them; after restore() they hold
  // the epochs before this process and the loop continues with the next epoch.
  RunTotals& t = totals_;
  const int first_epoch = t.epochs_completed + 1;  // warm-up epoch of this process
  outcome.epochs_completed = t.epochs_completed;
  seconds_before_ = t.seconds;
  run_watch_.restart();
  const std::uint64_t weights_before = weights_fingerprint(params_.weights_as_float());
  const std::int64_t steps_before = global_step_;

  for (int epoch = first_epoch; epoch <= cfg_.train.epochs; ++epoch) {
    const EpochLoop loop = train_epoch(epoch, outcome);
    if (outcome.status != "completed") break;
    // More threads than cores was warned about at the start (cli/threads.cpp).
    if (loop.cpu_share < kBusyCpuShare && omp_get_max_threads() <= omp_get_num_procs())
      spdlog::warn("epoch {}: the run got {:.0f}% of its {} threads' CPU time (other processes "
                   "were using the cores): its timings are not the hardware's; rerun on an idle "
                   "machine or with fewer threads", epoch, 100.0 * loop.cpu_share,
                   omp_get_max_threads());

    // Evaluation, timed apart from the training loop.
    {
      ScopedPhase timed(phases_, Phase::kEvaluation);
      t.last_train = evaluate(data_.train);
      t.last_test = evaluate(data_.test);
      if (data_.validation) t.last_validation = evaluate(*data_.validation);
    }
    const double eval_s = phases_.seconds(Phase::kEvaluation);
    const double rate = double(loop.samples) / loop.seconds;
    t.train_seconds += loop.seconds;
    t.eval_seconds += eval_s;
    t.skipped_steps += epoch_.skipped_steps;
    if (epoch > first_epoch || cfg_.train.epochs == 1) {
      t.epoch_times.push_back(loop.seconds);
      t.epoch_rates.push_back(rate);
    }
    log.write(epoch_record(epoch, epoch == first_epoch, loop, eval_s));
    outcome.epochs_completed = t.epochs_completed = epoch;
    spdlog::info("epoch {}/{}: train loss {:.4f} acc {:.2f}% | test loss {:.4f} acc {:.2f}% | "
                 "{:.0f} samples/s | {:.2f}s + eval {:.2f}s{}",
                 epoch, cfg_.train.epochs, t.last_train.loss, 100 * t.last_train.accuracy,
                 t.last_test.loss, 100 * t.last_test.accuracy, rate, loop.seconds, eval_s,
                 epoch_.skipped_steps ? fmt::format(" | {} skipped", epoch_.skipped_steps) : "");
    if (epoch_end_hook_) epoch_end_hook_(*this);
    if (stop_after_epochs_ > 0 && epoch >= stop_after_epochs_ && epoch < cfg_.train.epochs) {
      outcome.status = "interrupted";
      outcome.reason = fmt::format("stopped after epoch {} as asked (--stop-after-epochs)", epoch);
      break;
    }
  }

  if (outcome.status == "completed")
    if (auto cause = untrained_cause({global_step_, t.skipped_steps, global_step_ - steps_before,
                                      weights_before, weights_fingerprint(params_.weights_as_float()),
                                      scaler_.scale()}))
    {
      outcome.status = "untrained";
      outcome.reason = *cause;
    }
  outcome.summary = summary_json(outcome, rss_at_start);
  if (outcome.epochs_completed > 0) {
    spdlog::info("comparing inference in fp32, bf16, fp16 and with E4M3 weights on the test set");
    outcome.summary["inference"] =
        compare_inference(mlp_.layout(), cfg_.model.activation, params_.weights_as_float(),
                          data_.test, eval_ws_.capacity);
  }
  if (run_end_hook_) run_end_hook_(outcome);  // writes summary.json before run_end says so
  log.write({{"type", "run_end"}, {"status", outcome.status}, {"reason", outcome.reason},
             {"epochs_completed", outcome.epochs_completed},
             {"total_time_s", seconds_before_ + run_watch_.seconds()}});
  return outcome;
}

}  // namespace mixprec
