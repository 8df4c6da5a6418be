// The element-wise kernels around the matmuls:
//   cast:      round_from_float, fp32 -> f16/bf16 over all 669,706 parameters (the mixed
//              modes' working copy), with and without the rounding statistics
//   epilogues: bias_activation_forward and activation_backward at (128, 512), the hidden
//              layers of the benchmark MLP, per compute format, each in a parallel region
//              of its own (in training they share one with the work next to them)
#include <benchmark/benchmark.h>

#include "bench_data.hpp"
#include "precision/convert.hpp"
#include "kernels/linear_epilogue.hpp"

namespace mixprec {
namespace {

constexpr std::size_t kParams = 669706;  // 784*512 + 512 + 512*512 + 512 + 512*10 + 10
constexpr int kBatch = 128;
constexpr int kWidth = 512;

template <class T>
void BM_Cast(benchmark::State& state) {
  const bool count = state.range(0) != 0;
  const Buffer src = random_buffer(Format::kF32, kParams, 0.05f);
  Buffer dst(FormatOf<T>::value, kParams);
  RoundStats stats;
  for (auto _ : state) {
    round_from_float<T>(src.as<float>(), dst.as<T>(), kParams, kNearestEven, count ? &stats : nullptr);
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(std::int64_t(state.iterations()) * std::int64_t(kParams));
  state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(kParams) *
                          std::int64_t(sizeof(float) + sizeof(T)));
}
BENCHMARK_TEMPLATE(BM_Cast, f16)->ArgName("stats")->Arg(0)->Arg(1)->UseRealTime();
BENCHMARK_TEMPLATE(BM_Cast, bf16)->ArgName("stats")->Arg(0)->Arg(1)->UseRealTime();

// range(0): the Activation (0 relu, 1 gelu, 2 tanh).
template <class T>
void BM_BiasActivationForward(benchmark::State& state) {
  const auto act = static_cast<Activation>(state.range(0));
  const std::size_t n = std::size_t(kBatch) * kWidth;
  const Buffer acc = random_buffer(Format::kF32, n);
  const Buffer bias = random_buffer(FormatOf<T>::value, kWidth, 0.1f, 3);
  Buffer z(FormatOf<T>::value, n), a(FormatOf<T>::value, n);
  for (auto _ : state) {
#pragma omp parallel
    bias_activation_forward<T>(acc.as<float>(), bias.as<T>(), act, z.as<T>(), a.as<T>(), kBatch,
                               kWidth);
    benchmark::DoNotOptimize(a.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(std::int64_t(state.iterations()) * std::int64_t(n));
}
BENCHMARK_TEMPLATE(BM_BiasActivationForward, float)->ArgName("act")->DenseRange(0, 2)->UseRealTime();
BENCHMARK_TEMPLATE(BM_BiasActivationForward, bf16)->ArgName("act")->DenseRange(0, 2)->UseRealTime();
BENCHMARK_TEMPLATE(BM_BiasActivationForward, f16)->ArgName("act")->DenseRange(0, 2)->UseRealTime();

template <class T>
void BM_ActivationBackward(benchmark::State& state) {
  const auto act = static_cast<Activation>(state.range(0));
  const std::size_t n = std::size_t(kBatch) * kWidth;
  const Buffer da = random_buffer(Format::kF32, n, 1e-3f);
  const Buffer saved = random_buffer(FormatOf<T>::value, n, 1.0f, 4);
  Buffer dz(FormatOf<T>::value, n);
  RoundStats stats;
  for (auto _ : state) {
#pragma omp parallel
    activation_backward<T>(da.as<float>(), saved.as<T>(), act, dz.as<T>(), kBatch, kWidth, kNearestEven,
                           &stats);
    benchmark::DoNotOptimize(dz.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(std::int64_t(state.iterations()) * std::int64_t(n));
}
BENCHMARK_TEMPLATE(BM_ActivationBackward, float)->ArgName("act")->DenseRange(0, 2)->UseRealTime();
BENCHMARK_TEMPLATE(BM_ActivationBackward, bf16)->ArgName("act")->DenseRange(0, 2)->UseRealTime();
BENCHMARK_TEMPLATE(BM_ActivationBackward, f16)->ArgName("act")->DenseRange(0, 2)->UseRealTime();

}  // namespace
}  // namespace mixprec
