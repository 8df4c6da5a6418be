#pragma once
// SGD (momentum, dampening, Nesterov, L2), Adam and AdamW over one flat parameter buffer,
// with PyTorch's documented semantics (torch.optim.SGD / Adam / AdamW).
//
// Storage (NUMERICS.md "Modes"): weights are fp32 (fp32 mode, or the fp32 master copy of
// the mixed modes) or 16-bit (-true modes); gradients are fp32 (fp32 mode) or 16-bit;
// optimizer state is fp32 except in the -true modes. Each step is computed in fp32 from the
// stored values and every stored quantity is rounded back once with from_float<T> (RNE).
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "precision/format.hpp"

namespace mixprec {

// What rounding did to the weight updates. Only counted when weights are 16-bit (the -true
// modes); with fp32 weights step() leaves it untouched. step() ADDS to the counters, so one
// UpdateStats can collect an epoch.
struct UpdateStats {
  std::uint64_t nonzero_updates = 0;  // elements whose fp32 new weight != fp32 old weight
  std::uint64_t lost_updates = 0;     // ...of which the stored 16-bit weight did not change
};

// One optimizer state buffer, for checkpoints: `bytes` holds num_params values of `format`.
struct OptimizerStateBuffer {
  std::string_view name;  // PyTorch's state key: momentum_buffer, exp_avg, exp_avg_sq
  Format format;
  std::span<std::byte> bytes;
};

class Optimizer {
 public:
  // Throws UserError for hyper-parameters PyTorch rejects (negative momentum, beta outside
  // [0, 1), Nesterov without momentum or with dampening, ...). Allocates all state here.
  Optimizer(const OptimizerConfig& cfg, std::size_t num_params, Format weight_format,
            Format grad_format, Format state_format);

  // weights: num_params values of weight_format, updated in place; grads: num_params values
  // of grad_format. The gradient used is grad * grad_multiplier (the multiplier folds
  // 1/loss_scale and the clipping coefficient). Does not allocate.
  // working_copy (mixed modes: fp32 weights, 16-bit gradients; else null): num_params values
  // of grad_format, rewritten with the rounding of each new weight in the same pass, so that
  // the next step needs no separate fp32 -> 16-bit cast of the master.
  void step(void* weights, const void* grads, float lr, float grad_multiplier,
            UpdateStats* stats = nullptr, void* working_copy = nullptr);

  // Completed updates (PyTorch's state["step"]); a skipped step does not call step().
  std::int64_t steps_taken() const { return steps_taken_; }
  std::size_t state_bytes() const { return state_a_.size() + state_b_.size(); }
  std::size_t num_params() const { return num_params_; }

  // Raw state for checkpoints: SGD with momentum -> {momentum_buffer}, SGD without -> {},
  // Adam/AdamW -> {exp_avg, exp_avg_sq}. A restore writes the bytes and the step count.
  std::vector<OptimizerStateBuffer> state_buffers();
  void set_steps_taken(std::int64_t steps);

 private:
  OptimizerConfig cfg_;
  std::size_t num_params_;
  Format weight_format_;
  Format grad_format_;
  Format state_format_;
  std::vector<std::byte> state_a_;  // SGD momentum buffer, or Adam exp_avg (m)
  std::vector<std::byte> state_b_;  // Adam exp_avg_sq (v); empty for SGD
  std::int64_t steps_taken_ = 0;
};

}  // namespace mixprec
