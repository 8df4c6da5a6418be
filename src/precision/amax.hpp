#pragma once
// amax, the largest magnitude in a tensor or a block: what every FP8 scaling recipe starts
// from (NUMERICS.md "8-bit formats"). It is computed as an integer maximum of the fp32 bit
// patterns with the sign bit cleared: for non-negative floats the integer order is the
// numeric order, +inf (0x7f800000) is above every finite value and every NaN is above +inf.
// So the result is exact, -0 counts as 0, and a NaN anywhere gives a NaN (an inf, when there
// is no NaN), which the recipes then see: unlike an fmax-based reduction, which skips NaN.
#include <cstddef>
#include <cstdint>

namespace mixprec {

// max over i < n of (bits(x[i]) & 0x7fffffff); 0 when n = 0. Vectorised (AVX-512, AVX2).
std::uint32_t abs_max_bits(const float* x, std::size_t n);

// The same, as a float: max |x[i]|, NaN if any x[i] is NaN, +inf if any is +-inf and none is
// NaN, 0 for n = 0 or an all-zero tensor.
float amax(const float* x, std::size_t n);

}  // namespace mixprec
