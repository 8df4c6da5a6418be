#include "train/inference_comparison.hpp"

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "kernels/matmul.hpp"
#include "metrics/stopwatch.hpp"
#include "nn/loss.hpp"
#include "nn/mlp.hpp"
#include "precision/amax.hpp"
#include "precision/fp8_convert.hpp"
#include "precision/fp8_scaling.hpp"

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

// The model run with `values` stored in `format` (a format with kernels), twice: a warm-up
// (primitive creation and first touches), then the timed pass.
struct Evaluation {
  InferenceResult result;
  std::size_t weight_bytes = 0;
  std::size_t activation_bytes_per_batch = 0;
};

Evaluation evaluate(const ParamLayout& layout, Activation act, Format format,
                    const std::vector<float>& values, const Dataset& set, int batch_size) {
  const Mlp mlp(layout, act, all_roles(format));
  Buffer w(format, values.size());
  round_from_float(values.data(), format, w.data(), values.size(), kNearestEven, nullptr);
  Workspace ws(layout, act, all_roles(format), batch_size, false);
  run_inference(mlp, w, set, ws);  // warm-up
  Evaluation e;
  e.result = run_inference(mlp, w, set, ws);
  e.weight_bytes = w.bytes();
  e.activation_bytes_per_batch = ws.saved_activation_bytes();
  return e;
}

double fraction(std::uint64_t part, std::uint64_t whole) {
  return whole == 0 ? 0.0 : double(part) / double(whole);
}

}  // namespace

QuantisedWeights quantise_weights_per_tensor(const ParamLayout& layout,
                                             const std::vector<float>& weights, Format format) {
  const FormatTraits& row = traits(format);
  if (row.storage_bytes != 1 || row.overflow != OverflowRule::kSaturate)
    throw std::logic_error("quantise_weights_per_tensor: " + to_string(format) +
                           " is not an FP8 row (1 byte, saturating)");
  if (weights.size() != layout.size())
    throw std::logic_error("quantise_weights_per_tensor: " + std::to_string(weights.size()) +
                           " weights for a layout of " + std::to_string(layout.size()));
  QuantisedWeights out;
  out.dequantised = weights;  // the biases stay fp32
  std::vector<std::uint8_t> codes;
  for (const LayerShape& l : layout.layers()) {
    // w: (in, out); one scale for the whole tensor, from its own amax (TE's current scaling;
    // TE keeps one scale per weight tensor).
    const std::size_t n = std::size_t(l.in) * std::size_t(l.out);
    const float* w = weights.data() + l.w_offset;
    QuantisedWeightTensor t;
    t.amax = amax(w, n);
    t.scale = current_scale(t.amax, row.largest_finite, 0);
    codes.resize(n);
    round_to_fp8(row, w, codes.data(), n, t.scale, &t.stats, nullptr);
    // q / s, one fp32 rounding per weight (exact when s is a power of two): what an fp32
    // product of the FP8 weights, multiplied by 1 / s afterwards, would see up to that rounding.
    float* d = out.dequantised.data() + l.w_offset;
    fp8_to_float(row, codes.data(), d, n);
    for (std::size_t i = 0; i < n; ++i) d[i] /= t.scale;
    out.bytes += row.bytes_for(n) + traits(kFloatFormat).bytes_for(std::size_t(l.out) + 1);
    out.layers.push_back(t);
  }
  return out;
}

nlohmann::json compare_inference(const ParamLayout& layout, Activation act,
                                 const std::vector<float>& weights, const Dataset& set,
                                 int batch_size) {
  nlohmann::json out = nlohmann::json::array();
  std::vector<std::int32_t> fp32_predictions;
  const double rows = double(std::max<std::int64_t>(1, set.rows()));
  auto agreement = [&](const InferenceResult& r) {
    std::int64_t agree = 0;
    for (std::size_t i = 0; i < r.predictions.size(); ++i)
      agree += r.predictions[i] == fp32_predictions[i];
    return double(agree) / rows;
  };
  auto row = [&](const std::string& format, const std::string& path, const Evaluation& e,
                 std::size_t weight_bytes) {
    return nlohmann::json{{"format", format},
                          {"path", path},
                          {"accuracy", double(e.result.correct) / rows},
                          {"loss", e.result.loss / rows},
                          {"seconds_per_sample", e.result.seconds / rows},
                          {"weight_bytes", weight_bytes},
                          {"activation_bytes_per_batch", e.activation_bytes_per_batch},
                          {"batch_size", batch_size},
                          {"agreement_with_fp32", agreement(e.result)}};
  };
  // Every format of the table that the kernels run in, fp32 (the reference the others agree
  // with) first. The FP8 rows have no kernels of their own (has_storage_type).
  for (Format format : all_formats()) {
    if (!has_storage_type(format)) continue;
    const Evaluation e = evaluate(layout, act, format, weights, set, batch_size);
    if (format == kFloatFormat) fp32_predictions = e.result.predictions;
    out.push_back(row(to_string(format), matmul().path(format).native ? "native" : "emulated", e,
                      e.weight_bytes));
  }

  // E4M3 weights, one scale per weight tensor, biases fp32 (inference_comparison.hpp): the
  // fp32 model on the dequantised weights, so the products run on the fp32 carrier.
  const QuantisedWeights q = quantise_weights_per_tensor(layout, weights, kFp8WeightFormat);
  const Evaluation e = evaluate(layout, act, kFloatFormat, q.dequantised, set, batch_size);
  nlohmann::json fp8 = row(to_string(kFp8WeightFormat), to_string(kFloatFormat) + " carrier", e, q.bytes);
  nlohmann::json layers = nlohmann::json::array();
  for (const QuantisedWeightTensor& t : q.layers)
    layers.push_back({{"amax", t.amax},
                      {"scale", t.scale},
                      {"saturated_fraction", fraction(t.stats.saturated, t.stats.values)},
                      {"underflow_fraction", fraction(t.stats.underflow, t.stats.nonzero)}});
  fp8["weight_quantisation"] = layers;
  out.push_back(fp8);
  return out;
}

}  // namespace mixprec
