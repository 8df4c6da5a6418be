#pragma once
// `mixprec bench`: JSON on stdout with the machine's measured peak, GEMM GFLOP/s per
// precision at the benchmark MLP's shapes, and end-to-end training samples/s per precision
// (real `mixprec train` runs), each with its share of the peak.
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace mixprec {

struct BenchOptions {
  std::string config_path = "configs/fashion-mnist.json";
  std::vector<std::string> overrides;
  std::string precisions = "fp32,bf16-mixed,fp16-mixed,bf16-true,fp16-true";
  int epochs = 3;          // the first is warm-up; samples/s is the median of the others
  int rounds = 3;          // each round trains every precision once, in turn
  int threads = 2;
  bool skip_training = false;
  bool config_given = false;  // --config on the command line; else found from the binary
};

void setup_bench_command(CLI::App& app, BenchOptions& options, int& exit_code);
int run_bench(const BenchOptions& options);

}  // namespace mixprec
