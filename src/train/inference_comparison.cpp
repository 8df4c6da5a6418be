#include "train/inference_comparison.hpp"

#include <algorithm>

#include "kernels/matmul.hpp"
#include "metrics/stopwatch.hpp"
#include "nn/loss.hpp"
#include "nn/mlp.hpp"

namespace mixprec {
namespace {

struct InferenceResult {
  std::vector<std::int32_t> predictions;
  double loss = 0.0;
  std::int64_t correct = 0;
  double seconds = 0.0;
};

InferenceResult run_inference(const Mlp& mlp, const Buffer& weights, const Dataset& set,
                              Workspace& ws) {
  InferenceResult r;
  r.predictions.resize(std::size_t(set.rows()));
  const int classes = mlp.layout().num_classes(), dim = set.dim();
  Stopwatch watch;
  for (std::int64_t start = 0; start < set.rows(); start += ws.capacity) {
    const int batch = int(std::min<std::int64_t>(ws.capacity, set.rows() - start));
    // The batch is a contiguous row range: round it into the input in one call.
    round_from_float(set.x.data() + std::size_t(start) * dim, weights.format(), ws.input.data(),
                     std::size_t(batch) * dim, kNearestEven, nullptr);
    mlp.forward(weights.data(), batch, ws);
    const float* logits = ws.logits.as<float>();
    const LossSum s = softmax_cross_entropy(logits, set.y.data() + start, batch, classes);
    r.loss += s.loss;
    r.correct += s.correct;
    for (int i = 0; i < batch; ++i) {
      const float* row = logits + std::size_t(i) * classes;
      r.predictions[std::size_t(start + i)] = std::int32_t(std::max_element(row, row + classes) - row);
    }
  }
  r.seconds = watch.seconds();
  return r;
}

}  // namespace

nlohmann::json compare_inference(const ParamLayout& layout, Activation act,
                                 const std::vector<float>& weights, const Dataset& set,
                                 int batch_size) {
  nlohmann::json out = nlohmann::json::array();
  std::vector<std::int32_t> fp32_predictions;
  const double rows = double(std::max<std::int64_t>(1, set.rows()));
  // Every format of the table that the kernels run in, fp32 (the reference the others agree
  // with) first. The FP8 rows have no kernels of their own (has_storage_type).
  for (Format format : all_formats()) {
    if (!has_storage_type(format)) continue;
    const Mlp mlp(layout, act, all_roles(format));
    Buffer w(format, weights.size());
    round_from_float(weights.data(), format, w.data(), weights.size(), kNearestEven, nullptr);
    Workspace ws(layout, act, all_roles(format), batch_size, false);
    run_inference(mlp, w, set, ws);  // warm-up: primitive creation and first touches
    const InferenceResult r = run_inference(mlp, w, set, ws);
    if (format == kFloatFormat) fp32_predictions = r.predictions;
    std::int64_t agree = 0;
    for (std::size_t i = 0; i < r.predictions.size(); ++i)
      agree += r.predictions[i] == fp32_predictions[i];
    const MatmulPath& path = matmul().path(format);
    out.push_back({{"format", to_string(format)},
                   {"path", path.native ? "native" : "emulated"},
                   {"accuracy", double(r.correct) / rows},
                   {"loss", r.loss / rows},
                   {"seconds_per_sample", r.seconds / rows},
                   {"weight_bytes", w.bytes()},
                   {"activation_bytes_per_batch", ws.saved_activation_bytes()},
                   {"batch_size", batch_size},
                   {"agreement_with_fp32", double(agree) / rows}});
  }
  return out;
}

}  // namespace mixprec
