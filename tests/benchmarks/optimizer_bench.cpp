// Optimizer::step and the loss scaler's per-step checks over the benchmark MLP's 669,706
// parameters, in the storage each precision mode gives them (NUMERICS.md "Modes"):
//   fp32: W, G, S fp32;  *-mixed: W, S fp32, G 16-bit;  *-true: W, G, S 16-bit.
// SGD with momentum 0.9 (the default configuration) and AdamW. The step takes a fixed
// gradient each iteration; the state evolves, which does not change the work.
#include <benchmark/benchmark.h>

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

void BM_OptimizerStep(benchmark::State& state, OptimizerKind kind, Storage s) {
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

BENCHMARK_CAPTURE(BM_OptimizerStep, sgd/fp32, OptimizerKind::kSgd, kFp32)->UseRealTime();
BENCHMARK_CAPTURE(BM_OptimizerStep, sgd/bf16_mixed, OptimizerKind::kSgd, kBf16Mixed)->UseRealTime();
BENCHMARK_CAPTURE(BM_OptimizerStep, sgd/fp16_mixed, OptimizerKind::kSgd, kFp16Mixed)->UseRealTime();
BENCHMARK_CAPTURE(BM_OptimizerStep, sgd/bf16_true, OptimizerKind::kSgd, kBf16True)->UseRealTime();
BENCHMARK_CAPTURE(BM_OptimizerStep, sgd/fp16_true, OptimizerKind::kSgd, kFp16True)->UseRealTime();
BENCHMARK_CAPTURE(BM_OptimizerStep, adamw/fp32, OptimizerKind::kAdamW, kFp32)->UseRealTime();
BENCHMARK_CAPTURE(BM_OptimizerStep, adamw/bf16_mixed, OptimizerKind::kAdamW, kBf16Mixed)->UseRealTime();
BENCHMARK_CAPTURE(BM_OptimizerStep, adamw/bf16_true, OptimizerKind::kAdamW, kBf16True)->UseRealTime();

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
