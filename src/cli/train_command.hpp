#pragma once
// `mixprec train CONFIG [--set key=value]... [--out DIR]`
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace mixprec {

struct TrainOptions {
  std::string config_path;
  std::vector<std::string> overrides;
  std::string out_dir;     // explicit run directory; empty: runs/<name>-<precision>-<time>
  std::string out_root = "runs";
};

void setup_train_command(CLI::App& app, TrainOptions& options, int& exit_code,
                         const std::string& command_line);
// Returns the process exit code: 0 completed, 130 interrupted, 3 diverged.
int run_train(const TrainOptions& options, const std::string& command_line);

}  // namespace mixprec
