#pragma once
// The multi-layer perceptron: linear layers with an activation between them, forward and
// backward written out by hand. Each tensor is in the format the mode gives its role
// (precision/tensor_role.hpp, NUMERICS.md); matmuls accumulate in fp32 through kernels/matmul.
//   B = batch, L = number of linear layers, layer l: x_l (B, in_l), w_l (in_l, out_l)
#include <cstdint>
#include <span>
#include <vector>

#include "config/config.hpp"
#include "kernels/aligned_buffer.hpp"
#include "precision/convert.hpp"
#include "precision/precision.hpp"
#include "nn/param_layout.hpp"
#include "precision/tensor_scaling.hpp"

namespace mixprec {

// Whether the products pack their b (k, n) operand in this format before multiplying:
// where oneDNN reads that layout and packing measured faster (see mlp.cpp).
bool packs_operand(Format format, int k, int n);

// Everything one batch writes, allocated once for `capacity` rows and reused every step.
struct Workspace {
  Workspace(const ParamLayout& layout, Activation act, const RoleFormats& roles, int capacity,
            bool for_training);

  int capacity;
  Buffer input;                // x_0 (B, in_0): the batch, rounded to the input role's format
  std::vector<Buffer> outputs; // a_l (B, out_l) for each hidden layer: x_{l+1} (saved activation)
  std::vector<Buffer> inputs_z;// z_l (B, out_l) pre-activation, kept only for gelu (saved)
  Buffer logits;               // (B, classes) fp32
  // Scratch (training only, except acc):
  Buffer acc;                  // (B, max_width) fp32 matmul output
  Buffer dlogits;              // (B, classes) fp32, scaled by the loss scale
  Buffer dz[2];                // (B, max_width) output-gradient role, ping-pong between layers
  Buffer dw_acc;               // (max in*out) fp32 weight-gradient matmul output
  // Emulated matmul path only (a 16-bit format without a native kernel): all weights
  // widened exactly to fp32 once per forward pass, instead of once per product.
  Buffer widened_weights;
  // Operands packed for oneDNN's kernels (kernels/weight_pack.hpp), repacked each step
  // before their use: packed_w[l] = w_l for the forward product, packed_wt[l] = w_l^T for
  // backward's da product (training, l >= 1), packed_dz = dz for the weight-gradient
  // product (training). A buffer is empty where packing does not pay (packs_operand); the product
  // then reads the plain operand.
  std::vector<Buffer> packed_w, packed_wt;
  Buffer packed_dz;
  // Emulated path, training only: each layer's input and each dz widened to fp32 once,
  // for both products that read it (forward x*w and backward x^T*dz; x^T*dz and dz*w^T),
  // instead of once inside each product.
  std::vector<Buffer> widened_inputs;
  Buffer widened_dz;
  // Set by Mlp::prepare_weights (the weights of the coming forward() are already widened
  // and the first layer's packed), cleared by forward().
  bool weights_prepared = false;

  // Bytes of activations kept for backward (each layer's input, and z for gelu) at full
  // capacity: in the saved-activation and input roles' formats (16-bit halves them).
  std::size_t saved_activation_bytes() const;
  // Bytes of everything else: fp32 logits and loss gradient, matmul outputs, dz buffers,
  // widened and packed operands.
  std::size_t scratch_bytes() const;
};

class Mlp {
 public:
  // The kernels run one storage type for all roles so far: roles that differ throw
  // std::logic_error (the FP8 modes bring per-role kernels).
  Mlp(const ParamLayout& layout, Activation act, const RoleFormats& roles);

  const ParamLayout& layout() const { return layout_; }
  Format format(TensorRole role) const { return roles_[static_cast<std::size_t>(role)]; }
  // Per-tensor scaling state, one LayerScaling per linear layer, in layer order.
  std::span<LayerScaling> scaling() { return scaling_; }
  std::span<const LayerScaling> scaling() const { return scaling_; }

  // Reads ws.input (first `batch` rows) and weights (layout().size() values, weight role);
  // leaves the fp32 logits in ws.logits. backward() must follow the forward() of the same
  // weights: it reads what forward saved (activations, and widened weights if emulated).
  void forward(const void* weights, int batch, Workspace& ws) const;
  // What forward() does first to the weights, shared among the calling team so that a
  // caller can overlap it with work of its own in one parallel region (the trainer: with
  // the gather of the batch): the widening to fp32 on the emulated path, and the packing
  // of the first layer's weights where they are read packed. Then forward() skips it.
  void prepare_weights(const void* weights, Workspace& ws) const;

  // Reads ws.dlogits (fp32, already scaled) and what forward saved; writes every parameter's
  // gradient, rounded to the weight-gradient role's format as `rounding` says, into grads
  // (layout().size() values). Every gradient rounding of the pass uses `rounding`.
  // stats (may be null) collects every rounding of the pass, between layers included; the
  // result is the part for the parameter gradients alone, whose `nonfinite` count is the
  // loss scaler's overflow check in the 16-bit formats (fp32 counts nothing: see RoundStats).
  RoundStats backward(const void* weights, int batch, Workspace& ws, void* grads,
                      const Rounding& rounding, RoundStats* stats) const;

 private:
  // The weights as the matmuls read them: the weight-role buffer, or its fp32 widening.
  struct WeightOperand {
    Format format;
    const void* data;
    std::size_t value_bytes;
    const void* at(std::size_t offset) const {
      return static_cast<const std::byte*>(data) + offset * value_bytes;
    }
  };
  WeightOperand weight_operand(const void* w, const Workspace& ws) const;
  void pack_weights(const WeightOperand& weights, std::size_t l, bool transpose_w,
                    Buffer& packed) const;
  void multiply_by_weights(Format a_format, const void* a, const WeightOperand& weights,
                           const LayerShape& s, bool transpose_w, const Buffer& packed, float* c,
                           int batch) const;
  bool packs_dz(const Workspace& ws, int batch, int out) const;
  template <typename T>
  void after_dz(const T* dz, T* db, int batch, const LayerShape& s, Workspace& ws,
                const Rounding& rounding, RoundStats* params) const;
  void multiply_by_dz(Format x_format, const void* x, Format dz_format, const void* dz,
                      float* dw, int batch, const LayerShape& s, Workspace& ws) const;
  template <typename T>
  void forward_t(const T* w, int batch, Workspace& ws) const;
  template <typename T>
  RoundStats backward_t(const T* w, int batch, Workspace& ws, T* g, const Rounding& rounding,
                        RoundStats* stats) const;

  ParamLayout layout_;
  Activation act_;
  RoleFormats roles_;
  std::vector<LayerScaling> scaling_;
};

}  // namespace mixprec
