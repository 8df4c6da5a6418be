#pragma once
// Softmax cross-entropy in fp32, in the log-sum-exp form: loss_i = lse(z_i) - z_i[y_i].
#include <cstdint>

namespace mixprec {

struct LossSum {
  double loss = 0.0;          // summed over the batch (not averaged)
  std::int64_t correct = 0;   // argmax(logits) == label
};

// logits: (batch, classes). When dlogits is non-null it receives
//   d(mean loss * grad_scale)/dlogits = (softmax - onehot) * grad_scale / batch
// (grad_scale is the loss scale S of NUMERICS.md step 3).
LossSum softmax_cross_entropy(const float* logits, const std::int32_t* labels, int batch,
                              int classes, float* dlogits = nullptr, float grad_scale = 1.0f);

}  // namespace mixprec
