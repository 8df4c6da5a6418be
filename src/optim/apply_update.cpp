#include "optim/apply_update.hpp"

#include "common/intrinsics_warnings.hpp"

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "precision/round_loops.hpp"
#include "precision/stochastic_simd.hpp"

namespace mixprec {
namespace {

// The block's statistics (the top of apply_update.hpp): counts, and the intended and applied
// updates compared. The float sums are kept per lane of 16 (GCC vectorises a sum only when
// it need not reorder it; the AVX-512 loop below keeps the same lanes), then added in lane
// order: a fixed order, whatever the ISA.
constexpr int kLanes = 16;
struct LaneSums {
  std::uint32_t moved[kLanes] = {}, lost[kLanes] = {};
  float intended[kLanes] = {}, error[kLanes] = {}, bias[kLanes] = {};

  void count(float w_new, float w_old, float stored, int j) {
    // NaN != NaN counts as moved, never as lost.
    const bool m = w_new != w_old;
    moved[j] += m;
    lost[j] += m & (stored == w_old);
    const float d = w_new - w_old, e = (stored - w_old) - d;
    intended[j] += std::fabs(d);
    error[j] += std::fabs(e);
    bias[j] += d > 0.0f ? e : (d < 0.0f ? -e : 0.0f);
  }

  // Values [from, len) of the block, each in lane i mod 16.
  void count_from(std::int64_t from, const float* w_new, const float* w_old, const float* stored,
                  std::int64_t len) {
    std::int64_t i0 = from;
    for (; i0 + kLanes <= len; i0 += kLanes)
      for (int j = 0; j < kLanes; ++j) count(w_new[i0 + j], w_old[i0 + j], stored[i0 + j], j);
    for (int j = 0; i0 + j < len; ++j) count(w_new[i0 + j], w_old[i0 + j], stored[i0 + j], j);
  }

  void add_to(UpdateStats& stats) const {
    std::uint32_t m = 0, l = 0;
    for (int j = 0; j < kLanes; ++j) {
      m += moved[j];
      l += lost[j];
    }
    stats.nonzero_updates += m;
    stats.lost_updates += l;
    stats.intended_abs += lane_total(intended);
    stats.error_abs += lane_total(error);
    stats.error_signed += lane_total(bias);
  }

  // The 16 lanes summed in double as a fixed pairwise tree: independent additions (a chain
  // of 16 dependent ones per block cost as much as the block's loop).
  static double lane_total(const float (&lanes)[kLanes]) {
    double t[kLanes];
    for (int j = 0; j < kLanes; ++j) t[j] = double(lanes[j]);
    for (int width = kLanes / 2; width > 0; width /= 2)
      for (int j = 0; j < width; ++j) t[j] += t[j + width];
    return t[0];
  }
};

void count_block(const float* w_new, const float* w_old, const float* stored, std::int64_t len,
                 UpdateStats& stats) {
  LaneSums sums;
  sums.count_from(0, w_new, w_old, stored, len);
  sums.add_to(stats);
}

// The separate passes for 16-bit weights: round the block into storage as `rounding` says
// (with Kahan's compensation where there is one) and read the stored values back.
template <typename W>
void store_passes(const float* w_new, const float* w_old, W* out, W* compensation,
                  const Rounding& rounding, std::int64_t len, float* stored) {
  const auto n = static_cast<std::size_t>(len);
  if (compensation == nullptr) {
    round_into<W>(w_new, out, n, rounding, nullptr);
    to_float_array(out, stored, n);
    return;
  }
  // y = (w_new - w) - c; t = round(w + y); c = (t - w) - y.
  alignas(64) float c[kUpdateBlock], y[kUpdateBlock], sum[kUpdateBlock];
  to_float_array(compensation, c, n);
  for (std::int64_t i = 0; i < len; ++i) {
    y[i] = (w_new[i] - w_old[i]) - c[i];
    sum[i] = w_old[i] + y[i];
  }
  round_into<W>(sum, out, n, rounding, nullptr);
  to_float_array(out, stored, n);
  for (std::int64_t i = 0; i < len; ++i) c[i] = (stored[i] - w_old[i]) - y[i];
  from_float_array(c, compensation, n);
}

#if defined(__AVX512F__)
// Rounding into 16-bit storage as `rounding` says, with Kahan's compensation where
// `compensation` is not null, the read-back and the counts in one pass (kStochastic: the
// rounding is stochastic): separate passes over the block cost more than the update itself.
// Same results as store_passes and count_block (lanes of 16 for the sums, as LaneSums).
template <typename W, bool kStochastic>
void store_and_count(const float* w_new, const float* w_old, W* out, W* compensation,
                     const Rounding& rounding, std::int64_t len, UpdateStats& stats) {
  const RandomKey key = random_key(rounding);
  const StochasticGrid grid = stochastic_grid(traits(FormatOf<W>::value));
  // The stored value of an fp32 target: snapped to a neighbour first where stochastic (the
  // nearest rounding then keeps it).
  const auto round_target = [&](__m512 target, std::int64_t i) {
    if constexpr (kStochastic) {
      __mmask16 vanished;
      target = snap_x16(target, grid, random_bits_x16(key, rounding.element + std::uint64_t(i)), &vanished);
    }
    return round_bits_x16<W>(target);
  };
  auto* bits_out = reinterpret_cast<std::uint16_t*>(out);
  auto* c_bits = reinterpret_cast<std::uint16_t*>(compensation);
  __m512 intended = _mm512_setzero_ps(), error = _mm512_setzero_ps(), bias = _mm512_setzero_ps();
  __m512i moved = _mm512_setzero_si512(), lost = _mm512_setzero_si512();
  const __m512i one = _mm512_set1_epi32(1);
  const __m512 abs_mask = _mm512_castsi512_ps(_mm512_set1_epi32(0x7fffffff));
  std::int64_t i = 0;
  for (; i + kLanes <= len; i += kLanes) {
    const __m512 x = _mm512_loadu_ps(w_new + i), w = _mm512_loadu_ps(w_old + i);
    __m256i bits;
    __m512 back;
    if (c_bits == nullptr) {
      bits = round_target(x, i);
      back = widen_bits_x16<W>(bits);
    } else {  // y = (w_new - w) - c; t = round(w + y); c = (t - w) - y
      const __m256i c_in = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(c_bits + i));
      const __m512 y = _mm512_sub_ps(_mm512_sub_ps(x, w), widen_bits_x16<W>(c_in));
      bits = round_target(_mm512_add_ps(w, y), i);
      back = widen_bits_x16<W>(bits);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(c_bits + i),
                          round_bits_x16<W>(_mm512_sub_ps(_mm512_sub_ps(back, w), y)));
    }
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(bits_out + i), bits);
    const __mmask16 m = _mm512_cmp_ps_mask(x, w, _CMP_NEQ_UQ);
    moved = _mm512_mask_add_epi32(moved, m, moved, one);
    lost = _mm512_mask_add_epi32(lost, m & _mm512_cmp_ps_mask(back, w, _CMP_EQ_OQ), lost, one);
    const __m512 d = _mm512_sub_ps(x, w), e = _mm512_sub_ps(_mm512_sub_ps(back, w), d);
    intended = _mm512_add_ps(intended, _mm512_and_ps(d, abs_mask));
    error = _mm512_add_ps(error, _mm512_and_ps(e, abs_mask));
    // sign(d) e: e with d's sign bit flipped in, where d is neither zero nor NaN (one
    // addition on the chain, not two).
    const __m512 signed_e = _mm512_xor_ps(e, _mm512_andnot_ps(abs_mask, d));
    bias = _mm512_mask_add_ps(bias, _mm512_cmp_ps_mask(d, _mm512_setzero_ps(), _CMP_NEQ_OQ), bias, signed_e);
  }
  LaneSums sums;
  _mm512_storeu_si512(sums.moved, moved);
  _mm512_storeu_si512(sums.lost, lost);
  _mm512_storeu_ps(sums.intended, intended);
  _mm512_storeu_ps(sums.error, error);
  _mm512_storeu_ps(sums.bias, bias);
  if (i < len) {  // the tail (fewer than 16 values), by the separate passes
    alignas(64) float stored[kLanes];
    store_passes(w_new + i, w_old + i, out + i, compensation ? compensation + i : nullptr,
                 rounding.starting_at(std::uint64_t(i)), len - i, stored);
    sums.count_from(0, w_new + i, w_old + i, stored, len - i);
  }
  sums.add_to(stats);
}
#endif

// 16-bit weights: round the block into storage (with Kahan's compensation where there is
// one) and count it.
template <typename W>
void store_16bit(const float* w_new, const float* w_old, W* stored_block, W* compensation,
                 const Rounding& rounding, std::int64_t len, UpdateStats& stats) {
#if defined(__AVX512F__)
  switch (rounding.mode) {
    case RoundingMode::kNearestEven:
      return store_and_count<W, false>(w_new, w_old, stored_block, compensation, rounding, len, stats);
    case RoundingMode::kStochastic:
      return store_and_count<W, true>(w_new, w_old, stored_block, compensation, rounding, len, stats);
  }
#endif
  alignas(64) float stored[kUpdateBlock];
  store_passes(w_new, w_old, stored_block, compensation, rounding, len, stored);
  count_block(w_new, w_old, stored, len, stats);
}

}  // namespace

void store_updated_weights(const float* w_new, const float* w_old, Format weight_format,
                           void* weights, Format copy_format, void* working_copy,
                           const WeightRounding& how, std::int64_t begin, std::int64_t len,
                           UpdateStats& stats) {
  const auto n = static_cast<std::size_t>(len);
  if (working_copy != nullptr) {
    dispatch_format(copy_format, [&](auto tag) {
      using C = decltype(tag);
      from_float_array(w_new, static_cast<C*>(working_copy) + begin, n);
    });
  }
  dispatch_format(weight_format, [&](auto tag) {
    using W = decltype(tag);
    // fp32 weights were updated in place; rounding loses nothing there, so nothing is counted.
    if constexpr (!std::is_same_v<W, float>) {
      W* compensation = how.compensation ? static_cast<W*>(how.compensation) + begin : nullptr;
      store_16bit<W>(w_new, w_old, static_cast<W*>(weights) + begin, compensation,
                     how.rounding.starting_at(std::uint64_t(begin)), len, stats);
    }
  });
}

}  // namespace mixprec
