#pragma once
// MX block scales (NUMERICS.md "8-bit formats", fp8.recipe "mxfp8"; OCP Microscaling
// Formats (MX) v1.0, MXFP8): each block of 32 consecutive values along the reduction index of
// a product shares a power-of-two scale X, stored as an E8M0 code. The elements are v / X,
// rounded and saturated by the FP8 cast (the format table's conversion, not this file).
//
// The rule, as the spec's conversion algorithm (Rouhani et al., "Microscaling Data Formats
// for Deep Learning", arXiv 2310.10537, Algorithm 1) and Microsoft's reference code
// microsoft/microxcaling, mx/mx_ops.py (_shared_exponents, _quantize_mx), compute it:
//   shared_exp = floor(log2(amax_block)) - emax,  X = 2^shared_exp,
// with emax the exponent of the element format's largest normal (8 for E4M3, whose 448 is
// 1.75 * 2^8; 15 for E5M2's 57344 = 1.75 * 2^15). The block maximum lands in [2^emax,
// 2^(emax+1)); above 448 (E4M3) it saturates to 448 in the cast: a block whose amax is
// 449..511.99 keeps X = 2^(8-8) = 1 and its maximum becomes 448 (the spec: "normal numbers
// that exceed the representable range of the element format are clamped to the maximum").
// TE's MXFP8 rounds the exponent up instead (float_to_e8m0(amax / 448), so nothing
// saturates); we follow NUMERICS.md and the spec.
//   * floor(log2(amax)) is exact, from the fp32 exponent bits (subnormal amax included), not
//     std::log2, which can round a value just below 2^k up to k.
//   * shared_exp below -127 (E8M0's smallest, a block of magnitudes under 2^(emax-126)) is
//     raised to -127, as microxcaling does ("Underflows are set to -127"); elements too small
//     for that X then underflow in the cast. Above 127 the code would be NaN
//     (microxcaling: "Overflow to NaN"); no finite fp32 amax gets there with emax >= 0.
//   * A block of zeros (and +-0) has code 0, X = 2^-127: microxcaling replaces a zero amax
//     by 2^-126 and clamps, which gives the same; TE also writes code 0. Any X gives zeros.
//   * A block with a NaN or an infinity has code 0xFF, X = NaN, and so every element of the
//     block decodes to NaN. This is microxcaling's result (torch.max propagates the NaN;
//     log2 of an inf amax overflows to NaN), and it matches the spec's rule that a NaN scale
//     makes the whole block NaN (OCP MX v1.0 section 5.3, cited from memory: the spec text
//     itself was not available here). TE maps only a NaN amax to 0xFF and an inf to 0xFE.
#include <cstddef>
#include <cstdint>

namespace mixprec {

inline constexpr std::size_t kMxBlockSize = 32;  // OCP MX v1.0: k = 32 for MXFP8
inline constexpr std::uint8_t kE8m0Nan = 0xFF;   // E8M0: bias 127, no sign, no zero, 0xFF NaN

// E8M0 code c -> 2^(c - 127) (c = 0: 2^-127, an fp32 subnormal, exact); 0xFF -> NaN.
float e8m0_to_float(std::uint8_t code);
// 1 / X = 2^(127 - c), the factor the cast multiplies each element by (c = 0: 2^127); NaN for
// 0xFF. v * e8m0_inverse(c) is exact except where it falls below 2^-126, far under E5M2's
// smallest subnormal 2^-16, where the element rounds to 0 either way.
float e8m0_inverse(std::uint8_t code);

// floor(log2(x)) for a finite x > 0 (subnormal included), exactly, from the bits.
int floor_log2(float x);
// emax of an element format from its largest finite value: floor(log2(max_finite)),
// 8 for E4M3 (448), 15 for E5M2 (57344).
int mx_element_emax(float max_finite);

// The E8M0 code of a block whose largest magnitude is amax (the rules above).
std::uint8_t mx_scale_code_from_amax(float amax, int emax);
// The E8M0 code of the block x[0..n) (n <= 32 in MXFP8; any n works).
std::uint8_t mx_scale_code(const float* x, std::size_t n, int emax);

// Which index of a row-major (rows, cols) matrix the blocks run along: the reduction index
// of the product the operand feeds. x (batch, in) in x*w and dz (batch, out) in dz*w^T are
// reduced over their column index (kAlongRow); w (in, out) in x*w, and x and dz in x^T*dz,
// over their row index (kAlongColumn). An operand in two products is scaled once for each.
enum class MxBlockAxis {
  kAlongRow,     // 32 consecutive values of a row: cols / 32 blocks per row
  kAlongColumn,  // 32 consecutive values of a column: rows / 32 blocks per column
};

// The shape of the code matrix, row-major: (rows, ceil(cols / 32)) along rows,
// (ceil(rows / 32), cols) along columns. A dimension that is not a multiple of 32 ends in a
// partial block of the remaining values.
struct MxScaleShape {
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::size_t size() const { return rows * cols; }
};
MxScaleShape mx_scale_shape(std::size_t rows, std::size_t cols, MxBlockAxis axis);

// codes[mx_scale_shape(rows, cols, axis).size()]: the E8M0 code of every block of x (rows,
// cols), row-major; code (i, j) scales block j of row i (kAlongRow), or block i of column j
// (kAlongColumn). The block maxima are vectorised (AVX-512, AVX2).
void mx_scale_codes(const float* x, std::size_t rows, std::size_t cols, MxBlockAxis axis,
                    int emax, std::uint8_t* codes);

}  // namespace mixprec
