#pragma once
// `mixprec train CONFIG [--set key=value]... [--out DIR] [--save-model]`
// `mixprec train --resume RUN_DIR`
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace mixprec {

struct TrainOptions {
  std::string config_path;
  std::vector<std::string> overrides;
  std::string out_dir;     // explicit run directory; empty: runs/<name>-<precision>-<time>
  std::string out_root = "runs";
  // Checkpoints (docs/checkpoint.md): --save-model writes RUN_DIR/checkpoint.ckpt at the
  // start and after every epoch, and RUN_DIR/model.ckpt when the run completes.
  bool save_model = false;
  std::string resume_dir;     // --resume: continue this run (its config.json and checkpoint)
  int stop_after_epochs = 0;  // hidden, for tests: end as "interrupted" after epoch N
  bool quiet = false;         // no progress during epochs (neither the live line nor the 5 s lines)
};

void setup_train_command(CLI::App& app, TrainOptions& options, int& exit_code,
                         const std::string& command_line);
// Returns the process exit code: 0 completed, 130 interrupted, 3 diverged.
int run_train(const TrainOptions& options, const std::string& command_line);

}  // namespace mixprec
