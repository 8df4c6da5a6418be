#include "kernels/linear_epilogue.hpp"

#include "common/intrinsics_warnings.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "kernels/activation.hpp"
#include "precision/round_loops.hpp"

namespace mixprec {
namespace {

// Rows are split between threads; within a row, columns go in blocks that fit the stack,
// converted in and out with the vector conversions and computed in fp32 in between.
constexpr int kBlock = 256;

// Adds one thread's counts to the team's total (after its share of the loop).
void add_to(RoundStats* total, const RoundStats& mine) {
  if (total == nullptr) return;
#pragma omp critical(mixprec_epilogue_stats)
  *total += mine;
}

// The activation switch sits outside the loops so that relu vectorises.
void activation_forward_block(Activation act, const float* z, float* a, int n) {
  switch (act) {
    case Activation::kRelu:
      for (int j = 0; j < n; ++j) a[j] = z[j] > 0.0f ? z[j] : 0.0f;
      break;
    default:
      for (int j = 0; j < n; ++j) a[j] = activation_forward(act, z[j]);
  }
}

void activation_derivative_block(Activation act, const float* saved, float* d, int n) {
  switch (act) {
    case Activation::kRelu:
      for (int j = 0; j < n; ++j) d[j] = saved[j] > 0.0f ? 1.0f : 0.0f;
      break;
    case Activation::kTanh:
      for (int j = 0; j < n; ++j) d[j] = 1.0f - saved[j] * saved[j];
      break;
    default:
      for (int j = 0; j < n; ++j) d[j] = activation_derivative(act, saved[j]);
  }
}

// Rounds n fp32 values into dst as `rounding` says and, unless `rounded` is null, reads
// the rounded values back into it (in fp32, for the computation that follows).
template <typename T>
inline void round_block(const float* x, T* dst, float* rounded, int n, const Rounding& rounding,
                        RoundStats* stats) {
  round_into<T>(x, dst, std::size_t(n), rounding, stats);
  if (rounded == nullptr) return;
  if constexpr (std::is_same_v<T, float>) {
    if (rounded != x) std::copy(x, x + n, rounded);
  } else {
    to_float_array<T>(dst, rounded, std::size_t(n));
  }
}

}  // namespace

template <typename T>
void bias_activation_forward(const float* acc, const T* bias, Activation act, T* z_out, T* a_out,
                             int batch, int out) {
  // relu with z not kept: a = round(relu(z)) is the same value as relu(round(z)), bit for
  // bit (rounding is monotone and keeps zero and its sign; a NaN z gives 0 either way), so
  // z is not rounded and widened back first.
  const bool relu_only = act == Activation::kRelu && z_out == nullptr;
#pragma omp for schedule(static)
  for (int i = 0; i < batch; ++i) {
    float b[kBlock], z[kBlock], a[kBlock];
    T z_store[kBlock];
    const std::size_t row = std::size_t(i) * out;
    for (int j0 = 0; j0 < out; j0 += kBlock) {
      const int n = std::min(kBlock, out - j0);
      to_float_array<T>(bias + j0, b, std::size_t(n));
      for (int j = 0; j < n; ++j) z[j] = acc[row + j0 + j] + b[j];
      if (!relu_only) round_block<T>(z, z_out ? z_out + row + j0 : z_store, z, n, kNearestEven, nullptr);
      activation_forward_block(act, z, a, n);
      from_float_array<T>(a, a_out + row + j0, std::size_t(n));
    }
  }
}

template <typename T>
void bias_logits_forward(const float* acc, const T* bias, float* logits, int batch, int out) {
#pragma omp for schedule(static)
  for (int i = 0; i < batch; ++i) {
    float b[kBlock], z[kBlock];
    T z_store[kBlock];
    const std::size_t row = std::size_t(i) * out;
    for (int j0 = 0; j0 < out; j0 += kBlock) {
      const int n = std::min(kBlock, out - j0);
      to_float_array<T>(bias + j0, b, std::size_t(n));
      for (int j = 0; j < n; ++j) z[j] = acc[row + j0 + j] + b[j];
      round_block<T>(z, z_store, logits + row + j0, n, kNearestEven, nullptr);
    }
  }
}

template <typename T>
void activation_backward(const float* da_acc, const T* saved, Activation act, T* dz, int batch,
                         int out, const Rounding& rounding, RoundStats* stats) {
  RoundStats mine;
  // da is a tensor of its own: the id after dz's (precision/rounding.hpp, tensor_id).
  const Rounding da_rounding = rounding.for_tensor(rounding.tensor + 1);
#pragma omp for schedule(static)
  for (int i = 0; i < batch; ++i) {
    float da[kBlock], s[kBlock], d[kBlock];
    T da_store[kBlock];
    const std::size_t row = std::size_t(i) * out;
    for (int j0 = 0; j0 < out; j0 += kBlock) {
      const int n = std::min(kBlock, out - j0);
      round_block<T>(da_acc + row + j0, da_store, da, n, da_rounding.starting_at(row + j0), &mine);
      to_float_array<T>(saved + row + j0, s, std::size_t(n));
      activation_derivative_block(act, s, d, n);
      for (int j = 0; j < n; ++j) d[j] *= da[j];
      round_block<T>(d, dz + row + j0, nullptr, n, rounding.starting_at(row + j0), &mine);  // dz
    }
  }
  add_to(stats, mine);
}

template <typename T>
void bias_backward(const T* dz, T* db, int batch, int out, const Rounding& rounding,
                   RoundStats* stats) {
  // Columns are split between threads; each sums its columns over the rows in order, so the
  // result does not depend on the thread count.
  constexpr int kColumns = 64;
  const int blocks = (out + kColumns - 1) / kColumns;
  RoundStats mine;
#pragma omp for schedule(static)
  for (int b = 0; b < blocks; ++b) {
    const int j0 = b * kColumns, n = std::min(out, j0 + kColumns) - j0;
    float sum[kColumns] = {}, row_values[kColumns];
    for (int i = 0; i < batch; ++i) {
      to_float_array<T>(dz + std::size_t(i) * out + j0, row_values, std::size_t(n));
      for (int j = 0; j < n; ++j) sum[j] += row_values[j];
    }
    round_block<T>(sum, db + j0, nullptr, n, rounding.starting_at(std::size_t(j0)), &mine);
  }
  add_to(stats, mine);
}

#define MIXPREC_INSTANTIATE(T)                                                                  \
  template void bias_activation_forward<T>(const float*, const T*, Activation, T*, T*, int, int); \
  template void bias_logits_forward<T>(const float*, const T*, float*, int, int);                \
  template void activation_backward<T>(const float*, const T*, Activation, T*, int, int,         \
                                       const Rounding&, RoundStats*);                            \
  template void bias_backward<T>(const T*, T*, int, int, const Rounding&, RoundStats*);
MIXPREC_INSTANTIATE(float)
MIXPREC_INSTANTIATE(f16)
MIXPREC_INSTANTIATE(bf16)
#undef MIXPREC_INSTANTIATE

}  // namespace mixprec
