#pragma once
// Inference with the trained weights stored in fp32, bf16 and fp16: accuracy, loss, time
// per sample, accounted weight memory, and how often each format's predictions agree with
// fp32's. This is where 16-bit halves memory (weights and activations), unlike training.
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.hpp"
#include "data/dataset.hpp"
#include "nn/param_layout.hpp"

namespace mixprec {

// weights: the trained parameters as fp32 values (the master copy, or the widened 16-bit
// weights of a -true run). One array entry per format, fp32 first.
nlohmann::json compare_inference(const ParamLayout& layout, Activation act,
                                 const std::vector<float>& weights, const Dataset& set,
                                 int batch_size);

}  // namespace mixprec
