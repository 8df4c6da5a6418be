#pragma once
// The pieces that store new fp32 weights into 16-bit storage and count what the rounding
// did (apply_update.hpp has the contract): the lane sums of the statistics, the separate
// passes any build has, and the AVX-512 one-pass store of 16 values. Shared by
// store_updated_weights (apply_update.cpp) and the one-pass update (fused_update.hpp), so
// that both round and count the same way.
#include "common/intrinsics_warnings.hpp"

#include <cmath>
#include <cstdint>

#include "optim/apply_update.hpp"
#include "precision/round_loops.hpp"
#include "precision/stochastic_simd.hpp"

namespace mixprec {

// A block's statistics: counts, and the intended and applied updates compared. The float
// sums are kept per lane of 16 (GCC vectorises a sum only when it need not reorder it; the
// AVX-512 loop keeps the same lanes), then added in lane order: a fixed order, whatever the
// ISA or path.
inline constexpr int kLanes = 16;
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

  // The 16 lanes summed in double as a fixed pairwise tree (lane j + lane j + 8, then
  // j + 4, ...): independent additions (a chain of 16 dependent ones per block cost as much
  // as the block's loop), in vector registers where there are some (once per block, it
  // measured a tenth of the one-pass update in scalar code).
  static double lane_total(const float (&lanes)[kLanes]) {
#if defined(__AVX512F__)
    const __m512 x = _mm512_loadu_ps(lanes);
    const __m512d t8 = _mm512_add_pd(_mm512_cvtps_pd(_mm512_castps512_ps256(x)),
                                     _mm512_cvtps_pd(_mm512_extractf32x8_ps(x, 1)));
    const __m256d t4 = _mm256_add_pd(_mm512_castpd512_pd256(t8), _mm512_extractf64x4_pd(t8, 1));
    const __m128d t2 = _mm_add_pd(_mm256_castpd256_pd128(t4), _mm256_extractf128_pd(t4, 1));
    return _mm_cvtsd_f64(_mm_add_sd(t2, _mm_unpackhi_pd(t2, t2)));
#else
    double t[kLanes];
    for (int j = 0; j < kLanes; ++j) t[j] = double(lanes[j]);
    for (int width = kLanes / 2; width > 0; width /= 2)
      for (int j = 0; j < width; ++j) t[j] += t[j + width];
    return t[0];
#endif
  }
};

// One value rounded into T as `rounding` says (already advanced to this value): the same
// bits as the array loops (round_into) give it.
template <typename T>
inline T round_one(float x, const Rounding& rounding) {
  T out;
  round_into<T>(&x, &out, 1, rounding, nullptr);
  return out;
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
// Stores 16 new weights at a time: rounded into W as the rounding says (kStochastic: the
// rounding is stochastic), with Kahan's compensation where there is one, read back and
// counted, in registers. The same results as store_passes and LaneSums::count (lanes of 16).
template <typename W, bool kStochastic>
class WeightStoreX16 {
 public:
  // out, compensation (null without Kahan): the block's first value; rounding: advanced to
  // it; len: the block's length.
  [[gnu::always_inline]] WeightStoreX16(W* out, W* compensation, const Rounding& rounding,
                                        std::int64_t len)
      : out_(reinterpret_cast<std::uint16_t*>(out)),
        c_(reinterpret_cast<std::uint16_t*>(compensation)),
        element_(rounding.element),
        random_(random_key(rounding), rounding.element, std::uint64_t(len)),
        grid_(stochastic_grid(traits(FormatOf<W>::value))) {}

  // x: the new fp32 weights of values i .. i + 15 of the block; w: their stored old values.
  [[gnu::always_inline]] void store(__m512 x, __m512 w, std::int64_t i) {
    __m256i bits;
    __m512 back;
    if (c_ == nullptr) {
      bits = round_target(x, i);
      back = widen_bits_x16<W>(bits);
    } else {  // y = (w_new - w) - c; t = round(w + y); c = (t - w) - y
      const __m256i c_in = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(c_ + i));
      const __m512 y = _mm512_sub_ps(_mm512_sub_ps(x, w), widen_bits_x16<W>(c_in));
      bits = round_target(_mm512_add_ps(w, y), i);
      back = widen_bits_x16<W>(bits);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(c_ + i),
                          round_bits_x16<W>(_mm512_sub_ps(_mm512_sub_ps(back, w), y)));
    }
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out_ + i), bits);
    // The counts in scalar registers (popcounts of the masks): the vector units are the
    // loop's bottleneck, the integer ones idle.
    const __mmask16 m = _mm512_cmp_ps_mask(x, w, _CMP_NEQ_UQ);
    moved_count_ += std::uint32_t(__builtin_popcount(m));
    lost_count_ += std::uint32_t(__builtin_popcount(m & _mm512_cmp_ps_mask(back, w, _CMP_EQ_OQ)));
    const __m512 d = _mm512_sub_ps(x, w), e = _mm512_sub_ps(_mm512_sub_ps(back, w), d);
    intended_ = _mm512_add_ps(intended_, _mm512_and_ps(d, abs_mask_));
    error_ = _mm512_add_ps(error_, _mm512_and_ps(e, abs_mask_));
    // sign(d) e: e with d's sign bit flipped in, zeroed where d is zero or NaN, off the
    // chain (a masked add on it measured a quarter of the loop): adding +0 never changes a
    // sum that starts at +0.
    const __mmask16 signed_d = _mm512_cmp_ps_mask(d, _mm512_setzero_ps(), _CMP_NEQ_OQ);
    const __m512 signed_e = _mm512_maskz_xor_ps(signed_d, e, _mm512_andnot_ps(abs_mask_, d));
    bias_ = _mm512_add_ps(bias_, signed_e);
  }

  // The lane sums so far, to go on counting a tail in them.
  [[gnu::always_inline]] LaneSums sums() const {
    LaneSums s;
    s.moved[0] = moved_count_;  // the counts are integers: any lane holds them exactly
    s.lost[0] = lost_count_;
    _mm512_storeu_ps(s.intended, intended_);
    _mm512_storeu_ps(s.error, error_);
    _mm512_storeu_ps(s.bias, bias_);
    return s;
  }

 private:
  // The 16-bit codes of an fp32 target: snapped to a neighbour first where stochastic (the
  // nearest rounding then keeps it).
  [[gnu::always_inline]] __m256i round_target(__m512 target, std::int64_t i) const {
    if constexpr (kStochastic) target = snap_to_x16<W>(target, grid_, random_.bits(element_ + std::uint64_t(i)));
    return round_bits_x16<W>(target);
  }

  std::uint16_t* out_;
  std::uint16_t* c_;
  std::uint64_t element_;
  RandomRun16 random_;
  StochasticGrid grid_;
  __m512 intended_ = _mm512_setzero_ps(), error_ = _mm512_setzero_ps(), bias_ = _mm512_setzero_ps();
  std::uint32_t moved_count_ = 0, lost_count_ = 0;
  const __m512 abs_mask_ = _mm512_castsi512_ps(_mm512_set1_epi32(0x7fffffff));
};
#endif

}  // namespace mixprec
