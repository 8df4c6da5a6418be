// The 16-bit forward and backward (with packed operands where the mode packs them) against
// the fp32 pass on the same rounded weights and inputs, and the step's promise of no
// allocation once the first batch of each size has created its matmul primitives.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "precision/convert.hpp"
#include "kernels/matmul.hpp"
#include "nn/init.hpp"
#include "nn/loss.hpp"
#include "nn/mlp.hpp"
#include "support/count_allocations.hpp"  // this binary's operator new

namespace mixprec {
namespace {

// Odd widths and batch: every packed operand has tails (k and n not multiples of the
// 32 x 64 blocks), and 70 > 64 gives two column panels.
const ParamLayout kLayout(45, {70, 33}, 10);
constexpr int kBatch = 37;

struct Problem {
  std::vector<float> params, x;
  std::vector<std::int32_t> y;
};

Problem make_problem() {
  Problem p;
  p.params = initial_parameters(kLayout, Activation::kRelu, Init::kAuto, 7);
  std::mt19937 rng(9);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  for (const auto& l : kLayout.layers())
    for (int j = 0; j < l.out; ++j) p.params[l.b_offset + j] = 0.1f * dist(rng);
  p.x.resize(std::size_t(kBatch) * kLayout.input_dim());
  for (auto& v : p.x) v = dist(rng);
  for (int i = 0; i < kBatch; ++i) p.y.push_back(i % kLayout.num_classes());
  return p;
}

// One forward and backward in `format`; returns the fp32 values of the parameter gradients.
std::vector<float> gradients(Format format, const std::vector<float>& params32,
                             const std::vector<float>& x32, const std::vector<std::int32_t>& y,
                             int batch) {
  const Mlp mlp(kLayout, Activation::kRelu, all_roles(format));
  Workspace ws(kLayout, Activation::kRelu, all_roles(format), kBatch, true);
  Buffer params(format, params32.size()), grads(format, params32.size());
  round_from_float(params32.data(), format, params.data(), params32.size(), kNearestEven, nullptr);
  round_from_float(x32.data(), format, ws.input.data(), std::size_t(batch) * kLayout.input_dim(), kNearestEven, nullptr);
  mlp.forward(params.data(), batch, ws);
  softmax_cross_entropy(ws.logits.as<float>(), y.data(), batch, kLayout.num_classes(),
                        ws.dlogits.as<float>(), 1.0f);
  mlp.backward(params.data(), batch, ws, grads.data(), kNearestEven, nullptr);
  std::vector<float> out(params32.size());
  convert_to_float(format, grads.data(), out.data(), out.size());
  return out;
}

// The inputs and weights rounded to `format` first, so that both passes start from the
// same values: what differs is only the 16-bit rounding inside the pass.
std::vector<float> rounded(Format format, const std::vector<float>& v) {
  Buffer b(format, v.size());
  round_from_float(v.data(), format, b.data(), v.size(), kNearestEven, nullptr);
  std::vector<float> out(v.size());
  convert_to_float(format, b.data(), out.data(), v.size());
  return out;
}

class Step16 : public ::testing::TestWithParam<Format> {};

TEST_P(Step16, GradientsAgreeWithTheFp32PassOnTheSameValues) {
  const Format format = GetParam();
  const Problem p = make_problem();
  const auto params = rounded(format, p.params), x = rounded(format, p.x);
  const auto g16 = gradients(format, params, x, p.y, kBatch);
  const auto g32 = gradients(Format::kF32, params, x, p.y, kBatch);
  // Each 16-bit pass rounds the activations, dz and the gradients (relative 2^-8 for bf16,
  // 2^-11 for fp16) a few times per layer; an error in the packed layout or a transposition
  // mixes up values and is off by the size of the gradients themselves. Compare relative to
  // each layer's largest gradient.
  const double unit = format == Format::kBf16 ? std::ldexp(1.0, -8) : std::ldexp(1.0, -11);
  for (const auto& l : kLayout.layers()) {
    double largest = 0.0, worst = 0.0;
    for (std::size_t i = l.w_offset; i < l.b_offset + l.out; ++i) {
      largest = std::max(largest, double(std::abs(g32[i])));
      worst = std::max(worst, double(std::abs(g16[i] - g32[i])));
    }
    ASSERT_GT(largest, 0.0);
    EXPECT_LT(worst, 16 * unit * largest) << "layer with in=" << l.in << " out=" << l.out;
  }
}

class StepAllocation : public ::testing::TestWithParam<Format> {};

TEST_P(StepAllocation, NoneOnceEachBatchSizeHasRun) {
  const Format format = GetParam();
  const Problem p = make_problem();
  const Mlp mlp(kLayout, Activation::kRelu, all_roles(format));
  Workspace ws(kLayout, Activation::kRelu, all_roles(format), kBatch, true);
  Buffer params(format, p.params.size()), grads(format, p.params.size());
  round_from_float(p.params.data(), format, params.data(), p.params.size(), kNearestEven, nullptr);
  round_from_float(p.x.data(), format, ws.input.data(), p.x.size(), kNearestEven, nullptr);
  auto step = [&](int batch) {
    mlp.forward(params.data(), batch, ws);
    softmax_cross_entropy(ws.logits.as<float>(), p.y.data(), batch, kLayout.num_classes(),
                          ws.dlogits.as<float>(), 1.0f);
    RoundStats stats;
    mlp.backward(params.data(), batch, ws, grads.data(), kNearestEven, &stats);
  };
  step(kBatch);  // the first full batch and the first partial one create their primitives
  step(11);
  // No allocation of mixprec's own: every operator new in a step must come from inside
  // oneDNN's execute (its argument maps, 4-5 per product in oneDNN 2.6, and on AVX2 gemm
  // scratch for some shapes), which no caller can avoid. Those must not grow either: each
  // pair of steps allocates exactly what the first measured pair did.
  const auto first = testing::count_allocations([&] {
    step(kBatch);
    step(11);
  });
  EXPECT_EQ(first.outside_onednn, 0) << first.all << " allocations in all";
  for (int round = 0; round < 3; ++round) {
    const auto next = testing::count_allocations([&] {
      step(kBatch);
      step(11);
    });
    EXPECT_EQ(next.outside_onednn, 0) << "round " << round;
    EXPECT_EQ(next.all, first.all) << "round " << round;
  }
  // The attribution itself: a product's allocations are all oneDNN's, and one of ours is not.
  std::vector<float> a(16 * 16, 1.0f), b(16 * 16, 1.0f), c(16 * 16);
  matmul().multiply(Format::kF32, a.data(), false, b.data(), false, c.data(), 16, 16, 16);
  const auto product = testing::count_allocations([&] {
    matmul().multiply(Format::kF32, a.data(), false, b.data(), false, c.data(), 16, 16, 16);
  });
  EXPECT_GT(product.all, 0);
  EXPECT_EQ(product.outside_onednn, 0);
  // An explicit call of the replaceable operator new, which no compiler may elide.
  const auto ours = testing::count_allocations([] { ::operator delete(::operator new(8)); });
  EXPECT_EQ(ours.outside_onednn, 1);
}

std::string format_name(const ::testing::TestParamInfo<Format>& info) {
  return to_string(info.param);
}
INSTANTIATE_TEST_SUITE_P(Formats, Step16, ::testing::Values(Format::kBf16, Format::kF16),
                         format_name);
INSTANTIATE_TEST_SUITE_P(Formats, StepAllocation,
                         ::testing::Values(Format::kBf16, Format::kF16, Format::kF32),
                         format_name);

}  // namespace
}  // namespace mixprec
