#pragma once
// Conversions between fp32 and the OCP FP8 rows of the format table, E4M3 and E5M2
// (NUMERICS.md "8-bit formats"), vectorised: 16 values at a time with AVX-512, 8 with AVX2
// (fp8_lanes.hpp), one at a time (the scalar path of generic_format.cpp) otherwise. All give
// the bits of the scalar path; tests/precision/fp8_format_test.cpp checks them against the
// OCP tables in ../shared/reference and against that path.
//
// The cast of NUMERICS.md: multiply by the tensor's scale s (an fp32 product), round to
// nearest even, and saturate: anything beyond the largest finite value, +-inf included,
// becomes +-largest finite (E5M2's inf is never produced); NaN stays NaN. The infinities
// follow CUDA's __NV_SATFINITE conversion, which Transformer Engine's casts use
// (docs/precision.md "FP8").
#include <cstddef>
#include <cstdint>

#include "precision/format.hpp"

namespace mixprec {

// dst = cast(src * scale) into `row` (an FP8 row: 1 byte, saturating), serial. In the same
// pass, unless null:
//   *stats += values n; nonzero (src != 0, NaN included); underflow (src != 0, code +-0);
//     overflow (finite src that saturated); nonfinite (NaN codes); saturated (src not NaN and
//     |src * scale| beyond the largest finite value, an fp32 overflow of the product included);
//   *amax = max(*amax, max |src| over the finite src): the unscaled amax that delayed and
//     current scaling record (NUMERICS.md "Scaling recipes"). Unlike amax() (amax.hpp),
//     which returns NaN or inf when the tensor holds one, it skips non-finite values: the
//     fp8-mixed integration must pick one of the two for the recorded history.
// scale: positive and finite (1 for an unscaled cast).
void round_to_fp8(const FormatTraits& row, const float* src, std::uint8_t* dst, std::size_t n,
                  float scale, RoundStats* stats, float* amax);

// n FP8 codes widened exactly: to fp32, and to bf16, which holds every FP8 value exactly (the
// carrier operand of a bf16 product, NUMERICS.md "Kernels"). NaN codes give the quiet NaN of
// their sign, E5M2's inf codes +-inf.
void fp8_to_float(const FormatTraits& row, const std::uint8_t* src, float* dst, std::size_t n);
void fp8_to_bf16(const FormatTraits& row, const std::uint8_t* src, bf16* dst, std::size_t n);

// The rows' entry points (format_table.cpp): to_float, and from_float, the unscaled cast
// (stochastic rounding snaps first, as for every row: stochastic_rounding.hpp).
void fp8_row_to_float(const FormatTraits& row, const void* src, float* dst, std::size_t n);
void fp8_row_from_float(const FormatTraits& row, const float* src, void* dst, std::size_t n,
                        const Rounding& rounding, RoundStats* stats);

}  // namespace mixprec
