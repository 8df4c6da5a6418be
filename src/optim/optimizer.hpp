#pragma once
// SGD (momentum, dampening, Nesterov, L2), Adam and AdamW over one flat parameter buffer,
// with PyTorch's documented semantics (torch.optim.SGD / Adam / AdamW).
//
// Storage (NUMERICS.md "Modes"): weights are fp32 (fp32 mode, or the fp32 master copy of
// the mixed modes) or 16-bit (-true modes); gradients are fp32 (fp32 mode) or 16-bit;
// optimizer state is fp32 except in the -true modes. Each step is computed in fp32 from the
// stored values and every stored quantity is rounded back once with from_float<T> (RNE).
//
// A rule computes an update and updates its own state; optim/apply_update.hpp adds the
// update to the weights, rounds them and counts lost updates, the same way for every rule.
// The state is a named list of buffers that each rule declares (PyTorch's state keys), so
// that checkpoints store and restore it by name, whatever its length.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "optim/apply_update.hpp"
#include "precision/format.hpp"

namespace mixprec {

// One optimizer state buffer: `bytes` holds num_params values of `format`.
struct OptimizerStateBuffer {
  std::string_view name;  // PyTorch's state key: momentum_buffer, exp_avg, exp_avg_sq
  Format format;
  std::span<std::byte> bytes;
};

// A state buffer as a checkpoint saved it, to restore (Optimizer::restore_state).
struct SavedOptimizerBuffer {
  std::string_view name;
  Format format;
  std::span<const std::byte> bytes;
};

class Optimizer {
 public:
  // Throws UserError for hyper-parameters PyTorch rejects (negative momentum, beta outside
  // [0, 1), Nesterov without momentum or with dampening, ...). Allocates all state here.
  // weight_rounding: how updates are rounded into 16-bit weights and state (stochastic
  // rounding is keyed by seed, the update's number, the tensor and the element);
  // cfg.compensation adds Kahan's buffer. Both need 16-bit weights (UserError otherwise).
  Optimizer(const OptimizerConfig& cfg, std::size_t num_params, Format weight_format,
            Format grad_format, Format state_format,
            RoundingMode weight_rounding = RoundingMode::kNearestEven, std::uint64_t seed = 0);

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
  std::size_t state_bytes() const;         // the rule's buffers (momentum, Adam moments)
  std::size_t compensation_bytes() const;  // Kahan's buffer, 0 without one
  std::size_t num_params() const { return num_params_; }

  // The state, in the order the rule reads it: SGD with momentum -> {momentum_buffer},
  // SGD without -> {}, Adam/AdamW -> {exp_avg, exp_avg_sq}; then kahan_compensation where
  // optimizer.compensation is kahan. Views into the optimizer.
  std::vector<OptimizerStateBuffer> state_buffers();
  void set_steps_taken(std::int64_t steps);

  // Resuming. check_saved_state throws a one-line UserError starting with `where` (the
  // checkpoint file) unless `saved` holds exactly the buffers this optimizer keeps, matched
  // by name in any order, each in its format and size: it names the first buffer that is
  // missing or unexpected. restore_state then copies them in and sets the step count.
  void check_saved_state(std::span<const SavedOptimizerBuffer> saved, std::string_view where) const;
  void restore_state(std::span<const SavedOptimizerBuffer> saved, std::int64_t steps);

 private:
  std::string describe() const;

  // num_params values of `format`, +0 (zero bits) before the first step.
  struct StateBuffer {
    std::string name;
    Format format;
    std::vector<std::byte> bytes;
  };

  OptimizerConfig cfg_;
  std::size_t num_params_;
  Format weight_format_;
  Format grad_format_;
  std::vector<StateBuffer> state_;  // what the rule declared, in its order; then Kahan's c
  std::size_t rule_buffers_ = 0;    // how many of state_ the rule reads
  Rounding rounding_;               // of weights and state (mode, seed)
  std::vector<UpdateStats> block_stats_;  // step()'s per-block counts
  std::int64_t steps_taken_ = 0;
};

}  // namespace mixprec
