#pragma once
// Matrix products for the whole tool, on oneDNN's matmul primitive with fp32 accumulation.
//   c (m, n) fp32 = op(a) (m, k) * op(b) (k, n),  op(x) = x or x^T as stored row-major.
// a and b share one format. Where oneDNN has no native kernel for that format on this CPU
// (fp16 without AVX512-FP16/AMX-FP16), the operands are converted exactly to fp32 and
// multiplied there: identical numbers, different speed (NUMERICS.md), and path() says so.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <tuple>

#include "kernels/aligned_buffer.hpp"
#include "precision/format.hpp"

namespace mixprec {

struct MatmulPath {
  Format format;
  bool native;       // false: exact conversion to fp32, then an fp32 product
  std::string impl;  // oneDNN's implementation name, e.g. "brg:avx512_core_bf16"
  // Measured by a probe product, not assumed: true when a subnormal input of this format
  // multiplies as zero. AVX512-BF16's dot product (vdpbf16ps) reads bf16 subnormals (below
  // 2^-126) as zero whatever MXCSR says; the emulated and fp32 paths keep them (NUMERICS.md).
  bool subnormal_inputs_as_zero = false;
};

class Matmul {
 public:
  Matmul();
  ~Matmul();
  Matmul(const Matmul&) = delete;
  Matmul& operator=(const Matmul&) = delete;

  // Primitives are created on the first call for each shape and reused afterwards.
  void multiply(Format format, const void* a, bool transpose_a, const void* b, bool transpose_b,
                float* c, int m, int n, int k) {
    multiply(format, a, transpose_a, format, b, transpose_b, c, m, n, k);
  }
  // Operands of different formats (e.g. 16-bit activations times weights an emulated path
  // has already widened to fp32): any operand that is not fp32 is converted exactly, and
  // the product runs in fp32, unless both share a format with a native kernel.
  void multiply(Format a_format, const void* a, bool transpose_a, Format b_format, const void* b,
                bool transpose_b, float* c, int m, int n, int k);

  // Products whose b (k, n) was packed with pack_b (kernels/weight_pack.hpp), so oneDNN's
  // kernel reads it as it is instead of copying it into that layout block by block.
  // reads_packed() says whether the kernel oneDNN picks for this shape and format wants
  // exactly that layout (probed once per shape); where it does not, use multiply().
  // a and b share their format (mixprec packs only native bf16 operands, nn/mlp.cpp).
  bool reads_packed(Format b_format, int k, int n);
  void multiply_packed(Format a_format, const void* a, bool transpose_a, Format b_format,
                       const void* packed_b, float* c, int m, int n, int k);

  // fp32 only: c (m, n) = relu(a (m, k) * b (k, n) + bias (n)), in one pass, the bias and
  // the relu applied by oneDNN's kernel to the fp32 accumulators before they are stored
  // (a post-op), where a separate pass would read c back from memory. The same numbers
  // as multiply() followed by the bias and relu in fp32.
  void multiply_bias_relu(const float* a, const float* b, const float* bias, float* c, int m,
                          int n, int k);

  // Which path a format takes on this machine (probed once, cached).
  const MatmulPath& path(Format format);
  // The format a product reads operands of `format` in: itself where the path is native,
  // else the format they are widened to (exactly) before the product.
  Format operand_format(Format format) { return path(format).native ? format : kFloatFormat; }

 private:
  bool subnormal_product_is_zero(Format format);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The process-wide instance: one oneDNN engine and stream for the whole tool.
Matmul& matmul();

}  // namespace mixprec
