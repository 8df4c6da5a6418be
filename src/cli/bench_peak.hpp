#pragma once
// The peak part of `mixprec bench`: the machine's fp32 FMA and bf16 dot-product throughput
// (metrics/peak.hpp) for 1..threads threads, and which of them a product is held against.
#include <optional>
#include <vector>

#include "precision/format.hpp"

namespace mixprec {

struct BenchPeakRow {
  int threads = 0;
  double fp32_fma_gflops = 0.0;
  std::optional<double> bf16_dot_gflops;  // none where the CPU has no bf16 dot product
};

struct BenchPeak {
  std::vector<BenchPeakRow> rows;  // threads 1..N: the last is the thread count in use

  double fp32_gflops() const { return rows.back().fp32_fma_gflops; }
  std::optional<double> bf16_gflops() const { return rows.back().bf16_dot_gflops; }
  // The peak a product in format `f` is held against: bf16's where bf16 products run
  // natively and it was measured, else fp32's (an emulated product runs in fp32).
  double for_format(Format f) const;
};

// Measures 1..threads threads in turn, then leaves OpenMP at `threads`.
BenchPeak measure_bench_peak(int threads);

}  // namespace mixprec
