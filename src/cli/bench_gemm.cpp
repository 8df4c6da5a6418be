#include "cli/bench_gemm.hpp"

#include <algorithm>

#include "kernels/aligned_buffer.hpp"
#include "precision/convert.hpp"
#include "kernels/matmul.hpp"
#include "kernels/weight_pack.hpp"
#include "metrics/stopwatch.hpp"

namespace mixprec {
namespace {

// How a product's b reaches oneDNN: plain row-major (oneDNN re-blocks it inside), packed
// beforehand (kernels/weight_pack.hpp), or packed as part of the timed work (what a
// training step pays: it packs each weight matrix once per use).
enum class GemmB { kPlain, kPacked, kPackedAndPacking };

double gemm_gflops(const GemmCase& c, GemmB mode) {
  const Format f = c.format;
  Buffer a(f, std::size_t(c.m) * c.k), b(f, std::size_t(c.k) * c.n);
  std::vector<float> halves(std::max(a.size(), b.size()), 0.5f), out(std::size_t(c.m) * c.n);
  round_from_float(halves.data(), f, a.data(), a.size(), kNearestEven, nullptr);
  round_from_float(halves.data(), f, b.data(), b.size(), kNearestEven, nullptr);
  Buffer packed;
  if (mode != GemmB::kPlain) {
    packed = Buffer(f, packed_shape(f, c.k, c.n).values());
    pack_b(f, b.data(), c.tb, c.k, c.n, packed.data());
  }
  auto product = [&] {
    if (mode == GemmB::kPlain) {
      matmul().multiply(f, a.data(), c.ta, b.data(), c.tb, out.data(), c.m, c.n, c.k);
      return;
    }
    if (mode == GemmB::kPackedAndPacking) pack_b(f, b.data(), c.tb, c.k, c.n, packed.data());
    matmul().multiply_packed(f, a.data(), c.ta, f, packed.data(), out.data(), c.m, c.n, c.k);
  };
  for (int i = 0; i < 2; ++i) product();
  std::vector<double> times;
  for (int i = 0; i < 30; ++i) {
    Stopwatch w;
    product();
    times.push_back(w.seconds());
  }
  std::sort(times.begin(), times.end());
  return 2.0 * c.m * c.n * c.k / times[times.size() / 2] / 1e9;
}

}  // namespace

std::vector<GemmCase> step_gemms(const ParamLayout& layout, int batch) {
  std::vector<GemmCase> cases;
  for (Format f : all_formats()) {
    if (!has_storage_type(f)) continue;  // FP8: no product of its own (a carrier's: NUMERICS.md)
    for (const LayerShape& l : layout.layers()) {
      // x: (batch, in)  w: (in, out)  dz: (batch, out)
      cases.push_back({f, "forward x*w", false, false, batch, l.out, l.in});
      cases.push_back({f, "backward x^T*dz", true, false, l.in, l.out, batch});
      cases.push_back({f, "backward dz*w^T", false, true, batch, l.in, l.out});
    }
  }
  return cases;
}

GemmResult measure_gemm(const GemmCase& c) {
  GemmResult r{c, matmul().path(c.format).native, gemm_gflops(c, GemmB::kPlain), {}, {}};
  if (matmul().reads_packed(c.format, c.k, c.n)) {  // what training runs for this format
    r.gflops_packed = gemm_gflops(c, GemmB::kPacked);
    r.gflops_packed_incl_packing = gemm_gflops(c, GemmB::kPackedAndPacking);
  }
  return r;
}

double matmul_flops_per_sample(const ParamLayout& layout) {
  double macs = 0.0;
  for (std::size_t l = 0; l < layout.layers().size(); ++l) {
    const LayerShape& s = layout.layers()[l];
    macs += double(s.in) * s.out * (l == 0 ? 2 : 3);
  }
  return 2.0 * macs;  // 2 flops per multiply-add
}

}  // namespace mixprec
