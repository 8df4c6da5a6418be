#pragma once
// `mixprec sweep CONFIG [--precision LIST] [--seeds LIST] [--set key=v1,v2]... [--jobs N]
//                       [--out DIR] [--dry-run]`
#include <string>

#include <CLI/CLI.hpp>

#include "sweep/sweep_plan.hpp"

namespace mixprec {

struct SweepOptions {
  SweepRequest request;
  bool dry_run = false;
};

void setup_sweep_command(CLI::App& app, SweepOptions& options, int& exit_code);
// Returns the process exit code: 0 all runs completed, 3 a run failed or diverged,
// 130 interrupted. --dry-run prints one command per line and returns 0.
int run_sweep(const SweepOptions& options);

}  // namespace mixprec
