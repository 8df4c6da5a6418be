// The three matmuls of a linear layer at the benchmark MLP's first layer (batch 128,
// 784 -> 512), per format. Shapes as Mlp uses them:
//   forward   y  = x w       NN: (128, 784) x (784, 512)      m=128 n=512 k=784
//   backward  dw = x^T dz    TN: (784, 128) x (128, 512)      m=784 n=512 k=128
//   backward  da = dz w^T    NT: (128, 512) x (512, 784)      m=128 n=784 k=512
// and the same three at the last layer (512 -> 10), which must not become the bottleneck.
// x, w, dz in the format, fp32 output; GFLOP/s counts 2*m*n*k per product.
// BM_MatmulPacked times the same products with b packed beforehand (kernels/weight_pack.hpp,
// what training runs), and BM_PackB the packing itself, which training pays once per use.
#include <benchmark/benchmark.h>

#include "bench_data.hpp"
#include "kernels/matmul.hpp"
#include "kernels/weight_pack.hpp"

namespace mixprec {
namespace {

struct MatmulShape {
  int m, n, k;
  bool transpose_a, transpose_b;
};

constexpr MatmulShape kForward{128, 512, 784, false, false};
constexpr MatmulShape kWeightGrad{784, 512, 128, true, false};
constexpr MatmulShape kInputGrad{128, 784, 512, false, true};
constexpr MatmulShape kLastForward{128, 10, 512, false, false};
constexpr MatmulShape kLastWeightGrad{512, 10, 128, true, false};
constexpr MatmulShape kLastInputGrad{128, 512, 10, false, true};

void BM_Matmul(benchmark::State& state, Format format, MatmulShape s) {
  // op(a) is (m, k) and op(b) is (k, n) whichever way they are stored.
  const Buffer a = random_buffer(format, std::size_t(s.m) * s.k, 1.0f, 1);
  const Buffer b = random_buffer(format, std::size_t(s.k) * s.n, 0.05f, 2);
  Buffer c(Format::kF32, std::size_t(s.m) * s.n);
  Matmul& mm = matmul();
  // The first call creates the oneDNN primitive for the shape; time the reuse.
  mm.multiply(format, a.data(), s.transpose_a, b.data(), s.transpose_b, c.as<float>(), s.m, s.n,
              s.k);
  for (auto _ : state) {
    mm.multiply(format, a.data(), s.transpose_a, b.data(), s.transpose_b, c.as<float>(), s.m,
                s.n, s.k);
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  const double flops = 2.0 * s.m * s.n * s.k;
  state.counters["GFLOP/s"] =
      benchmark::Counter(flops * 1e-9 * double(state.iterations()), benchmark::Counter::kIsRate);
  const MatmulPath& path = mm.path(format);
  state.SetLabel((path.native ? "native " : "emulated ") + path.impl);
}

void BM_MatmulPacked(benchmark::State& state, Format format, MatmulShape s) {
  Matmul& mm = matmul();
  if (!mm.reads_packed(format, s.k, s.n)) {
    state.SkipWithError("oneDNN does not read this shape packed on this CPU");
    return;
  }
  const Buffer a = random_buffer(format, std::size_t(s.m) * s.k, 1.0f, 1);
  const Buffer b = random_buffer(format, std::size_t(s.k) * s.n, 0.05f, 2);
  Buffer packed(format, packed_shape(format, s.k, s.n).values());
  pack_b(format, b.data(), s.transpose_b, s.k, s.n, packed.data());
  Buffer c(Format::kF32, std::size_t(s.m) * s.n);
  mm.multiply_packed(format, a.data(), s.transpose_a, format, packed.data(), c.as<float>(), s.m,
                     s.n, s.k);
  for (auto _ : state) {
    mm.multiply_packed(format, a.data(), s.transpose_a, format, packed.data(), c.as<float>(),
                       s.m, s.n, s.k);
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  const double flops = 2.0 * s.m * s.n * s.k;
  state.counters["GFLOP/s"] =
      benchmark::Counter(flops * 1e-9 * double(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_PackB(benchmark::State& state, Format format, MatmulShape s) {
  const Buffer b = random_buffer(format, std::size_t(s.k) * s.n, 0.05f, 2);
  Buffer packed(format, packed_shape(format, s.k, s.n).values());
  for (auto _ : state) {
    pack_b(format, b.data(), s.transpose_b, s.k, s.n, packed.data());
    benchmark::DoNotOptimize(packed.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(b.bytes()));
}

BENCHMARK_CAPTURE(BM_MatmulPacked, fp32/NN_x_w, Format::kF32, kForward)->UseRealTime();
BENCHMARK_CAPTURE(BM_MatmulPacked, fp32/TN_dw, Format::kF32, kWeightGrad)->UseRealTime();
BENCHMARK_CAPTURE(BM_MatmulPacked, fp32/NT_da, Format::kF32, kInputGrad)->UseRealTime();
BENCHMARK_CAPTURE(BM_MatmulPacked, bf16/NN_x_w, Format::kBf16, kForward)->UseRealTime();
BENCHMARK_CAPTURE(BM_MatmulPacked, bf16/TN_dw, Format::kBf16, kWeightGrad)->UseRealTime();
BENCHMARK_CAPTURE(BM_MatmulPacked, bf16/NT_da, Format::kBf16, kInputGrad)->UseRealTime();
BENCHMARK_CAPTURE(BM_PackB, fp32/w, Format::kF32, kForward)->UseRealTime();
BENCHMARK_CAPTURE(BM_PackB, fp32/dz, Format::kF32, kWeightGrad)->UseRealTime();
BENCHMARK_CAPTURE(BM_PackB, fp32/w_transposed, Format::kF32, kInputGrad)->UseRealTime();
BENCHMARK_CAPTURE(BM_PackB, bf16/w, Format::kBf16, kForward)->UseRealTime();
BENCHMARK_CAPTURE(BM_PackB, bf16/dz, Format::kBf16, kWeightGrad)->UseRealTime();
BENCHMARK_CAPTURE(BM_PackB, bf16/w_transposed, Format::kBf16, kInputGrad)->UseRealTime();

BENCHMARK_CAPTURE(BM_Matmul, fp32/NN_x_w, Format::kF32, kForward)->UseRealTime();
BENCHMARK_CAPTURE(BM_Matmul, fp32/TN_dw, Format::kF32, kWeightGrad)->UseRealTime();
BENCHMARK_CAPTURE(BM_Matmul, fp32/NT_da, Format::kF32, kInputGrad)->UseRealTime();
BENCHMARK_CAPTURE(BM_Matmul, bf16/NN_x_w, Format::kBf16, kForward)->UseRealTime();
BENCHMARK_CAPTURE(BM_Matmul, bf16/TN_dw, Format::kBf16, kWeightGrad)->UseRealTime();
BENCHMARK_CAPTURE(BM_Matmul, bf16/NT_da, Format::kBf16, kInputGrad)->UseRealTime();
BENCHMARK_CAPTURE(BM_Matmul, fp16/NN_x_w, Format::kF16, kForward)->UseRealTime();
BENCHMARK_CAPTURE(BM_Matmul, fp16/TN_dw, Format::kF16, kWeightGrad)->UseRealTime();
BENCHMARK_CAPTURE(BM_Matmul, fp16/NT_da, Format::kF16, kInputGrad)->UseRealTime();
BENCHMARK_CAPTURE(BM_Matmul, fp32/last_NN_x_w, Format::kF32, kLastForward)->UseRealTime();
BENCHMARK_CAPTURE(BM_Matmul, fp32/last_TN_dw, Format::kF32, kLastWeightGrad)->UseRealTime();
BENCHMARK_CAPTURE(BM_Matmul, fp32/last_NT_da, Format::kF32, kLastInputGrad)->UseRealTime();
BENCHMARK_CAPTURE(BM_Matmul, bf16/last_NN_x_w, Format::kBf16, kLastForward)->UseRealTime();
BENCHMARK_CAPTURE(BM_Matmul, bf16/last_TN_dw, Format::kBf16, kLastWeightGrad)->UseRealTime();
BENCHMARK_CAPTURE(BM_Matmul, bf16/last_NT_da, Format::kBf16, kLastInputGrad)->UseRealTime();

}  // namespace
}  // namespace mixprec
