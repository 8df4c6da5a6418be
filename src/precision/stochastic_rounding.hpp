#pragma once
// Stochastic rounding (NUMERICS.md "Beyond nearest rounding"): a value v between two
// neighbours lo < v < hi of the target format becomes hi with probability (v - lo)/(hi - lo),
// else lo; representable values, infinities and NaN are unchanged; beyond the largest finite
// value the format's nearest rounding applies (its OverflowRule).
//
// Done in two steps, for any row of the format table: `stochastic_snap` moves v, in fp32, to
// lo or hi (a value the format holds exactly), and the row's nearest-even conversion then
// stores it without changing it. Beyond the largest finite value the snap leaves v as it is,
// so the nearest conversion applies the overflow rule.
//
// The probability comes from 32 random bits r per value: v rounds up when F + r >= 2^32,
// F = (v - lo)/(hi - lo) * 2^32 (rounded down). F is exact whenever (v - lo)/(hi - lo) has
// at most 32 significant bits, which holds for every fp32 value and every row except fp32
// values far below a row's smallest subnormal (under 2^-8 of it), where the probability is
// rounded down to a multiple of 2^-32. For bf16 this is exactly "add 16 random bits (the top
// half of r) to the fp32 bit pattern, then truncate the low 16 bits".
//
// The random bits of a value are a hash of (seed, step, tensor, element index): a
// counter-based generator, so a value's rounding depends on nothing else (thread count,
// block split, resume point).
#include <cstdint>
#include <cstring>

#include "precision/format.hpp"
#include "precision/rounding.hpp"

namespace mixprec {

// splitmix64's finaliser (Steele, Lea, Flood 2014): a bijective 64-bit mix.
constexpr std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// A 32-bit integer hash with low bias (C. Wellons's "lowbias32", improved constants): cheap
// in vector registers (two 32-bit multiplies).
constexpr std::uint32_t mix32(std::uint32_t x) {
  x ^= x >> 16;
  x *= 0x21f0aaadu;
  x ^= x >> 15;
  x *= 0x735a2d97u;
  x ^= x >> 15;
  return x;
}

// The key of one tensor's random bits at one step: (seed, step, tensor) mixed once per call.
struct RandomKey {
  std::uint32_t k0 = 0, k1 = 0;
};

constexpr RandomKey random_key(const Rounding& r) {
  std::uint64_t h = splitmix64(r.seed);
  h = splitmix64(h ^ r.step);
  h = splitmix64(h ^ r.tensor);
  return {std::uint32_t(h), std::uint32_t(h >> 32)};
}

// The 32 random bits of element `element` (its index in the whole tensor). One round of
// mix32 per value (a bijection of the element's low word, so no two elements of a tensor
// below 2^32 share bits); the key, mixed by splitmix64, picks the bijection. A second
// round measured as a quarter of the optimizer's time with stochastic weights.
constexpr std::uint32_t random_bits(const RandomKey& key, std::uint64_t element) {
  const std::uint32_t low = std::uint32_t(element), high = std::uint32_t(element >> 32);
  return mix32(low ^ (key.k0 + high * 0x9e3779b9u)) ^ key.k1;
}

// A row's grid, described in fp32's bit encoding (|v| as a 32-bit integer).
struct StochasticGrid {
  std::uint32_t dropped_bits;        // 23 - mantissa_bits: fp32 fraction bits the row lacks
  std::uint32_t min_normal_exponent; // fp32's biased exponent of the row's smallest normal
  std::uint32_t largest_finite;      // fp32 bits of the row's largest finite value
  std::uint32_t smallest_subnormal;  // fp32 bits of the row's smallest subnormal
};

inline std::uint32_t float_bits(float x) {
  std::uint32_t u;
  std::memcpy(&u, &x, 4);
  return u;
}
inline float bits_float(std::uint32_t u) {
  float x;
  std::memcpy(&x, &u, 4);
  return x;
}

inline StochasticGrid stochastic_grid(const FormatTraits& row) {
  return {std::uint32_t(23 - row.mantissa_bits), std::uint32_t(128 - row.bias),
          float_bits(row.largest_finite), float_bits(row.smallest_subnormal)};
}

// v moved to lo or hi as the random bits r say (see the top of this file); v itself when it
// is representable, infinite, NaN or beyond the largest finite value.
//
// In fp32's encoding: the row keeps the top 23 - d fraction bits of a value of fp32 exponent
// E, where d = dropped_bits, plus min_normal_exponent - E more in the row's subnormal range
// (fp32 subnormals count as E = 1). The d low bits of the significand M, moved to the top of
// a 32-bit word, are F; adding r carries exactly when v rounds up. Up to d = 23 the grid
// points are the encodings with d zero low bits, so lo is the encoding truncated and hi the
// next one (a carry into the exponent is the next binade's first value). From d = 24 on, v is
// below the smallest subnormal: lo is 0 and hi the smallest subnormal.
inline float stochastic_snap(float v, const StochasticGrid& g, std::uint32_t r) {
  const std::uint32_t u = float_bits(v);
  const std::uint32_t mag = u & 0x7fffffffu, sign = u & 0x80000000u;
  if (mag > g.largest_finite) return v;  // overflow rule, inf, NaN: the nearest conversion's
  const std::uint32_t e = mag >> 23;
  const std::uint32_t e_or_1 = e > 0 ? e : 1;
  const std::uint32_t d = g.dropped_bits + (g.min_normal_exponent > e_or_1 ? g.min_normal_exponent - e_or_1 : 0);
  const std::uint32_t significand = e > 0 ? (mag & 0x7fffffu) | 0x800000u : mag;
  const std::uint32_t fraction =
      d <= 32 ? std::uint32_t(std::uint64_t{significand} << (32 - d)) : (d - 32 < 32 ? significand >> (d - 32) : 0);
  const std::uint32_t up = fraction != 0 && r >= 0u - fraction;  // F + r >= 2^32
  std::uint32_t out;
  if (d <= 23) out = ((mag >> d) + up) << d;
  else out = up ? g.smallest_subnormal : 0u;
  return bits_float(sign | out);
}

// dst (n values of T, a 16-bit storage type) = the stochastic rounding of src as `rounding`
// keys it, the statistics added to *stats unless it is null (as round_and_count counts
// them). Serial; vector loops per ISA (stochastic_rounding.cpp).
template <typename T>
void stochastic_round_into(const float* src, T* dst, std::size_t n, const Rounding& rounding,
                           RoundStats* stats);

// The same for any row of the format table (dst holds n values of `row`): each block snapped
// by the vector loops, then stored and counted by the row's own nearest conversion
// (row.from_float). The entry point of the FP8 rows. Serial.
void stochastic_round_row(const FormatTraits& row, const float* src, void* dst, std::size_t n,
                          const Rounding& rounding, RoundStats* stats);

}  // namespace mixprec
