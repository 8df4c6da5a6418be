#pragma once
// Bulk conversions between fp32 and the table's formats, with the statistics of NUMERICS.md
// counted in the same pass (precision/round_stats.hpp). Each entry point takes the rounding
// (precision/rounding.hpp) and passes every block of a split tensor the rounding advanced
// to that block's first element.
//
// Threads: the `_in_team` functions share the work among the team of the OpenMP parallel
// region they are called from (every thread must call them; they end with a barrier), or do
// it on the calling thread alone outside one. The others open a region of their own when the
// tensor is large enough to pay for it (common/parallel_region.hpp).
#include <cstddef>

#include "precision/format.hpp"

namespace mixprec {

// dst (n values of `row`'s format) = round(src).  stats may be null (nothing is counted).
void round_from_float(const float* src, const FormatTraits& row, void* dst, std::size_t n,
                      const Rounding& rounding, RoundStats* stats);
void round_from_float_in_team(const float* src, const FormatTraits& row, void* dst,
                              std::size_t n, const Rounding& rounding, RoundStats* stats);

inline void round_from_float(const float* src, Format format, void* dst, std::size_t n,
                             const Rounding& rounding, RoundStats* stats) {
  round_from_float(src, traits(format), dst, n, rounding, stats);
}

// Typed forms for the kernels templated on the storage type T (float, f16, bf16).
template <typename T>
void round_from_float(const float* src, T* dst, std::size_t n, const Rounding& rounding,
                      RoundStats* stats) {
  round_from_float(src, traits(FormatOf<T>::value), dst, n, rounding, stats);
}
template <typename T>
void round_from_float_in_team(const float* src, T* dst, std::size_t n, const Rounding& rounding,
                              RoundStats* stats) {
  round_from_float_in_team(src, traits(FormatOf<T>::value), dst, n, rounding, stats);
}

// Exact widening to fp32.
void convert_to_float(const FormatTraits& row, const void* src, float* dst, std::size_t n);
void convert_to_float_in_team(const FormatTraits& row, const void* src, float* dst,
                              std::size_t n);
inline void convert_to_float(Format format, const void* src, float* dst, std::size_t n) {
  convert_to_float(traits(format), src, dst, n);
}
inline void convert_to_float_in_team(Format format, const void* src, float* dst, std::size_t n) {
  convert_to_float_in_team(traits(format), src, dst, n);
}

// Adds to s what rounding src (fp32) into dst (already rounded, n values of `row`'s
// format) did: the statistics of a rounding done elsewhere (a library's conversion).
void count_rounding(const FormatTraits& row, const float* src, const void* dst, std::size_t n,
                    RoundStats& s);

// The serial per-ISA loops behind the 16-bit rows (round_loops.cpp), for kernels that
// round inside a loop of their own: dst = round(src) and the counts added to s, in one pass.
template <typename T>
void round_and_count(const float* src, T* dst, std::size_t n, RoundStats& s);

}  // namespace mixprec
