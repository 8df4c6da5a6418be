#pragma once
// The element-wise work around a linear layer's matmul, fused into one pass each:
//   forward:  z = round(acc + b), a = round(act(z))          (NUMERICS.md step 2)
//   backward: da = round(acc), dz = round(da * act'(saved))  (step 4)
//             db = round(sum over the batch of dz), fp32 accumulation
// T is the mode's compute format (float in fp32, where rounding is the identity).
// Shapes: acc, z, a, da, dz: (batch, out) row-major; b, db: (out).
//
// Threads: each function shares its loop among the team of the OpenMP parallel region it
// is called from (an orphaned `omp for`, ending with a barrier), and runs on the calling
// thread alone outside one. Every thread of the team must call it. The caller opens one
// region for all the element-wise work between two products (nn/mlp.cpp): a region costs
// a few microseconds, a barrier inside one about half that (docs/performance.md). Results do not depend on the
// number of threads; RoundStats are summed over them.
#include <optional>

#include "kernels/activation.hpp"
#include "precision/convert.hpp"

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
// rounding of da and of dz; `rounding` is dz's (forward rounds to nearest even), and da is
// rounded as the tensor with the next id.
template <typename T>
void activation_backward(const float* da_acc, const T* saved, Activation act, T* dz, int batch,
                         int out, const Rounding& rounding, RoundStats* stats);

template <typename T>
void bias_backward(const T* dz, T* db, int batch, int out, const Rounding& rounding,
                   RoundStats* stats);

}  // namespace mixprec
