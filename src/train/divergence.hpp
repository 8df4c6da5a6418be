#pragma once
// Where a diverging run's first non-finite value appeared, and the hint that follows from
// it. The trainer scans one step's tensors in the order the data flows (weights, the
// rounded input, each layer's output, logits, loss, gradients from the last layer back,
// optimizer state) when a step first turns non-finite; the scan runs only on such steps,
// so the training step itself pays nothing for it.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.hpp"
#include "nn/mlp.hpp"
#include "optim/optimizer.hpp"
#include "precision/precision.hpp"

namespace mixprec {

struct NonFiniteSite {
  std::int64_t step = 0;      // 1-based global step at which the value appeared
  int layer = 0;              // 1-based linear layer; 0 where no layer applies (the loss)
  std::string tensor;         // input | forward activation | logits | loss | gradient |
                              // optimizer update | optimizer state
  std::string detail;         // what was found: counts, the largest finite magnitude
  std::string cause;          // what the evidence points at, where it is not the site
                              // itself (Adam's state underflowing to 0); may be empty
  std::string hint;           // follows from the site and cause (eps, learning rate, input scale)

  std::string describe() const;  // one clause for the run's reason
  nlohmann::json to_json() const;
};

// Everything one step leaves behind that the scan reads (Trainer::step_tensors sets every
// field: the formats come from the run's policy, not from a default).
struct StepTensors {
  const ParamLayout* layout = nullptr;
  Format compute;                 // of the weights as the matmuls read them
  const void* weights = nullptr;
  const void* grads = nullptr;
  Format grad_format;
  const Workspace* ws = nullptr;
  int batch = 0;
  double loss = 0.0;              // the batch's loss, unscaled
  std::vector<OptimizerStateBuffer> optimizer_state;
};

// The first non-finite value of the step, or nothing when every tensor is finite.
// `step` is the step that ran; `last_update_step` the last step whose update was applied
// (non-finite weights were written by it).
std::optional<NonFiniteSite> locate_nonfinite(const StepTensors& t, std::int64_t step,
                                              std::int64_t last_update_step, const Config& cfg);

}  // namespace mixprec
