#include "kernels/linear_epilogue.hpp"

#include <algorithm>
#include <cmath>

#include "kernels/activation.hpp"

namespace mixprec {
namespace {

template <typename T>
T round_to(float x) { return from_float<T>(x); }

// Count one rounding (fp32 x -> stored y) into the statistics.
template <typename T>
inline void count(float x, T y, std::uint64_t& nonzero, std::uint64_t& underflow,
                  std::uint64_t& overflow) {
  const float back = to_float(y);
  const bool x_nonzero = x != 0.0f;
  nonzero += x_nonzero;
  underflow += x_nonzero & (back == 0.0f);
  overflow += std::isfinite(x) & std::isinf(back);
}

}  // namespace

template <typename T>
void bias_activation_forward(const float* acc, const T* bias, Activation act, T* z_out, T* a_out,
                             int batch, int out) {
#pragma omp parallel for schedule(static)
  for (int i = 0; i < batch; ++i) {
    const float* acc_row = acc + std::size_t(i) * out;
    T* a_row = a_out + std::size_t(i) * out;
    T* z_row = z_out ? z_out + std::size_t(i) * out : nullptr;
    for (int j = 0; j < out; ++j) {
      const T z = round_to<T>(acc_row[j] + to_float(bias[j]));
      if (z_row) z_row[j] = z;
      a_row[j] = round_to<T>(activation_forward(act, to_float(z)));
    }
  }
}

template <typename T>
void bias_logits_forward(const float* acc, const T* bias, float* logits, int batch, int out) {
#pragma omp parallel for schedule(static)
  for (int i = 0; i < batch; ++i)
    for (int j = 0; j < out; ++j) {
      const std::size_t idx = std::size_t(i) * out + j;
      logits[idx] = to_float(round_to<T>(acc[idx] + to_float(bias[j])));
    }
}

template <typename T>
void activation_backward(const float* da_acc, const T* saved, Activation act, T* dz, int batch,
                         int out, RoundStats* stats) {
  std::uint64_t nonzero = 0, underflow = 0, overflow = 0;
#pragma omp parallel for schedule(static) reduction(+ : nonzero, underflow, overflow)
  for (int i = 0; i < batch; ++i) {
    const std::size_t row = std::size_t(i) * out;
    for (int j = 0; j < out; ++j) {
      const float x = da_acc[row + j];
      const T da = round_to<T>(x);
      const float g = to_float(da) * activation_derivative(act, to_float(saved[row + j]));
      dz[row + j] = round_to<T>(g);
      if constexpr (!std::is_same_v<T, float>) {
        count(x, da, nonzero, underflow, overflow);
        count(g, dz[row + j], nonzero, underflow, overflow);
      }
    }
  }
  if (stats) *stats += RoundStats{2 * std::uint64_t(batch) * out, nonzero, underflow, overflow};
}

template <typename T>
void bias_backward(const T* dz, T* db, int batch, int out, RoundStats* stats) {
  // Columns are split between threads; each sums its columns over the rows in order, so the
  // result does not depend on the thread count.
  constexpr int kBlock = 64;
  const int blocks = (out + kBlock - 1) / kBlock;
  std::uint64_t nonzero = 0, underflow = 0, overflow = 0;
#pragma omp parallel for schedule(static) reduction(+ : nonzero, underflow, overflow)
  for (int b = 0; b < blocks; ++b) {
    const int j0 = b * kBlock, j1 = std::min(out, j0 + kBlock);
    float sum[kBlock] = {};
    for (int i = 0; i < batch; ++i) {
      const T* row = dz + std::size_t(i) * out;
      for (int j = j0; j < j1; ++j) sum[j - j0] += to_float(row[j]);
    }
    for (int j = j0; j < j1; ++j) {
      db[j] = round_to<T>(sum[j - j0]);
      if constexpr (!std::is_same_v<T, float>) count(sum[j - j0], db[j], nonzero, underflow, overflow);
    }
  }
  if (stats) *stats += RoundStats{std::uint64_t(out), nonzero, underflow, overflow};
}

#define MIXPREC_INSTANTIATE(T)                                                                  \
  template void bias_activation_forward<T>(const float*, const T*, Activation, T*, T*, int, int); \
  template void bias_logits_forward<T>(const float*, const T*, float*, int, int);                \
  template void activation_backward<T>(const float*, const T*, Activation, T*, int, int,         \
                                       RoundStats*);                                             \
  template void bias_backward<T>(const T*, T*, int, int, RoundStats*);
MIXPREC_INSTANTIATE(float)
MIXPREC_INSTANTIATE(f16)
MIXPREC_INSTANTIATE(bf16)
#undef MIXPREC_INSTANTIATE

}  // namespace mixprec
