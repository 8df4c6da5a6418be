#include "precision/stochastic_rounding.hpp"

#include "common/intrinsics_warnings.hpp"

#include <algorithm>
#include <cstddef>

#include "precision/round_loops.hpp"
#include "precision/stochastic_simd.hpp"

namespace mixprec {
namespace {

// Values snapped per pass: the snapped block stays in L1 until the nearest loop stores it.
constexpr std::size_t kSnapBlock = 256;


// dst[i] = stochastic_snap(src[i]) with the bits of element first + i; returns how many
// non-zero values became zero.
std::uint64_t snap_block(const float* src, float* dst, std::size_t n, const RandomKey& key,
                         std::uint64_t first, const StochasticGrid& g) {
  std::uint64_t vanished = 0;
  std::size_t i = 0;
#if defined(__AVX512F__)
  const RandomRun16 random(key, first, n);
  if (constant_width(g)) {  // bf16: no test per vector
    for (; i + 16 <= n; i += 16) {
      __mmask16 lanes;
      _mm512_storeu_ps(dst + i, snap_x16_constant_width(_mm512_loadu_ps(src + i), g, random.bits(first + i), &lanes));
      vanished += __builtin_popcount(lanes);
    }
  }
  for (; i + 16 <= n; i += 16) {
    __mmask16 lanes;
    _mm512_storeu_ps(dst + i, snap_x16(_mm512_loadu_ps(src + i), g, random.bits(first + i), &lanes));
    vanished += __builtin_popcount(lanes);
  }
#elif defined(MIXPREC_HAS_AVX2_CONVERT)
  for (; i + 8 <= n; i += 8) {
    int lanes;
    _mm256_storeu_ps(dst + i, snap_x8(_mm256_loadu_ps(src + i), g, random_bits_x8(key, first + i), &lanes));
    vanished += std::uint64_t(lanes);
  }
#endif
  for (; i < n; ++i) {
    dst[i] = stochastic_snap(src[i], g, random_bits(key, first + i));
    vanished += src[i] != 0.0f && dst[i] == 0.0f;  // NaN stays NaN
  }
  return vanished;
}

}  // namespace

template <typename T>
void stochastic_round_into(const float* src, T* dst, std::size_t n, const Rounding& rounding,
                           RoundStats* stats) {
  const RandomKey key = random_key(rounding);
  const StochasticGrid grid = stochastic_grid(traits(FormatOf<T>::value));
  alignas(64) float snapped[kSnapBlock];
  for (std::size_t begin = 0; begin < n; begin += kSnapBlock) {
    const std::size_t len = std::min(kSnapBlock, n - begin);
    const std::uint64_t vanished = snap_block(src + begin, snapped, len, key, rounding.element + begin, grid);
    if (stats == nullptr) {
      from_float_array<T>(snapped, dst + begin, len);
      continue;
    }
    // The snapped values are the row's own, so the nearest conversion only stores them; it
    // counts what it sees, and the values that the snap itself flushed to zero are added.
    round_and_count<T>(snapped, dst + begin, len, *stats);
    stats->nonzero += vanished;
    stats->underflow += vanished;
  }
}
void stochastic_round_row(const FormatTraits& row, const float* src, void* dst, std::size_t n,
                          const Rounding& rounding, RoundStats* stats) {
  const RandomKey key = random_key(rounding);
  const StochasticGrid grid = stochastic_grid(row);
  alignas(64) float snapped[kSnapBlock];
  for (std::size_t begin = 0; begin < n; begin += kSnapBlock) {
    const std::size_t len = std::min(kSnapBlock, n - begin);
    const std::uint64_t vanished = snap_block(src + begin, snapped, len, key, rounding.element + begin, grid);
    // As stochastic_round_into: the nearest conversion counts the snapped values, to which
    // the values the snap itself flushed to zero are added.
    row.from_float(row, snapped, static_cast<std::byte*>(dst) + row.bytes_for(begin), len, kNearestEven, stats);
    if (stats) {
      stats->nonzero += vanished;
      stats->underflow += vanished;
    }
  }
}

template void stochastic_round_into<f16>(const float*, f16*, std::size_t, const Rounding&, RoundStats*);
template void stochastic_round_into<bf16>(const float*, bf16*, std::size_t, const Rounding&, RoundStats*);

}  // namespace mixprec
