#pragma once
// One training run: the numbered training step of NUMERICS.md, the epoch loop with
// evaluation, and the JSON-lines log. Only the policy (src/precision) knows what the mode
// stores where; the trainer asks it.
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "checkpoint/checkpoint.hpp"
#include "config/config.hpp"
#include "data/load_data.hpp"
#include "metrics/phase_timer.hpp"
#include "metrics/stopwatch.hpp"
#include "nn/mlp.hpp"
#include "optim/optimizer.hpp"
#include "report/progress_line.hpp"
#include "report/run_log.hpp"
#include "train/divergence.hpp"
#include "train/epoch_stats.hpp"
#include "train/loss_scaler.hpp"
#include "train/parameter_store.hpp"

namespace mixprec {

struct Evaluation {
  double loss = 0.0;      // mean over the rows
  double accuracy = 0.0;  // fraction correct
  double seconds = 0.0;
};

// What summary.json sums over the whole run. Checkpoints carry it, so that the summary of
// a resumed run covers the epochs before the interruption too.
struct RunTotals {
  int epochs_completed = 0;
  double seconds = 0.0;        // wall time of the run so far (all processes)
  double train_seconds = 0.0;
  double eval_seconds = 0.0;
  std::int64_t skipped_steps = 0;
  std::vector<double> epoch_times, epoch_rates;  // epochs after each process's warm-up
  Evaluation last_train, last_test;  // of the last completed epoch (if any)
  std::optional<Evaluation> last_validation;
};

struct RunOutcome {
  // completed | interrupted | diverged | untrained (run_verdict.hpp) | failed
  std::string status = "completed";
  std::string reason;                // empty when completed
  std::optional<NonFiniteSite> divergence;  // diverged: where the first non-finite value appeared
  int epochs_completed = 0;
  nlohmann::json summary;            // what summary.json holds
};

class Trainer {
 public:
  Trainer(const Config& cfg, const DataSplits& data);

  // Trains cfg.train.epochs epochs, writing run_start, one record per epoch and run_end
  // to `log`. `run_start_extra` is merged into the run_start record (environment, paths).
  RunOutcome run(RunLog& log, const nlohmann::json& run_start_extra);

  Evaluation evaluate(const Dataset& set);
  const PrecisionPolicy& policy() const { return policy_; }
  const ParameterStore& parameters() const { return params_; }
  const Mlp& model() const { return mlp_; }
  // Bytes of each memory category, computed from what this run allocated.
  nlohmann::json accounted_memory() const;

  // Checkpoints and resuming (trainer_checkpoint.cpp). The state is taken and restored at
  // an epoch boundary only: before run(), or from the epoch-end hook.
  Checkpoint checkpoint();
  // The format of each tensor role, the master weights and the optimizer state, by name:
  // run_start and summary.json carry it, and `compare` reads it from there.
  nlohmann::json formats_json() const;
  // Continues from `ckpt`: run() then starts with epoch ckpt.epochs_completed + 1 and ends
  // bit-identical to a run that was never interrupted. Throws UserError naming `file` when
  // the checkpoint does not fit this run's model, optimizer or data.
  void restore(const Checkpoint& ckpt, const std::string& file);
  // Called after each completed epoch has been logged (train --save-model writes
  // checkpoint.ckpt from it).
  void on_epoch_end(std::function<void(Trainer&)> hook) { epoch_end_hook_ = std::move(hook); }
  // Called with the outcome (summary included) just before run_end is logged: train writes
  // summary.json there, so that run_end never announces a summary that is not on disk.
  void on_run_end(std::function<void(RunOutcome&)> hook) { run_end_hook_ = std::move(hook); }
  // Ends the run as "interrupted" after epoch `epochs` (tests of --resume; 0: never).
  void stop_after_epochs(int epochs) { stop_after_epochs_ = epochs; }
  // Progress during an epoch: a live line where stderr is a terminal, else a log line
  // every 5 s; `false` (train --quiet) shows neither.
  void show_progress(bool show) {
    progress_ = ProgressLine(show);
    periodic_progress_ = show;
  }
  const RunTotals& totals() const { return totals_; }

 private:
  enum class StepResult { kApplied, kSkipped, kDiverged, kScaleBelowMinimum };
  StepResult train_step(const std::int32_t* rows, int batch, float lr);
  // {status, reason} when the run must stop after this step, else nothing.
  std::optional<std::pair<std::string, std::string>> why_stop(StepResult r, int epoch) const;
  // Divergence diagnosis (train/divergence.hpp): the tensors of the step that just ran.
  StepTensors step_tensors(int batch, double loss);
  // Called with every step's outcome: scans the first step of each run of non-finite steps,
  // and on a step that ends the run, settles which site to report in divergence_.
  void track_nonfinite(StepResult r, int batch, double loss);
  // The pieces of run() (trainer_run.cpp).
  struct EpochLoop {
    float lr = 0.0f;            // of the last step
    std::int64_t samples = 0;   // trained in this epoch
    double seconds = 0.0;       // wall time of the training loop
    double cpu_share = 0.0;     // see metrics/cpu_share.hpp
  };
  std::int64_t steps_per_epoch() const;
  nlohmann::json run_start_record(const nlohmann::json& extra, std::int64_t rss_at_start) const;
  // The steps of one epoch; sets outcome's status and reason if the run must stop.
  EpochLoop train_epoch(int epoch, RunOutcome& outcome);
  nlohmann::json epoch_record(int epoch, bool warmup, const EpochLoop& loop,
                              double eval_seconds) const;
  nlohmann::json summary_json(const RunOutcome& outcome, std::int64_t rss_at_start) const;
  void gather(const Dataset& set, const std::int32_t* rows, int batch, Workspace& ws);

  Config cfg_;
  const DataSplits& data_;
  PrecisionPolicy policy_;
  Mlp mlp_;
  ParameterStore params_;
  Optimizer optimizer_;
  LossScaler scaler_;
  Workspace train_ws_;
  Workspace eval_ws_;
  std::vector<std::int32_t> order_;        // shuffled row indices of the epoch
  std::vector<std::int32_t> batch_labels_;
  std::vector<std::int32_t> eval_rows_;
  PhaseTimer phases_;
  EpochStats epoch_;
  std::mt19937_64 shuffle_rng_;
  std::int64_t global_step_ = 0;
  std::int64_t last_update_step_ = 0;           // 1-based step of the last applied update
  std::optional<NonFiniteSite> streak_site_;    // first site of the current non-finite streak
  std::optional<NonFiniteSite> divergence_;     // set when the run ends diverged
  double step_loss_ = 0.0;                      // the last step's loss sum (unscaled)
  // Resuming: totals_ holds the epochs before this process; run_watch_ times this process.
  RunTotals totals_;
  bool resumed_ = false;  // restore() was called: run_start says where the run resumed
  double seconds_before_ = 0.0;
  Stopwatch run_watch_;
  std::function<void(Trainer&)> epoch_end_hook_;
  std::function<void(RunOutcome&)> run_end_hook_;
  int stop_after_epochs_ = 0;
  ProgressLine progress_{true};
  bool periodic_progress_ = true;
};

}  // namespace mixprec
