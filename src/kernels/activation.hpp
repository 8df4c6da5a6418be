#pragma once
// Activation functions and their derivatives, in fp32 (NUMERICS.md: element-wise math is
// fp32; only the stored result is rounded).
#include <cmath>

namespace mixprec {

// The config names them (model.activation); the kernels own the enum, so that they need
// nothing from src/config/.
enum class Activation { kRelu, kGelu, kTanh };

// gelu is the exact (erf) form, as torch.nn.GELU() by default.
inline float activation_forward(Activation act, float z) {
  switch (act) {
    case Activation::kRelu: return z > 0.0f ? z : 0.0f;
    case Activation::kTanh: return std::tanh(z);
    default: return 0.5f * z * (1.0f + std::erf(z * 0.70710678118654752f));
  }
}

// relu and tanh take their derivative from the output a; gelu needs the input z.
inline bool activation_needs_input(Activation act) { return act == Activation::kGelu; }

// d act / dz, given `saved` = z for gelu, a for relu and tanh.
inline float activation_derivative(Activation act, float saved) {
  switch (act) {
    case Activation::kRelu: return saved > 0.0f ? 1.0f : 0.0f;
    case Activation::kTanh: return 1.0f - saved * saved;
    default: {
      const float cdf = 0.5f * (1.0f + std::erf(saved * 0.70710678118654752f));
      const float pdf = 0.39894228040143268f * std::exp(-0.5f * saved * saved);
      return cdf + saved * pdf;
    }
  }
}

}  // namespace mixprec
