#include "nn/loss.hpp"

#include <cmath>

namespace mixprec {
namespace {

// Row i: its loss (log-sum-exp minus the label's logit), whether its argmax is the label,
// and, unless dlogits is null, its gradient (softmax - one-hot) * g.
float row_loss(const float* logits, const std::int32_t* labels, int i, int classes,
               float* dlogits, float g, std::int64_t& correct) {
  const float* z = logits + std::size_t(i) * classes;
  int argmax = 0;
  for (int j = 1; j < classes; ++j)
    if (z[j] > z[argmax]) argmax = j;
  const float max = z[argmax];
  float sum = 0.0f;
  for (int j = 0; j < classes; ++j) sum += std::exp(z[j] - max);
  const float lse = max + std::log(sum);
  correct += argmax == labels[i];
  if (dlogits) {
    float* d = dlogits + std::size_t(i) * classes;
    for (int j = 0; j < classes; ++j) {
      const float p = std::exp(z[j] - lse);
      d[j] = (p - (j == labels[i] ? 1.0f : 0.0f)) * g;
    }
  }
  return lse - z[labels[i]];
}

}  // namespace

LossSum softmax_cross_entropy(const float* logits, const std::int32_t* labels, int batch,
                              int classes, float* dlogits, float grad_scale) {
  // Per-row results are combined in row order so the sum is independent of threading.
  double loss = 0.0;
  std::int64_t correct = 0;
  const float g = grad_scale / float(batch);
  // Threads from 32768 logits on: a parallel region (and its ordered sum) costs more than
  // the softmax of a usual (128, 10) batch, and so does an inactive one (`if` clause).
  if (std::int64_t(batch) * classes < 32768) {
    for (int i = 0; i < batch; ++i) loss += row_loss(logits, labels, i, classes, dlogits, g, correct);
    return {loss, correct};
  }
#pragma omp parallel for schedule(static) reduction(+ : correct) ordered
  for (int i = 0; i < batch; ++i) {
    const float row = row_loss(logits, labels, i, classes, dlogits, g, correct);
#pragma omp ordered
    loss += row;
  }
  return {loss, correct};
}

}  // namespace mixprec
