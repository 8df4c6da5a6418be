#include "train/memory_estimate.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "common/error.hpp"
#include "metrics/machine_memory.hpp"

namespace mixprec {
namespace {

double gib(double bytes) { return bytes / double(1 << 30); }

}  // namespace

int training_capacity(const Config& cfg, const DataSplits& data) {
  return int(std::max<std::int64_t>(1, std::min<std::int64_t>(cfg.train.batch_size, data.train.rows())));
}

int evaluation_capacity(const Config& cfg, const DataSplits& data) {
  std::int64_t rows = std::max(data.train.rows(), data.test.rows());
  if (data.validation) rows = std::max(rows, data.validation->rows());
  return int(std::max<std::int64_t>(1, std::min<std::int64_t>(cfg.train.eval_batch_size, rows)));
}

MemoryEstimate estimate_run_memory(const Config& cfg, const DataSplits& data) {
  MemoryEstimate e;
  // Doubles: a model the size of the example (784 x 1e8) overflows no int64 here.
  const double in = data.train.dim(), classes = data.train.num_classes;
  double params = 0, widths = 0, widest = std::max(in, classes), prev = in;
  for (int h : cfg.model.hidden) {
    params += prev * h + h;
    widths += h;
    widest = std::max<double>(widest, h);
    prev = h;
  }
  params += prev * classes + classes;
  e.parameters = params;
  // Per weight, at 4 bytes each: the weights, a working copy, the gradient, two optimizer
  // state buffers (adam), the weight-gradient output, the widened copy, two packed copies.
  e.weights_bytes = std::int64_t(std::min(params * 4 * 9, 9e18));
  e.train_rows = training_capacity(cfg, data);
  e.eval_rows = evaluation_capacity(cfg, data);
  // Per training row: input, outputs and pre-activations of each layer, logits and their
  // gradient, the matmul output and two dz buffers of the widest layer, widened inputs.
  const double train_row = 4 * (2 * in + 3 * widths + 2 * classes + 3 * widest);
  const double eval_row = 4 * (in + 2 * widths + classes + widest);
  e.activation_bytes = std::int64_t(std::min(train_row * e.train_rows + eval_row * e.eval_rows, 9e18));
  e.data_bytes = std::int64_t(data.train.bytes() + data.test.bytes() +
                              (data.validation ? data.validation->bytes() : 0));
  return e;
}

void check_run_fits_memory(const Config& cfg, const DataSplits& data, const std::string& source) {
  const std::int64_t machine = machine_memory_bytes();
  if (machine <= 0) return;
  const MemoryEstimate e = estimate_run_memory(cfg, data);
  if (e.total_bytes() <= machine) return;
  fail("{}: the run needs about {:.1f} GiB ({:.3g} parameters: {:.1f} GiB with gradients and "
       "optimizer state; activations for {} training and {} evaluation rows: {:.1f} GiB; data: "
       "{:.1f} GiB), more than this machine's {:.1f} GiB of memory (hint: smaller model.hidden, "
       "train.batch_size or train.eval_batch_size)", source, gib(double(e.total_bytes())),
       e.parameters, gib(double(e.weights_bytes)), e.train_rows, e.eval_rows,
       gib(double(e.activation_bytes)), gib(double(e.data_bytes)), gib(double(machine)));
}

}  // namespace mixprec
