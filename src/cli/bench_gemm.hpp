#pragma once
// The GEMM part of `mixprec bench`: GFLOP/s of each product of a training step at the
// shapes of the model bench trains (the config's hidden widths between the data's input
// width and class count), per format, with b read plain and, where oneDNN reads that format
// packed, packed beforehand and packed as part of the timed work.
#include <optional>
#include <string>
#include <vector>

#include "nn/param_layout.hpp"
#include "precision/format.hpp"

namespace mixprec {

// One product c (m, n) = op(a) (m, k) * op(b) (k, n); op transposes where ta / tb say.
struct GemmCase {
  Format format;
  std::string product;  // "forward x*w", "backward x^T*dz", "backward dz*w^T"
  bool ta = false, tb = false;
  int m = 0, n = 0, k = 0;
};

struct GemmResult {
  GemmCase shape;
  bool native = false;     // the format's products run natively (else emulated in fp32)
  double gflops = 0.0;     // b plain: oneDNN re-blocks it inside the product
  // Only where training reads b packed for this format and shape (kernels/weight_pack.hpp):
  std::optional<double> gflops_packed;                // b packed beforehand
  std::optional<double> gflops_packed_incl_packing;  // b packed inside the timed work
};

// For each format, for each layer of `layout` in order, the three products of a training
// step at batch size `batch`: forward x*w, backward x^T*dz and dz*w^T.
std::vector<GemmCase> step_gemms(const ParamLayout& layout, int batch);

// Times one case: the median of 30 products after two warm-up calls, per way of reading b.
GemmResult measure_gemm(const GemmCase& c);

// Matmul work per training sample, in flops: forward x*w for each layer, backward
// dw = x^T dz for each layer and da = dz w^T for all but the first.
double matmul_flops_per_sample(const ParamLayout& layout);

}  // namespace mixprec
