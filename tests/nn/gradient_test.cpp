// Gradient checks against central finite differences, in fp32: the loss alone, each
// activation alone, and the whole MLP (every layer's weights and biases) with each activation.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "kernels/activation.hpp"
#include "nn/init.hpp"
#include "nn/loss.hpp"
#include "nn/mlp.hpp"

namespace mixprec {
namespace {

TEST(Loss, HandComputedValue) {
  // logits (0, ln 2, ln 3): softmax = (1, 2, 3)/6; label 2 -> loss = -ln(1/2) = ln 2.
  const float logits[3] = {0.0f, std::log(2.0f), std::log(3.0f)};
  const std::int32_t label = 2;
  float d[3];
  const LossSum r = softmax_cross_entropy(logits, &label, 1, 3, d, 1.0f);
  EXPECT_NEAR(r.loss, std::log(2.0), 1e-6);
  EXPECT_EQ(r.correct, 1);
  EXPECT_NEAR(d[0], 1.0 / 6, 1e-6);
  EXPECT_NEAR(d[1], 2.0 / 6, 1e-6);
  EXPECT_NEAR(d[2], 3.0 / 6 - 1.0, 1e-6);
}

TEST(Loss, StableForHugeLogits) {
  // A naive exp() overflows at 1000; the log-sum-exp form does not.
  const float logits[2] = {1000.0f, 0.0f};
  const std::int32_t label = 1;
  const LossSum r = softmax_cross_entropy(logits, &label, 1, 2);
  EXPECT_NEAR(r.loss, 1000.0, 1e-3);
}

TEST(Loss, GradientMatchesFiniteDifferences) {
  const int batch = 3, classes = 4;
  std::vector<float> z = {0.3f, -1.2f, 2.0f, 0.5f, 1.0f, 1.1f, -0.4f, 0.0f, -2.0f, 0.7f, 0.2f, 1.5f};
  const std::vector<std::int32_t> y = {2, 0, 3};
  std::vector<float> d(z.size());
  softmax_cross_entropy(z.data(), y.data(), batch, classes, d.data(), 8.0f);  // scale S = 8
  const float h = 1e-2f;
  for (std::size_t i = 0; i < z.size(); ++i) {
    auto zp = z, zm = z;
    zp[i] += h;
    zm[i] -= h;
    const double fd = (softmax_cross_entropy(zp.data(), y.data(), batch, classes).loss -
                       softmax_cross_entropy(zm.data(), y.data(), batch, classes).loss) /
                      (2 * h) / batch * 8.0;
    // O(h^2) truncation ~1e-4 plus fp32 cancellation ~1e-5: 1e-3 is a safe bound.
    EXPECT_NEAR(d[i], fd, 1e-3) << "logit " << i;
  }
}

TEST(Activation, DerivativesMatchFiniteDifferences) {
  for (Activation act : {Activation::kRelu, Activation::kGelu, Activation::kTanh}) {
    for (float z = -3.05f; z < 3.0f; z += 0.1f) {  // never exactly at relu's kink
      const double h = 1e-3;
      const double fd = (double(activation_forward(act, float(z + h))) -
                         double(activation_forward(act, float(z - h)))) / (2 * h);
      const float saved = activation_needs_input(act) ? z : activation_forward(act, z);
      EXPECT_NEAR(activation_derivative(act, saved), fd, 2e-3) << "act " << int(act) << " z " << z;
    }
  }
}

// Mean loss of the MLP on a fixed batch as a function of the parameters.
double mean_loss(const Mlp& mlp, const std::vector<float>& params, const std::vector<float>& x,
                 const std::vector<std::int32_t>& y, Workspace& ws) {
  const int batch = int(y.size());
  std::copy(x.begin(), x.end(), ws.input.as<float>());
  mlp.forward(params.data(), batch, ws);
  return softmax_cross_entropy(ws.logits.as<float>(), y.data(), batch,
                               mlp.layout().num_classes()).loss / batch;
}

class MlpGradient : public ::testing::TestWithParam<Activation> {};

TEST_P(MlpGradient, EveryParameterMatchesFiniteDifferences) {
  const Activation act = GetParam();
  const ParamLayout layout(5, {6, 4}, 3);  // three layers: 5-6-4-3
  const Mlp mlp(layout, act, all_roles(Format::kF32));
  auto params = initial_parameters(layout, act, Init::kAuto, 42);
  std::mt19937 rng(3);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  for (const auto& l : layout.layers())  // non-zero biases, so their gradients matter
    for (int j = 0; j < l.out; ++j) params[l.b_offset + j] = 0.1f * dist(rng);
  const int batch = 7;
  std::vector<float> x(std::size_t(batch) * 5);
  for (auto& v : x) v = dist(rng);
  const std::vector<std::int32_t> y = {0, 1, 2, 0, 1, 2, 1};

  Workspace ws(layout, act, all_roles(Format::kF32), batch, true);
  std::copy(x.begin(), x.end(), ws.input.as<float>());
  mlp.forward(params.data(), batch, ws);
  softmax_cross_entropy(ws.logits.as<float>(), y.data(), batch, 3, ws.dlogits.as<float>(), 1.0f);
  std::vector<float> grads(layout.size());
  mlp.backward(params.data(), batch, ws, grads.data(), kNearestEven, nullptr);

  // relu's kinks: a small step rarely crosses one (a crossing shows as a large error).
  const float h = act == Activation::kRelu ? 1e-3f : 1e-2f;
  Workspace probe(layout, act, all_roles(Format::kF32), batch, false);
  for (std::size_t i = 0; i < params.size(); ++i) {
    auto plus = params, minus = params;
    plus[i] += h;
    minus[i] -= h;
    const double fd = (mean_loss(mlp, plus, x, y, probe) - mean_loss(mlp, minus, x, y, probe)) / (2 * h);
    // Central differences: O(h^2) ~ 1e-4 error for the smooth activations; fp32 loss
    // round-off ~1e-7 / h <= 1e-4. A wrong gradient term is off by far more than 2e-3.
    EXPECT_NEAR(grads[i], fd, 2e-3) << "parameter " << i;
  }
}

std::string activation_name(const ::testing::TestParamInfo<Activation>& info) {
  switch (info.param) {
    case Activation::kRelu: return "relu";
    case Activation::kGelu: return "gelu";
    default: return "tanh";
  }
}

INSTANTIATE_TEST_SUITE_P(EachActivation, MlpGradient,
                         ::testing::Values(Activation::kRelu, Activation::kGelu, Activation::kTanh),
                         activation_name);

}  // namespace
}  // namespace mixprec
