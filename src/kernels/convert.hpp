#pragma once
// Bulk conversions between storage formats (round-to-nearest-even into 16-bit), with the
// counts NUMERICS.md asks for: how many non-zero values flushed to zero and how many finite
// values overflowed to inf when a tensor was rounded. Counting costs a compare per value in
// a pass that runs anyway, so the statistics stay on in every run.
#include <cstddef>
#include <cstdint>

#include "precision/format.hpp"

namespace mixprec {

struct RoundStats {
  std::uint64_t values = 0;      // values rounded
  std::uint64_t nonzero = 0;     // of which non-zero in fp32
  std::uint64_t underflow = 0;   // non-zero in fp32, zero after rounding
  std::uint64_t overflow = 0;    // finite in fp32, inf after rounding
  std::uint64_t nonfinite = 0;   // inf or NaN after rounding (overflows and non-finite inputs)

  RoundStats& operator+=(const RoundStats& o) {
    values += o.values;
    nonzero += o.nonzero;
    underflow += o.underflow;
    overflow += o.overflow;
    nonfinite += o.nonfinite;
    return *this;
  }
};
// Parallel loops sum RoundStats directly: `#pragma omp parallel for reduction(+ : stats)`.
#pragma omp declare reduction(+ : RoundStats : omp_out += omp_in) initializer(omp_priv = RoundStats{})

// dst[i] = round(src[i]) for n values. stats may be null (then nothing is counted).
template <typename T>
void round_from_float(const float* src, T* dst, std::size_t n, RoundStats* stats = nullptr);

// The same, shared among the team of the OpenMP parallel region it is called from (every
// thread must call it; it ends with a barrier), or done by the calling thread alone
// outside one; the counts of all threads are added to *stats.
template <typename T>
void round_from_float_in_team(const float* src, T* dst, std::size_t n, RoundStats* stats);

// Format known only at run time (dst points at n values of `format`).
void round_from_float(const float* src, Format format, void* dst, std::size_t n,
                      RoundStats* stats = nullptr);

// Adds to s what rounding src (fp32) into dst (already rounded) did. T is f16 or bf16.
template <typename T>
void count_rounding(const float* src, const T* dst, std::size_t n, RoundStats& s);

// dst[i] = round(src[i]) and the counts added to s, in one pass over the data (the counts
// come from the vector registers the rounding fills). Serial: for callers that are already
// inside a parallel region. T is f16 or bf16.
template <typename T>
void round_and_count(const float* src, T* dst, std::size_t n, RoundStats& s);

// Exact widening to fp32.
void convert_to_float(Format format, const void* src, float* dst, std::size_t n);
// The same, shared among the team of the OpenMP parallel region it is called from (every
// thread must call it; it ends with a barrier), or done by the calling thread alone.
void convert_to_float_in_team(Format format, const void* src, float* dst, std::size_t n);

}  // namespace mixprec
