#pragma once
// The element-wise work around a linear layer's matmul, fused into one pass each:
//   forward:  z = round(acc + b), a = round(act(z))          (NUMERICS.md step 2)
//   backward: da = round(acc), dz = round(da * act'(saved))  (step 4)
//             db = round(sum over the batch of dz), fp32 accumulation
// T is the mode's compute format (float in fp32, where rounding is the identity).
// Shapes: acc, z, a, da, dz: (batch, out) row-major; b, db: (out).
#include <optional>

#include "config/config.hpp"
#include "kernels/convert.hpp"

namespace mixprec {

// z_out may be null (only gelu's backward reads z).
template <typename T>
void bias_activation_forward(const float* acc, const T* bias, Activation act, T* z_out, T* a_out,
                             int batch, int out);

// The output layer: logits = round(acc + b) held in fp32 for the loss (the cast autocast
// does before softmax).
template <typename T>
void bias_logits_forward(const float* acc, const T* bias, float* logits, int batch, int out);

// saved: z for gelu, a for relu/tanh (see activation_needs_input). stats counts the
// rounding of da and of dz.
template <typename T>
void activation_backward(const float* da_acc, const T* saved, Activation act, T* dz, int batch,
                         int out, RoundStats* stats);

template <typename T>
void bias_backward(const T* dz, T* db, int batch, int out, RoundStats* stats);

}  // namespace mixprec
