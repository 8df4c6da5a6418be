// The FP8 conversions (precision/fp8_convert.hpp) on 2^20 values, serial, against the scalar
// path from the row's widths (generic_format.cpp) that the vector loops replace:
//   cast:   fp32 -> E4M3 / E5M2, scale 0.5, without and with the statistics and amax
//   scalar: the same cast by from_float_by_widths (its statistics always on: arg 1)
//   widen:  E4M3 / E5M2 -> fp32 and -> bf16 (the carrier operand)
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include "precision/fp8_convert.hpp"
#include "precision/generic_format.hpp"

namespace mixprec {
namespace {

constexpr std::size_t kValues = std::size_t(1) << 20;

std::vector<float> normal_values(float stddev) {
  std::mt19937 rng(1);
  std::normal_distribution<float> normal(0.0f, stddev);
  std::vector<float> v(kValues);
  for (float& x : v) x = normal(rng);
  return v;
}

// range(0): 0 e4m3, 1 e5m2; range(1): statistics and amax (1) or not (0).
void BM_Fp8Cast(benchmark::State& state) {
  const FormatTraits& row = traits(state.range(0) == 0 ? Format::kE4m3 : Format::kE5m2);
  const bool count = state.range(1) != 0;
  const std::vector<float> src = normal_values(100.0f);
  std::vector<std::uint8_t> dst(kValues);
  RoundStats stats;
  float amax = 0.0f;
  for (auto _ : state) {
    round_to_fp8(row, src.data(), dst.data(), kValues, 0.5f, count ? &stats : nullptr, count ? &amax : nullptr);
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(std::int64_t(state.iterations()) * std::int64_t(kValues));
}
BENCHMARK(BM_Fp8Cast)->ArgNames({"e5m2", "stats"})->ArgsProduct({{0, 1}, {0, 1}})->UseRealTime();

void BM_Fp8CastScalar(benchmark::State& state) {
  const FormatTraits& row = traits(state.range(0) == 0 ? Format::kE4m3 : Format::kE5m2);
  const std::vector<float> src = normal_values(100.0f);
  std::vector<float> scaled(kValues);
  std::vector<std::uint8_t> dst(kValues);
  RoundStats stats;
  for (auto _ : state) {
    for (std::size_t i = 0; i < kValues; ++i) scaled[i] = src[i] * 0.5f;
    from_float_by_widths(row, scaled.data(), dst.data(), kValues, kNearestEven, &stats);
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(std::int64_t(state.iterations()) * std::int64_t(kValues));
}
BENCHMARK(BM_Fp8CastScalar)->ArgName("e5m2")->Arg(0)->Arg(1)->UseRealTime();

// range(0): 0 e4m3, 1 e5m2; range(1): 0 to fp32, 1 to bf16, 2 to fp32 by the scalar path.
void BM_Fp8Widen(benchmark::State& state) {
  const FormatTraits& row = traits(state.range(0) == 0 ? Format::kE4m3 : Format::kE5m2);
  std::mt19937 rng(2);
  std::vector<std::uint8_t> src(kValues);
  for (auto& c : src) c = std::uint8_t(rng());
  std::vector<float> wide(kValues);
  std::vector<bf16> carrier(kValues);
  for (auto _ : state) {
    switch (state.range(1)) {
      case 0: fp8_to_float(row, src.data(), wide.data(), kValues); break;
      case 1: fp8_to_bf16(row, src.data(), carrier.data(), kValues); break;
      default: to_float_by_widths(row, src.data(), wide.data(), kValues);
    }
    benchmark::DoNotOptimize(wide.data());
    benchmark::DoNotOptimize(carrier.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(std::int64_t(state.iterations()) * std::int64_t(kValues));
}
BENCHMARK(BM_Fp8Widen)->ArgNames({"e5m2", "to"})->ArgsProduct({{0, 1}, {0, 1, 2}})->UseRealTime();

}  // namespace
}  // namespace mixprec
