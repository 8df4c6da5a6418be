#pragma once
// `mixprec bench`: JSON on stdout with the machine's measured peak (bench_peak), GEMM
// GFLOP/s per format at the shapes of the config's model on its data (bench_gemm), and
// end-to-end training samples/s per precision from real `mixprec train` runs
// (bench_training), each with its share of the peak (bench_report).
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
