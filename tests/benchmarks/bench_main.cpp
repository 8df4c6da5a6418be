// Micro-benchmarks of the kernels behind one training step (Google Benchmark): matmul per
// precision and transpose case, the fp32 -> 16-bit cast, the fused bias + activation +
// round epilogues, and the optimizer step, at the shapes of the benchmark MLP
// (784-512-512-10, batch 128, 669,706 parameters).
//
// Build and run (not part of ctest):
//   cmake --build build --target mixprec_bench -j2
//   build/mixprec_bench                                   # table
//   build/mixprec_bench --benchmark_format=json > bench.json
//   build/mixprec_bench --benchmark_filter='Matmul.*NN'   # a subset
//   build/mixprec_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
// Threads: OMP_NUM_THREADS if set, else 2 (the benchmark configuration); oneDNN uses the
// same OpenMP runtime. Matmul rows carry a label saying whether the format ran natively or
// was emulated in fp32 (NUMERICS.md "Kernels and honesty about speed").
#include <benchmark/benchmark.h>
#include <omp.h>

#include <cstdlib>
#include <string>

#include "kernels/matmul.hpp"

int main(int argc, char** argv) {
  const char* env = std::getenv("OMP_NUM_THREADS");
  const int threads = env != nullptr && std::atoi(env) > 0 ? std::atoi(env) : 2;
  omp_set_num_threads(threads);
  benchmark::AddCustomContext("omp_threads", std::to_string(threads));
  for (mixprec::Format f : {mixprec::Format::kF32, mixprec::Format::kBf16, mixprec::Format::kF16}) {
    const mixprec::MatmulPath& path = mixprec::matmul().path(f);
    benchmark::AddCustomContext("matmul_" + mixprec::to_string(f),
                                (path.native ? "native " : "emulated ") + path.impl);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
