#pragma once
// One training run: the numbered training step of NUMERICS.md, the epoch loop with
// evaluation, and the JSON-lines log. Only the policy (src/precision) knows what the mode
// stores where; the trainer asks it.
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.hpp"
#include "data/dataset.hpp"
#include "metrics/phase_timer.hpp"
#include "nn/mlp.hpp"
#include "optim/optimizer.hpp"
#include "report/run_log.hpp"
#include "train/epoch_stats.hpp"
#include "train/loss_scaler.hpp"
#include "train/parameter_store.hpp"

namespace mixprec {

struct Evaluation {
  double loss = 0.0;      // mean over the rows
  double accuracy = 0.0;  // fraction correct
  double seconds = 0.0;
};

struct RunOutcome {
  std::string status = "completed";  // completed | interrupted | diverged | failed
  std::string reason;                // empty when completed
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

 private:
  enum class StepResult { kApplied, kSkipped, kDiverged, kScaleBelowMinimum };
  StepResult train_step(const std::int32_t* rows, int batch, float lr);
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
};

}  // namespace mixprec
