// The inference comparison's E4M3 row (inference_comparison.hpp): weights quantised to E4M3
// with one scale per weight tensor, biases fp32, run in fp32 on the dequantised weights.
// A hand-solved model pins the row's accuracy, agreement, loss and bytes; the dequantised
// weights of a random model are checked against the OCP table (../shared/reference), not
// against the cast under test.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "precision/fp8_reference.hpp"
#include "train/inference_comparison.hpp"
#include "train/train_test_util.hpp"

namespace mixprec {
namespace {

// The hand-made model: 2 inputs, one relu hidden layer of 2, 2 classes.
//   layout: w0 (2, 2) at 0, b0 (2) at 4, w1 (2, 2) at 6, b1 (2) at 10.
// w0's amax is 448 / 1024, so s0 = 1024; w1's is 448, so s1 = 1: both powers of two, so
// q / s is exact and the E4M3 grid of each tensor is 2^-10 resp. 1 times E4M3's own.
//   w0[0][0] = 0.4375 = 448 / 1024     -> 448 / 1024 (the amax, exact, not saturated)
//   w0[0][1] = 2^-22  (scaled 2^-12)   -> 0 (below half of E4M3's smallest subnormal 2^-9: underflow)
//   w0[1][0] = 1.1875 / 1024           -> 1.25 / 1024 (tie between 1.125 and 1.25: to even, up)
//   w0[1][1] = 1.0625 / 1024           -> 1 / 1024    (tie between 1 and 1.125: to even, down)
//   b0 = (0, 0); w1 = [[1, 0], [0, 448]] exact; b1 = (1e-4, 0) stays fp32 (1e-4 is no E4M3 value).
// With one scale for both tensors (448 / max amax = 1) w0's small entries would round on
// E4M3's own grid instead: 1.0625 / 1024 to 2^-9, and the E4M3 row would agree with fp32.
constexpr float kTiny = 0x1p-22f;
const std::vector<float> kWeights = {0.4375f, kTiny, 1.1875f / 1024, 1.0625f / 1024, 0.0f, 0.0f,
                                     1.0f,    0.0f,  0.0f,           448.0f,          1e-4f, 0.0f};
const std::vector<float> kHandQuantised = {0.4375f, 0.0f, 1.25f / 1024, 1.0f / 1024, 0.0f, 0.0f,
                                           1.0f,    0.0f, 0.0f,         448.0f,      1e-4f, 0.0f};

ParamLayout hand_layout() { return ParamLayout(2, {2}, 2); }

// Rows (33/32, 1), (1/2, 1), (2, 1), (33/32, 1), labelled with fp32's predictions:
//   fp32: logit0 = h0 + 1e-4 = 0.4524..., logit1 = 448 (2^-22 * 33/32 + 1.0625/1024) = 0.4650...
//         for the first row: class 1. E4M3: logit1 = 448 / 1024 = 0.4375 < logit0 = 0.4525...: class 0.
//   (1/2, 1): class 1 in both (logit0 about 0.22); (2, 1): class 0 in both (logit0 about 0.88).
// So fp32 is right on all 4 rows, E4M3 on 2, and they agree on 2.
Dataset hand_data() {
  Dataset d;
  d.num_classes = 2;
  const std::vector<std::pair<float, float>> x = {{1.03125f, 1}, {0.5f, 1}, {2, 1}, {1.03125f, 1}};
  d.x.resize(std::int64_t(x.size()), 2);
  for (std::size_t i = 0; i < x.size(); ++i) {
    d.x(std::int64_t(i), 0) = x[i].first;
    d.x(std::int64_t(i), 1) = x[i].second;
  }
  d.y = {1, 1, 0, 1};
  return d;
}

// Mean softmax cross-entropy of the hand model with weights w, in double.
double hand_loss(const std::vector<float>& w, const Dataset& d) {
  double sum = 0.0;
  for (std::int64_t i = 0; i < d.rows(); ++i) {
    const double x0 = d.x(i, 0), x1 = d.x(i, 1);
    const double h0 = std::max(0.0, x0 * w[0] + x1 * w[2] + w[4]);
    const double h1 = std::max(0.0, x0 * w[1] + x1 * w[3] + w[5]);
    const double l0 = h0 * w[6] + h1 * w[8] + w[10], l1 = h0 * w[7] + h1 * w[9] + w[11];
    const double mine = d.y[std::size_t(i)] == 0 ? l0 : l1, other = d.y[std::size_t(i)] == 0 ? l1 : l0;
    sum += std::log1p(std::exp(other - mine));
  }
  return sum / double(d.rows());
}

TEST(InferenceComparisonE4m3, HandModelQuantisesEachTensorWithItsOwnScale) {
  const QuantisedWeights q = quantise_weights_per_tensor(hand_layout(), kWeights, Format::kE4m3);
  // Exact: every value is a multiple of a power of two that E4M3 and fp32 hold.
  ASSERT_EQ(q.dequantised.size(), kHandQuantised.size());
  for (std::size_t i = 0; i < kHandQuantised.size(); ++i)
    EXPECT_EQ(q.dequantised[i], kHandQuantised[i]) << "parameter " << i;
  ASSERT_EQ(q.layers.size(), 2u);
  EXPECT_EQ(q.layers[0].amax, 0.4375f);
  EXPECT_EQ(q.layers[0].scale, 1024.0f);
  EXPECT_EQ(q.layers[1].amax, 448.0f);
  EXPECT_EQ(q.layers[1].scale, 1.0f);
  EXPECT_EQ(q.layers[0].stats.values, 4u);
  EXPECT_EQ(q.layers[0].stats.nonzero, 4u);
  EXPECT_EQ(q.layers[0].stats.underflow, 1u);  // 2^-22
  EXPECT_EQ(q.layers[0].stats.saturated, 0u);  // the amax lands on 448 exactly
  EXPECT_EQ(q.layers[1].stats.nonzero, 2u);
  EXPECT_EQ(q.layers[1].stats.underflow, 0u);
  // 8 weights in 1 byte, 4 fp32 biases, 2 fp32 scales.
  EXPECT_EQ(q.bytes, 8u * 1 + 4u * 4 + 2u * 4);
}

TEST(InferenceComparisonE4m3, HandModelAccuracyAndAgreement) {
  const Dataset d = hand_data();
  // Batch 3: the second batch is a partial one.
  const nlohmann::json rows = compare_inference(hand_layout(), Activation::kRelu, kWeights, d, 3);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0]["format"], "fp32");
  EXPECT_EQ(rows[0]["accuracy"].get<double>(), 1.0);
  const nlohmann::json& e = rows.back();
  EXPECT_EQ(e["format"], "e4m3");
  EXPECT_EQ(e["path"], "fp32 carrier");  // never native FP8 (NUMERICS.md "Kernels")
  EXPECT_EQ(e["accuracy"].get<double>(), 0.5);
  EXPECT_EQ(e["agreement_with_fp32"].get<double>(), 0.5);
  // The forward pass is fp32 on logits near 0.45 and 2-term sums: a few fp32 ulps (6e-8
  // relative) per logit, far below 1e-6 in the loss. Quantising the bias 1e-4 (to 0 or to
  // 2^-9 at scale 1) would move the loss by more than 1e-5.
  EXPECT_NEAR(e["loss"].get<double>(), hand_loss(kHandQuantised, d), 1e-6);
  EXPECT_NEAR(rows[0]["loss"].get<double>(), hand_loss(kWeights, d), 1e-6);
  EXPECT_EQ(e["weight_bytes"].get<std::size_t>(), 32u);
  EXPECT_EQ(e["activation_bytes_per_batch"], rows[0]["activation_bytes_per_batch"]);  // fp32 activations
  EXPECT_EQ(e["batch_size"], 3);
  const nlohmann::json& layers = e["weight_quantisation"];
  ASSERT_EQ(layers.size(), 2u);
  EXPECT_EQ(layers[0]["scale"].get<float>(), 1024.0f);
  EXPECT_EQ(layers[1]["scale"].get<float>(), 1.0f);
  EXPECT_EQ(layers[0]["amax"].get<float>(), 0.4375f);
  EXPECT_EQ(layers[0]["underflow_fraction"].get<double>(), 0.25);
  EXPECT_EQ(layers[0]["saturated_fraction"].get<double>(), 0.0);
  EXPECT_EQ(layers[1]["underflow_fraction"].get<double>(), 0.0);
}

// A random 5-7-3 model whose two weight tensors differ in magnitude by 10^4, with a zero,
// an underflowing weight and ties: each dequantised weight is q / s with q the OCP table's
// value of the code the table's cast gives w * s (fp32 product, as NUMERICS.md's cast), and
// s = 448 / amax computed here. The quotient is formed in double and rounded to fp32 once:
// for a quotient of two fp32 values that equals the correctly rounded fp32 division (double
// has more than 2 * 24 + 2 bits), which the code under test does.
TEST(InferenceComparisonE4m3, DequantisedWeightsAreTableValuesOverTheScale) {
  const test::Fp8Table table("e4m3");
  ASSERT_TRUE(table.loaded());
  const ParamLayout layout(5, {7}, 3);
  testing::Normal normal(7);
  std::vector<float> w(layout.size());
  const double magnitude[2] = {1e-3, 10.0};
  for (std::size_t l = 0; l < 2; ++l) {
    const LayerShape& s = layout.layers()[l];
    for (std::size_t i = s.w_offset; i < s.b_offset + std::size_t(s.out); ++i)
      w[i] = float(magnitude[l] * normal.next());
  }
  const LayerShape& l0 = layout.layers()[0];
  w[l0.w_offset] = 0.0f;
  w[l0.w_offset + 1] = 1e-12f;  // underflows at any scale this tensor gets
  // Ties at scale 1024 once the amax is 0.4375: 1.0625 and 1.1875 times 2^-10.
  w[l0.w_offset + 2] = 0.4375f;
  w[l0.w_offset + 3] = 1.0625f / 1024;
  w[l0.w_offset + 4] = -1.1875f / 1024;

  const QuantisedWeights q = quantise_weights_per_tensor(layout, w, Format::kE4m3);
  ASSERT_EQ(q.layers.size(), 2u);
  std::size_t bytes = 0;
  for (std::size_t l = 0; l < 2; ++l) {
    const LayerShape& s = layout.layers()[l];
    const std::size_t n = std::size_t(s.in) * std::size_t(s.out);
    float amax = 0.0f;
    for (std::size_t i = 0; i < n; ++i) amax = std::max(amax, std::fabs(w[s.w_offset + i]));
    const float scale = 448.0f / amax;  // current scaling, margin 0
    EXPECT_EQ(q.layers[l].amax, amax) << "layer " << l;
    EXPECT_EQ(q.layers[l].scale, scale) << "layer " << l;
    std::uint64_t underflow = 0, saturated = 0, nonzero = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const float x = w[s.w_offset + i];
      const float scaled = x * scale;
      const test::Fp8Code& c = table[table.cast(scaled)];
      const float expected = float(c.value / double(scale));
      EXPECT_EQ(q.dequantised[s.w_offset + i], expected)
          << "layer " << l << " weight " << i << " = " << x << " (scaled " << scaled << ")";
      nonzero += x != 0.0f;
      underflow += x != 0.0f && c.value == 0.0;
      saturated += std::fabs(scaled) > 448.0f;
    }
    EXPECT_EQ(q.layers[l].stats.values, n);
    EXPECT_EQ(q.layers[l].stats.nonzero, nonzero);
    EXPECT_EQ(q.layers[l].stats.underflow, underflow);
    EXPECT_EQ(q.layers[l].stats.saturated, saturated);
    // The biases are not quantised: the same bits.
    for (std::size_t i = s.b_offset; i < s.b_offset + std::size_t(s.out); ++i)
      EXPECT_EQ(q.dequantised[i], w[i]) << "bias " << i;
    bytes += n + 4 * std::size_t(s.out) + 4;
  }
  EXPECT_GE(q.layers[0].stats.underflow, 1u);  // the 1e-12
  EXPECT_EQ(q.bytes, bytes);
}

TEST(InferenceComparisonE4m3, RejectsRowsThatAreNotFp8) {
  EXPECT_THROW(quantise_weights_per_tensor(hand_layout(), kWeights, Format::kBf16), std::logic_error);
  EXPECT_THROW(quantise_weights_per_tensor(hand_layout(), {1.0f}, Format::kE4m3), std::logic_error);
}

}  // namespace
}  // namespace mixprec
