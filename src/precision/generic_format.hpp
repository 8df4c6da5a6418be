#pragma once
// Conversions for any row of the format table computed from its widths alone (sign, then
// exponent_bits, then mantissa_bits, in the low bits of a storage_bytes-wide little-endian
// integer), one value at a time. The entry points of a row that has no vector loops yet
// (a new format starts here), and the fallback a test row uses. Nearest-even, IEEE
// subnormals, the row's SpecialValues and OverflowRule; the statistics counted per value.
#include <cstddef>

#include "precision/format.hpp"

namespace mixprec {

void to_float_by_widths(const FormatTraits& row, const void* src, float* dst, std::size_t n);
void from_float_by_widths(const FormatTraits& row, const float* src, void* dst, std::size_t n,
                          const Rounding& rounding, RoundStats* stats);

}  // namespace mixprec
