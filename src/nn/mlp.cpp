#include "nn/mlp.hpp"

#include "kernels/activation.hpp"
#include "common/parallel_region.hpp"
#include "precision/convert.hpp"
#include "kernels/linear_epilogue.hpp"
#include "kernels/matmul.hpp"
#include "kernels/weight_pack.hpp"

namespace mixprec {
namespace {

// A buffer for b (k, n) packed, or an empty one where the product reads b plain.
Buffer packed_buffer(Format format, int k, int n) {
  if (!packs_operand(format, k, n)) return {};
  return Buffer(format, packed_shape(format, k, n).values());
}

}  // namespace

bool packs_operand(Format format, int k, int n) {
  // Packing pays where values come in pairs per 32-bit unit (2-byte formats: the layout
  // interleaves row pairs, which oneDNN otherwise does inside every product), not for
  // 4-byte ones (oneDNN's own re-blocking is as fast as our separate pass), and not where
  // the packed layout is mostly padding (n rounds up to 64 columns: the 10-class layer).
  // The measurements are in docs/performance.md, "Packed weights".
  if (bytes_per_value(format) != 2 || !matmul().reads_packed(format, k, n)) return false;
  const std::size_t values = std::size_t(k) * std::size_t(n);
  return packed_shape(format, k, n).values() * 4 <= values * 5;  // at most 25% padding
}

Workspace::Workspace(const ParamLayout& layout, Activation act, const RoleFormats& roles, int cap,
                     bool for_training)
    : capacity(cap) {
  const auto role = [&](TensorRole r) { return roles[static_cast<std::size_t>(r)]; };
  const Format saved = role(TensorRole::kSavedActivation), weights = role(TensorRole::kWeight);
  const auto& layers = layout.layers();
  const std::size_t rows = std::size_t(cap);
  input = Buffer(role(TensorRole::kInput), rows * layout.input_dim());
  for (std::size_t l = 0; l + 1 < layers.size(); ++l) {
    outputs.emplace_back(saved, rows * layers[l].out);
    if (activation_needs_input(act)) inputs_z.emplace_back(saved, rows * layers[l].out);
  }
  logits = Buffer(kFloatFormat, rows * layout.num_classes());
  const Format operands = matmul().operand_format(weights);
  if (operands != weights) widened_weights = Buffer(operands, layout.size());
  acc = Buffer(kFloatFormat, rows * layout.max_width());
  for (const auto& l : layers) packed_w.push_back(packed_buffer(operands, l.in, l.out));
  if (for_training) {
    packed_wt.emplace_back();  // layer 0: no da product
    for (std::size_t l = 1; l < layers.size(); ++l)
      packed_wt.push_back(packed_buffer(operands, layers[l].out, layers[l].in));
    packed_dz = packed_buffer(operands, cap, layout.max_width());
    if (operands != role(TensorRole::kInput)) {
      for (const auto& l : layers) widened_inputs.emplace_back(operands, rows * l.in);
      widened_dz = Buffer(operands, rows * layout.max_width());
    }
    std::size_t max_w = 0;
    for (const auto& l : layers) max_w = std::max(max_w, std::size_t(l.in) * l.out);
    dlogits = Buffer(kFloatFormat, rows * layout.num_classes());
    dz[0] = Buffer(role(TensorRole::kOutputGrad), rows * layout.max_width());
    dz[1] = Buffer(role(TensorRole::kOutputGrad), rows * layout.max_width());
    // The weight-gradient product writes fp32 gradients in place, others into dw_acc.
    if (role(TensorRole::kWeightGrad) != kFloatFormat) dw_acc = Buffer(kFloatFormat, max_w);
  }
}

std::size_t Workspace::saved_activation_bytes() const {
  std::size_t bytes = input.bytes();
  for (const auto& b : outputs) bytes += b.bytes();
  for (const auto& b : inputs_z) bytes += b.bytes();
  return bytes;
}

std::size_t Workspace::scratch_bytes() const {
  std::size_t bytes = logits.bytes() + acc.bytes() + dlogits.bytes() + dz[0].bytes() +
                      dz[1].bytes() + dw_acc.bytes() + widened_weights.bytes() +
                      packed_dz.bytes() + widened_dz.bytes();
  for (const auto& b : widened_inputs) bytes += b.bytes();
  for (const auto& b : packed_w) bytes += b.bytes();
  for (const auto& b : packed_wt) bytes += b.bytes();
  return bytes;
}

Mlp::Mlp(const ParamLayout& layout, Activation act, const RoleFormats& roles)
    : layout_(layout), act_(act), roles_(roles), scaling_(layout.layers().size()) {
  for (Format f : roles_)
    if (f != roles_[0])
      throw std::logic_error("Mlp: tensor roles in different formats need per-role kernels");
}

// The weights as the products read them (widened by prepare_weights on the emulated path).
Mlp::WeightOperand Mlp::weight_operand(const void* w, const Workspace& ws) const {
  const Buffer& widened = ws.widened_weights;
  if (widened.size() == 0) {
    const Format f = format(TensorRole::kWeight);
    return {f, w, bytes_per_value(f)};
  }
  return {widened.format(), widened.data(), bytes_per_value(widened.format())};
}

void Mlp::prepare_weights(const void* weights, Workspace& ws) const {
  if (ws.widened_weights.size() != 0)
    convert_to_float_in_team(format(TensorRole::kWeight), weights, ws.widened_weights.as<float>(),
                             layout_.size());
  pack_weights(weight_operand(weights, ws), 0, false, ws.packed_w[0]);
#pragma omp single nowait
  ws.weights_prepared = true;
}

void Mlp::forward(const void* weights, int batch, Workspace& ws) const {
  dispatch_format(format(TensorRole::kWeight), [&](auto tag) {
    using T = decltype(tag);
    forward_t(static_cast<const T*>(weights), batch, ws);
  });
}

RoundStats Mlp::backward(const void* weights, int batch, Workspace& ws, void* grads,
                         const Rounding& rounding, RoundStats* stats) const {
  RoundStats param_stats;
  dispatch_format(format(TensorRole::kWeightGrad), [&](auto tag) {
    using T = decltype(tag);
    param_stats = backward_t(static_cast<const T*>(weights), batch, ws, static_cast<T*>(grads),
                             rounding, stats);
  });
  return param_stats;
}

template <typename T>
void Mlp::forward_t(const T* w, int batch, Workspace& ws) const {
  const auto& layers = layout_.layers();
  const T* x = ws.input.as<T>();
  float* acc = ws.acc.as<float>();
  // Each layer's weights are packed before its product: the first layer's here (or by
  // the caller, overlapped with its own work: prepare_weights), every later layer's in the
  // region of the previous layer's epilogue.
  if (!ws.weights_prepared) {
    run_shared(ws.packed_w[0].size() + ws.widened_weights.size(),
               [&] { prepare_weights(w, ws); });
  }
  ws.weights_prepared = false;
  const WeightOperand weights = weight_operand(w, ws);
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const LayerShape& s = layers[l];
    const bool last = l + 1 == layers.size();
    Buffer* next_packed = last ? nullptr : &ws.packed_w[l + 1];
    if constexpr (std::is_same_v<T, float>) {
      // fp32 hidden relu layer: oneDNN adds the bias and applies relu to the accumulators
      // (nothing to round, z not kept), instead of a pass of its own over acc. (fp32
      // packs no weights: packs_operand.)
      if (!last && act_ == Activation::kRelu && ws.inputs_z.empty()) {
        T* a = ws.outputs[l].as<T>();
        matmul().multiply_bias_relu(x, w + s.w_offset, w + s.b_offset, a, batch, s.out, s.in);
        x = a;
        continue;
      }
    }
    // acc (B, out) = x (B, in) * w (in, out)
    if (ws.widened_inputs.empty()) {
      multiply_by_weights(format(TensorRole::kInput), x, weights, s, false, ws.packed_w[l], acc,
                          batch);
    } else {
      Buffer& widened = ws.widened_inputs[l];
      convert_to_float(format(TensorRole::kInput), x, widened.as<float>(),
                       std::size_t(batch) * s.in);
      multiply_by_weights(widened.format(), widened.data(), weights, s, false, ws.packed_w[l], acc,
                          batch);
    }
    if (last) {
      run_shared(std::size_t(batch) * s.out, [&] {
        bias_logits_forward<T>(acc, w + s.b_offset, ws.logits.as<float>(), batch, s.out);
      });
    } else {
      T* z = ws.inputs_z.empty() ? nullptr : ws.inputs_z[l].as<T>();
      T* a = ws.outputs[l].as<T>();
      run_shared(std::size_t(batch) * s.out + next_packed->size(), [&] {
        bias_activation_forward<T>(acc, w + s.b_offset, act_, z, a, batch, s.out);
        pack_weights(weights, l + 1, false, *next_packed);
      });
      x = a;
    }
  }
}

// Packs layer l's w (or w^T when `transpose_w`) into `packed`, for the products that read
// it packed; nothing where that buffer is empty (packing does not pay: packs_operand).
// Shares the work among the calling team (pack_b_in_team).
void Mlp::pack_weights(const WeightOperand& weights, std::size_t l, bool transpose_w,
                       Buffer& packed) const {
  if (packed.size() == 0) return;
  const LayerShape& s = layout_.layers()[l];
  const int n = transpose_w ? s.in : s.out, k = transpose_w ? s.out : s.in;
  pack_b_in_team(weights.format, weights.at(s.w_offset), transpose_w, k, n, packed.data());
}

// c (B, n) = a (B, k) * w, or * w^T when `transpose_w`, for layer s: from `packed` where
// that buffer holds the operand packed (pack_weights), else from the plain weights.
void Mlp::multiply_by_weights(Format a_format, const void* a, const WeightOperand& weights,
                              const LayerShape& s, bool transpose_w, const Buffer& packed,
                              float* c, int batch) const {
  const int n = transpose_w ? s.in : s.out, k = transpose_w ? s.out : s.in;
  if (packed.size() == 0) {
    matmul().multiply(a_format, a, false, weights.format, weights.at(s.w_offset), transpose_w,
                      c, batch, n, k);
    return;
  }
  matmul().multiply_packed(a_format, a, false, weights.format, packed.data(), c, batch, n, k);
}

bool Mlp::packs_dz(const Workspace& ws, int batch, int out) const {
  return ws.packed_dz.size() != 0 && packs_operand(format(TensorRole::kOutputGrad), batch, out);
}

// dw (in, out) = x^T (in, B) * dz (B, out), reading dz packed where packs_dz (packed in
// the region that wrote dz: after_dz).
void Mlp::multiply_by_dz(Format x_format, const void* x, Format dz_format, const void* dz,
                         float* dw, int batch, const LayerShape& s, Workspace& ws) const {
  if (!packs_dz(ws, batch, s.out)) {
    matmul().multiply(x_format, x, true, dz_format, dz, false, dw, s.in, s.out, batch);
    return;
  }
  matmul().multiply_packed(x_format, x, true, format(TensorRole::kOutputGrad), ws.packed_dz.data(),
                           dw, s.in, s.out, batch);
}

// What follows dz of layer s once it is complete, shared among the calling team: dz packed
// for the weight-gradient product, and db (out) = the rounded sum of dz over the batch.
// Packing first: it measured faster than after the sum (docs/performance.md).
template <typename T>
void Mlp::after_dz(const T* dz, T* db, int batch, const LayerShape& s, Workspace& ws,
                   const Rounding& rounding, RoundStats* params) const {
  if (packs_dz(ws, batch, s.out))
    pack_b_in_team(format(TensorRole::kOutputGrad), dz, false, batch, s.out, ws.packed_dz.data());
  bias_backward<T>(dz, db, batch, s.out, rounding.starting_at(s.b_offset), params);
}

template <typename T>
RoundStats Mlp::backward_t(const T* w, int batch, Workspace& ws, T* g, const Rounding& rounding,
                           RoundStats* stats) const {
  RoundStats between_layers, params;
  // Each rounded tensor has its own random key (precision/rounding.hpp, tensor_id): the
  // parameter gradients one, indexed by their offset in g; dz and da of each layer one each.
  const Rounding grads = rounding.for_tensor(tensor_id::kParameterGrads);
  const auto& layers = layout_.layers();
  const int last = int(layers.size()) - 1;
  float* acc = ws.acc.as<float>();
  float* dw_acc = ws.dw_acc.size() ? ws.dw_acc.as<float>() : nullptr;
  const WeightOperand weights = weight_operand(w, ws);
  // dz of the output layer: the scaled loss gradient, rounded (a tensor between layers).
  T* dz = ws.dz[0].as<T>();
  {
    const LayerShape& s = layers[std::size_t(last)];
    const std::size_t values = std::size_t(batch) * s.out;
    round_from_float<T>(ws.dlogits.as<float>(), dz, values, rounding.for_tensor(tensor_id::layer_dz(last)),
                        &between_layers);
    run_shared(values, [&] { after_dz<T>(dz, g + s.b_offset, batch, s, ws, grads, &params); });
  }
  // One parallel region per stretch of element-wise work between two products (they cost
  // ~3.4 us each here): [round dw_l, pack w_l^T], then [dz_{l-1}; db_{l-1}, pack dz_{l-1}].
  for (int l = last; l >= 0; --l) {
    const LayerShape& s = layers[l];
    // The products' operands: as stored, or widened to fp32 once (emulated path).
    Format x_format = format(TensorRole::kInput), dz_format = format(TensorRole::kOutputGrad);
    const void* x = l == 0 ? ws.input.data() : ws.outputs[l - 1].data();
    const void* dz_operand = dz;
    if (!ws.widened_inputs.empty()) {
      x_format = dz_format = ws.widened_dz.format();
      x = ws.widened_inputs[l].data();  // widened by forward
      convert_to_float(format(TensorRole::kOutputGrad), dz, ws.widened_dz.as<float>(),
                       std::size_t(batch) * s.out);
      dz_operand = ws.widened_dz.data();
    }
    // dw (in, out) = x^T (in, B) * dz (B, out), rounded into the gradient buffer
    // (fp32 needs no rounding: the product goes straight into the gradients).
    Buffer& packed_wt = ws.packed_wt[std::size_t(l)];
    if constexpr (std::is_same_v<T, float>) {
      multiply_by_dz(x_format, x, dz_format, dz_operand, g + s.w_offset, batch, s, ws);
      run_shared(packed_wt.size(), [&] { pack_weights(weights, l, true, packed_wt); });
    } else {
      multiply_by_dz(x_format, x, dz_format, dz_operand, dw_acc, batch, s, ws);
      const std::size_t values = std::size_t(s.in) * s.out;
      run_shared(values + packed_wt.size(), [&] {
        round_from_float_in_team<T>(dw_acc, g + s.w_offset, values,
                                    grads.starting_at(s.w_offset), &params);
        pack_weights(weights, l, true, packed_wt);
      });
    }
    if (l == 0) break;  // the input needs no gradient
    // da (B, in) = dz (B, out) * w^T (out, in); then dz_prev = da * act'(...)
    multiply_by_weights(dz_format, dz_operand, weights, s, true, packed_wt, acc, batch);
    const T* saved = ws.inputs_z.empty() ? ws.outputs[l - 1].as<T>() : ws.inputs_z[l - 1].as<T>();
    T* dz_prev = ws.dz[(last - l + 1) % 2].as<T>();
    const LayerShape& prev = layers[l - 1];
    run_shared(std::size_t(batch) * s.in, [&] {
      activation_backward<T>(acc, saved, act_, dz_prev, batch, s.in,
                             rounding.for_tensor(tensor_id::layer_dz(l - 1)), &between_layers);
      after_dz<T>(dz_prev, g + prev.b_offset, batch, prev, ws, grads, &params);
    });
    dz = dz_prev;
  }
  if (stats) {
    *stats += between_layers;
    *stats += params;
  }
  return params;
}

}  // namespace mixprec
