#pragma once
// Inference with the trained weights stored in fp32, bf16, fp16 and E4M3: accuracy, loss,
// time per sample, accounted weight memory, and how often each format's predictions agree
// with fp32's. This is where narrow formats cut memory (weights and activations), unlike
// training.
//
// The E4M3 row is weight-only quantisation, as Transformer Engine stores FP8 weights: each
// layer's weight matrix w_l is cast to E4M3 (OCP, NUMERICS.md "8-bit formats") with its own
// per-tensor scale s_l = 448 / amax(w_l) (current scaling, margin 0: fp8_scaling.hpp), the
// biases stay fp32, and the forward pass runs in fp32 on the dequantised weights q_l / s_l
// (each quotient rounded once to fp32; exact whenever s_l is a power of two). The products
// are fp32 products on those values: path "fp32 carrier", never native FP8 (no CPU here
// multiplies FP8). Activations stay fp32.
#include <cstddef>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.hpp"
#include "data/dataset.hpp"
#include "nn/param_layout.hpp"
#include "precision/format.hpp"
#include "precision/round_stats.hpp"

namespace mixprec {

// weights: the trained parameters as fp32 values (the master copy, or the widened 16-bit
// weights of a -true run). One array entry per format: fp32 first, then fp16 and bf16 (the
// formats with kernels, table order), then "e4m3" (the row above, with its per-layer scales
// and cast statistics in "weight_quantisation").
nlohmann::json compare_inference(const ParamLayout& layout, Activation act,
                                 const std::vector<float>& weights, const Dataset& set,
                                 int batch_size);

// One layer's weight tensor cast to FP8.
struct QuantisedWeightTensor {
  float amax = 0.0f;   // max |w_l| (amax.hpp: NaN if any weight is NaN)
  float scale = 1.0f;  // s_l = current_scale(amax, largest finite, 0); 1 for a zero or non-finite amax
  RoundStats stats;    // what the cast did: saturated (|w s| beyond the largest finite), underflow
};

// The parameters with every weight matrix quantised per tensor to `format` (an FP8 row) and
// dequantised: the fp32 buffer the "e4m3" row runs on.
struct QuantisedWeights {
  std::vector<float> dequantised;  // layout.size() values: w_l = float(q_l / s_l), biases unchanged
  std::vector<QuantisedWeightTensor> layers;  // one per layer of the layout
  // Accounted storage: one FP8 value per weight, fp32 biases, one fp32 scale per layer.
  std::size_t bytes = 0;
};
QuantisedWeights quantise_weights_per_tensor(const ParamLayout& layout,
                                             const std::vector<float>& weights, Format format);

}  // namespace mixprec
