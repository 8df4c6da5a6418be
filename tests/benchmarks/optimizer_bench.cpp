// Optimizer::step and the loss scaler's per-step checks over the benchmark MLP's 669,706
// parameters, in the storage each precision mode gives them (NUMERICS.md "Modes"):
//   fp32: W, G, S fp32;  *-mixed: W, S fp32, G 16-bit;  *-true: W, G, S 16-bit.
// SGD with momentum 0.9 (the default configuration) and AdamW. The step takes a fixed
// gradient each iteration; the state evolves, which does not change the work.
#include <benchmark/benchmark.h>

#include <vector>

#include "bench_data.hpp"
#include "optim/grad_norm.hpp"
#include "optim/optimizer.hpp"

namespace mixprec {
namespace {

constexpr std::size_t kParams = 669706;

struct Storage {
  Format weights, grads, state;
};
constexpr Storage kFp32{Format::kF32, Format::kF32, Format::kF32};
constexpr Storage kBf16Mixed{Format::kF32, Format::kBf16, Format::kF32};
constexpr Storage kFp16Mixed{Format::kF32, Format::kF16, Format::kF32};
constexpr Storage kBf16True{Format::kBf16, Format::kBf16, Format::kBf16};
constexpr Storage kFp16True{Format::kF16, Format::kF16, Format::kF16};

// Writes a buffer larger than the last-level cache, so that the next step reads its
// operands from memory, as it does in training after the matmuls have run.
void evict_caches() {
  static std::vector<char> junk(128u << 20);
  for (std::size_t i = 0; i < junk.size(); i += 64) junk[i] = static_cast<char>(junk[i] + 1);
  benchmark::ClobberMemory();
}

// range(0): 1 evicts the caches before every step (timed without the eviction), 0 keeps
// the 4-11 MB of weights, gradients and state warm.
void BM_OptimizerStep(benchmark::State& state, OptimizerKind kind, Storage s) {
  const bool cold = state.range(0) != 0;
  OptimizerConfig cfg;
  cfg.kind = kind;
  cfg.momentum = 0.9;
  cfg.weight_decay = kind == OptimizerKind::kAdamW ? 0.01 : 0.0;
  Buffer w = random_buffer(s.weights, kParams, 0.05f, 1);
  const Buffer g = random_buffer(s.grads, kParams, 1e-2f, 2);
  Optimizer opt(cfg, kParams, s.weights, s.grads, s.state);
  UpdateStats stats;
  opt.step(w.data(), g.data(), 0.01f, 1.0f, &stats);  // past the first step, threads warm
  for (auto _ : state) {
    if (cold) {
      state.PauseTiming();
      evict_caches();
      state.ResumeTiming();
    }
    opt.step(w.data(), g.data(), 0.01f, 1.0f, &stats);
    benchmark::ClobberMemory();
  }
  // Read w, g and the state, write w and the state.
  const std::size_t state_buffers = kind == OptimizerKind::kSgd ? 1 : 2;
  const std::size_t bytes = kParams * (2 * bytes_per_value(s.weights) + bytes_per_value(s.grads) +
                                       2 * state_buffers * bytes_per_value(s.state));
  state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(bytes));
  state.SetItemsProcessed(std::int64_t(state.iterations()) * std::int64_t(kParams));
}

// Warm, and cold with a fixed iteration count (each eviction takes longer than the step).
#define MIXPREC_OPTIMIZER_BENCHMARK(name, kind, storage)                                  \
  BENCHMARK_CAPTURE(BM_OptimizerStep, name, kind, storage)                                \
      ->ArgName("cold")->Arg(0)->UseRealTime();                                           \
  BENCHMARK_CAPTURE(BM_OptimizerStep, name, kind, storage)                                \
      ->ArgName("cold")->Arg(1)->Iterations(40)->UseRealTime()

MIXPREC_OPTIMIZER_BENCHMARK(sgd/fp32, OptimizerKind::kSgd, kFp32);
MIXPREC_OPTIMIZER_BENCHMARK(sgd/bf16_mixed, OptimizerKind::kSgd, kBf16Mixed);
MIXPREC_OPTIMIZER_BENCHMARK(sgd/fp16_mixed, OptimizerKind::kSgd, kFp16Mixed);
MIXPREC_OPTIMIZER_BENCHMARK(sgd/bf16_true, OptimizerKind::kSgd, kBf16True);
MIXPREC_OPTIMIZER_BENCHMARK(sgd/fp16_true, OptimizerKind::kSgd, kFp16True);
MIXPREC_OPTIMIZER_BENCHMARK(adamw/fp32, OptimizerKind::kAdamW, kFp32);
MIXPREC_OPTIMIZER_BENCHMARK(adamw/bf16_mixed, OptimizerKind::kAdamW, kBf16Mixed);
MIXPREC_OPTIMIZER_BENCHMARK(adamw/bf16_true, OptimizerKind::kAdamW, kBf16True);

void BM_AllFinite(benchmark::State& state, Format format) {
  const Buffer g = random_buffer(format, kParams, 1e-2f);
  for (auto _ : state) benchmark::DoNotOptimize(all_finite(g.data(), format, kParams));
  state.SetBytesProcessed(std::int64_t(state.iterations()) *
                          std::int64_t(kParams * bytes_per_value(format)));
}
BENCHMARK_CAPTURE(BM_AllFinite, fp32, Format::kF32)->UseRealTime();
BENCHMARK_CAPTURE(BM_AllFinite, bf16, Format::kBf16)->UseRealTime();
BENCHMARK_CAPTURE(BM_AllFinite, fp16, Format::kF16)->UseRealTime();

void BM_GradNorm(benchmark::State& state, Format format) {
  const Buffer g = random_buffer(format, kParams, 1e-2f);
  for (auto _ : state) benchmark::DoNotOptimize(grad_norm(g.data(), format, kParams, 0.5f));
  state.SetBytesProcessed(std::int64_t(state.iterations()) *
                          std::int64_t(kParams * bytes_per_value(format)));
}
BENCHMARK_CAPTURE(BM_GradNorm, fp32, Format::kF32)->UseRealTime();
BENCHMARK_CAPTURE(BM_GradNorm, bf16, Format::kBf16)->UseRealTime();

}  // namespace
}  // namespace mixprec
