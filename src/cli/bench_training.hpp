#pragma once
// The end-to-end part of `mixprec bench`: real `mixprec train` runs (child processes of
// this binary), in rounds of one run per precision. A shared machine's speed drifts by tens
// of percent within minutes, so speed-ups are taken between runs of the same round, and
// every other round runs the precisions in reverse order so that a steady drift favours
// no precision (in one order the first run would always meet the slowest machine).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "precision/precision.hpp"

namespace mixprec {

struct TrainingRounds {
  std::string binary;                  // the mixprec to run
  std::string config_path;
  std::vector<std::string> overrides;  // --set for every run (then precision=<mode>)
  std::vector<Precision> precisions;
  int epochs = 0;                      // for the log line; the overrides set train.epochs
  int rounds = 0;
};

// One precision's runs, one entry per round.
struct TrainingRuns {
  Precision precision;
  std::vector<double> samples_per_s;     // summary.json time.median_samples_per_s
  std::vector<double> lowest_cpu_share;  // the lowest epoch cpu_share of metrics.jsonl
  nlohmann::json test_accuracy;          // the last round's final test accuracy
};

// Runs every round in a temporary folder, removed afterwards. Throws UserError with the
// child's own one-line error when a run fails.
std::vector<TrainingRuns> run_training_rounds(const TrainingRounds& plan);

}  // namespace mixprec
