#include "nn/loss.hpp"

#include <cmath>

namespace mixprec {

LossSum softmax_cross_entropy(const float* logits, const std::int32_t* labels, int batch,
                              int classes, float* dlogits, float grad_scale) {
  // Per-row results are combined in row order so the sum is independent of threading.
  double loss = 0.0;
  std::int64_t correct = 0;
  const float g = grad_scale / float(batch);
  // One thread below 32768 logits: a parallel region (and its ordered sum) costs more than
  // the softmax of a usual (128, 10) batch.
#pragma omp parallel for schedule(static) if (std::int64_t(batch) * classes >= 32768) \
    reduction(+ : correct) ordered
  for (int i = 0; i < batch; ++i) {
    const float* z = logits + std::size_t(i) * classes;
    int argmax = 0;
    for (int j = 1; j < classes; ++j)
      if (z[j] > z[argmax]) argmax = j;
    const float max = z[argmax];
    float sum = 0.0f;
    for (int j = 0; j < classes; ++j) sum += std::exp(z[j] - max);
    const float lse = max + std::log(sum);
    const float row_loss = lse - z[labels[i]];
    correct += argmax == labels[i];
    if (dlogits) {
      float* d = dlogits + std::size_t(i) * classes;
      for (int j = 0; j < classes; ++j) {
        const float p = std::exp(z[j] - lse);
        d[j] = (p - (j == labels[i] ? 1.0f : 0.0f)) * g;
      }
    }
#pragma omp ordered
    loss += row_loss;
  }
  return {loss, correct};
}

}  // namespace mixprec
