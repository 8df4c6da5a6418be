#pragma once
// The right-hand operand of a product, b (k, n), rearranged into the blocked layout that
// oneDNN's AVX-512 kernels read ("packed"). Given b in plain row-major form, the kernel
// copies it into that layout itself, block by block, inside every call. For bf16 that
// costs more than packing once per use with the loops below; for fp32 it does not
// (measured with `mixprec bench`; nn/mlp.cpp packs_operand decides).
//   fp32: oneDNN's BA16a64b   = panels of 64 columns; in each, 16-row blocks of rows.
//         offset(r, c) = (c / 64) * k_pad * 64 + r * 64 + c % 64
//   bf16: oneDNN's BA16a64b2a = the same panels, with row pairs interleaved (the
//         vdpbf16ps dot product reads two consecutive k values of one column at once).
//         offset(r, c) = (c / 64) * k_pad * 64 + (r / 2) * 128 + (c % 64) * 2 + r % 2
// k is padded to a multiple of 16 (fp32) or 32 (bf16), n to a multiple of 64, with zeros.
// Matmul checks that oneDNN asks for exactly this layout before it uses it.
#include <cstddef>

#include "precision/format.hpp"

namespace mixprec {

struct PackedShape {
  int k = 0, n = 0;          // the logical b (k, n)
  int k_pad = 0, n_pad = 0;  // its padded extents in the packed buffer
  std::size_t values() const { return std::size_t(k_pad) * std::size_t(n_pad); }
};

// Only fp32 and bf16 have a packed layout here (fp16 products run in fp32 on this tool's
// machines, so fp16 weights are widened first); other formats throw std::logic_error.
PackedShape packed_shape(Format format, int k, int n);

// Writes the whole packed buffer (padding included) from b, which is stored row-major as
// (k, n), or as its transpose (n, k) when `transposed`. src and dst share `format`.
void pack_b(Format format, const void* src, bool transposed, int k, int n, void* dst);

// pack_b's work shared among the team of the OpenMP parallel region it is called from
// (every thread must call it; it ends with a barrier), or done by the calling thread
// alone outside one. For packing inside a region opened for other work as well.
void pack_b_in_team(Format format, const void* src, bool transposed, int k, int n, void* dst);

// The same, one value at a time from the offset formulas above: the reference that the
// vector code is tested against, and the fallback where it does not apply.
void pack_b_reference(Format format, const void* src, bool transposed, int k, int n, void* dst);

}  // namespace mixprec
