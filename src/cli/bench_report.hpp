#pragma once
// The JSON `mixprec bench` prints (docs/schema/bench.schema.json, docs/performance.md):
// the measured parts side by side, each speed with its share of the peak, speed-ups against
// fp32 as medians of same-round ratios, and whether other processes had the cores.
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/bench_gemm.hpp"
#include "cli/bench_peak.hpp"
#include "cli/bench_setup.hpp"
#include "cli/bench_training.hpp"

namespace mixprec {

struct BenchResults {
  const BenchSetup& setup;
  int threads = 0;
  BenchPeak peak;
  std::vector<GemmResult> gemm;
  double gemm_cpu_share = 0.0;
  std::vector<TrainingRuns> training;  // empty with --skip-training
};

// "machine_busy" is true where an epoch's or the GEMMs' cpu_share was below kBusyCpuShare,
// or a product beat the measured peak (its share_of_peak is then null).
nlohmann::json bench_json(const BenchResults& r);

}  // namespace mixprec
