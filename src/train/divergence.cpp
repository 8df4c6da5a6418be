#include "train/divergence.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace mixprec {
namespace {

struct Scan {
  std::int64_t values = 0, nonfinite = 0, nan = 0;
  float max_finite = 0.0f;  // largest finite |value|
  bool bad() const { return nonfinite > 0; }
  std::string text() const {
    return fmt::format("{} of {} values non-finite ({} NaN, {} inf); largest finite |value| {:.3g}", nonfinite,
                       values, nan, nonfinite - nan, max_finite);
  }
};

Scan scan(Format f, const void* data, std::size_t offset, std::size_t n) {
  Scan s;
  s.values = std::int64_t(n);
  dispatch_format(f, [&](auto tag) {
    using T = decltype(tag);
    const T* p = static_cast<const T*>(data) + offset;
    for (std::size_t i = 0; i < n; ++i) {
      const float x = to_float(p[i]);
      if (std::isfinite(x)) s.max_finite = std::max(s.max_finite, std::abs(x));
      else {
        ++s.nonfinite;
        s.nan += std::isnan(x);
      }
    }
  });
  return s;
}

std::string layer_text(const ParamLayout& layout, int layer) {
  const LayerShape& l = layout.layers()[std::size_t(layer - 1)];
  return fmt::format("layer {} ({} -> {})", layer, l.in, l.out);
}

// Weights and bias of one layer as one scan.
Scan scan_params(Format f, const void* data, const LayerShape& l) {
  Scan w = scan(f, data, l.w_offset, std::size_t(l.in) * std::size_t(l.out));
  const Scan b = scan(f, data, l.b_offset, std::size_t(l.out));
  w.values += b.values;
  w.nonfinite += b.nonfinite;
  w.nan += b.nan;
  w.max_finite = std::max(w.max_finite, b.max_finite);
  return w;
}

// Adam: values where exp_avg_sq was stored as 0 while exp_avg was not (16-bit state rounds
// small v to 0; in fp32 only eps = 0 leaves such a value unguarded),
// whose update is then lr * m / eps. The layer with the most of them, and the count.
struct AdamUnderflow {
  int layer = 0;
  std::int64_t count = 0;
};

AdamUnderflow adam_underflow(const StepTensors& t, const Config& cfg) {
  AdamUnderflow worst;
  if (cfg.optimizer.kind == OptimizerKind::kSgd || t.optimizer_state.size() < 2) return worst;
  const OptimizerStateBuffer& m = t.optimizer_state[0];
  const OptimizerStateBuffer& v = t.optimizer_state[1];
  const auto& layers = t.layout->layers();
  for (std::size_t l = 0; l < layers.size(); ++l) {
    std::int64_t count = 0;
    dispatch_format(m.format, [&](auto tag) {
      using T = decltype(tag);
      const T* mp = reinterpret_cast<const T*>(m.bytes.data());
      const T* vp = reinterpret_cast<const T*>(v.bytes.data());
      const std::size_t end = layers[l].b_offset + std::size_t(layers[l].out);
      for (std::size_t i = layers[l].w_offset; i < end; ++i)
        count += to_float(vp[i]) == 0.0f && to_float(mp[i]) != 0.0f;
    });
    if (count > worst.count) worst = {int(l) + 1, count};
  }
  return worst;
}

// Fills cause and hint from what was found.
void explain(NonFiniteSite& site, const StepTensors& t, const Config& cfg, float input_max) {
  const std::string fmt_name = to_string(t.compute);
  const AdamUnderflow adam = adam_underflow(t, cfg);
  const bool forward_side = site.tensor == "optimizer update" || site.tensor == "forward activation" ||
                            site.tensor == "logits" || site.tensor == "loss";
  if (adam.count > 0 && forward_side && site.tensor != "input") {
    const Format state = t.optimizer_state[1].format;
    const float tiny = smallest_subnormal(state);
    site.cause = fmt::format(
        "the optimizer update of {}: Adam's exp_avg_sq is 0 in {} of its values where exp_avg is not "
        "({} rounds v below {:.3g} to 0), so their update is lr * m / eps with eps = {:g}",
        layer_text(*t.layout, adam.layer), adam.count, to_string(state), tiny, cfg.optimizer.eps);
    site.hint = fmt::format("set optimizer.eps >= {:.2g} (sqrt of {:.3g}), or keep the optimizer state in "
                            "fp32 with a -mixed mode", std::sqrt(double(tiny)), tiny);
    return;
  }
  if (site.tensor == "input") {
    site.hint = cfg.data.normalize == Normalize::kNone
                    ? fmt::format("the inputs exceed {}'s range unscaled: set data.normalize to \"scale\" "
                                  "or \"standardize\"", fmt_name)
                    : "some inputs are far outside the training split's range: check the data";
    return;
  }
  if (input_max > 1e3f && cfg.data.normalize == Normalize::kNone &&
      (site.tensor == "forward activation" || site.tensor == "logits")) {
    site.hint = fmt::format("the inputs are unscaled (largest |x| {:.3g}), so the first products are large: "
                            "set data.normalize to \"scale\" or \"standardize\"", input_max);
    return;
  }
  if (site.tensor == "gradient") {
    site.hint = fmt::format("the gradients overflow {} even at the loss scale reached: lower optimizer.lr "
                            "(now {:g}), set optimizer.clip_grad_norm, or use bf16, which has fp32's range",
                            fmt_name, cfg.optimizer.lr);
    return;
  }
  if (site.tensor == "optimizer state") {
    site.hint = fmt::format("the optimizer state overflows {} (Adam's exp_avg_sq holds g^2): lower "
                            "optimizer.lr, set optimizer.clip_grad_norm, or use a -mixed mode (fp32 state)",
                            to_string(t.optimizer_state.empty() ? t.compute : t.optimizer_state[0].format));
    return;
  }
  site.hint = fmt::format("the weights grew until {} overflowed: lower optimizer.lr (now {:g}) or set "
                          "optimizer.clip_grad_norm", site.tensor, cfg.optimizer.lr);
}

}  // namespace

std::string NonFiniteSite::describe() const {
  std::string where = layer > 0 ? fmt::format("{} of layer {}", tensor, layer) : tensor;
  std::string out = fmt::format("the first non-finite value appeared in the {} at step {}", where, step);
  if (!cause.empty()) out += "; cause: " + cause;
  return out;
}

nlohmann::json NonFiniteSite::to_json() const {
  return {{"step", step}, {"layer", layer == 0 ? nlohmann::json(nullptr) : nlohmann::json(layer)},
          {"tensor", tensor}, {"detail", detail}, {"cause", cause}, {"hint", hint}};
}

std::optional<NonFiniteSite> locate_nonfinite(const StepTensors& t, std::int64_t step,
                                              std::int64_t last_update_step, const Config& cfg) {
  const ParamLayout& layout = *t.layout;
  const auto& layers = layout.layers();
  const int n_layers = int(layers.size());
  const Scan input = scan(t.ws->input.format(), t.ws->input.data(), 0,
                          std::size_t(t.batch) * std::size_t(layout.input_dim()));
  NonFiniteSite site;
  auto found = [&](std::int64_t at, int layer, const char* tensor, const Scan& s, std::string extra = "") {
    site.step = at;
    site.layer = layer;
    site.tensor = tensor;
    site.detail = s.text() + extra;
    explain(site, t, cfg, input.max_finite);
    return site;
  };
  // 1. What the last update wrote: weights, then the optimizer state.
  for (int l = 1; l <= n_layers; ++l) {
    const Scan w = scan_params(t.compute, t.weights, layers[std::size_t(l - 1)]);
    if (w.bad()) return found(last_update_step, l, "optimizer update", w, " in the weights it wrote");
  }
  for (const OptimizerStateBuffer& b : t.optimizer_state) {
    for (int l = 1; l <= n_layers; ++l) {
      const Scan s = scan_params(b.format, b.bytes.data(), layers[std::size_t(l - 1)]);
      if (s.bad()) return found(last_update_step, l, "optimizer state", s, fmt::format(" in {}", b.name));
    }
  }
  // 2. Forward: the rounded input, each hidden layer's output, the logits, the loss.
  if (input.bad()) return found(step, 1, "input", input, fmt::format(" in the batch rounded to {}", to_string(t.compute)));
  for (int l = 1; l < n_layers; ++l) {
    const Buffer& out = t.ws->outputs[std::size_t(l - 1)];
    const Scan s = scan(out.format(), out.data(), 0, std::size_t(t.batch) * std::size_t(layers[std::size_t(l - 1)].out));
    if (s.bad()) return found(step, l, "forward activation", s);
  }
  const Scan logits = scan(t.ws->logits.format(), t.ws->logits.data(), 0, std::size_t(t.batch) * std::size_t(layout.num_classes()));
  if (logits.bad()) return found(step, n_layers, "logits", logits);
  if (!std::isfinite(t.loss)) return found(step, 0, "loss", Scan{1, 1, std::isnan(t.loss) ? 1 : 0, 0.0f});
  // 3. Backward: parameter gradients from the last layer to the first.
  for (int l = n_layers; l >= 1; --l) {
    const Scan g = scan_params(t.grad_format, t.grads, layers[std::size_t(l - 1)]);
    if (g.bad()) return found(step, l, "gradient", g, " (scaled by the loss scale)");
  }
  return std::nullopt;
}

}  // namespace mixprec
