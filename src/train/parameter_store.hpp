#pragma once
// The parameters of one run in the storage NUMERICS.md gives each mode:
//   fp32:        master fp32                     -> matmuls read the master
//   *-mixed:     master fp32 + 16-bit working copy, the rounding of the master at all times
//                (the optimizer rewrites it as it updates the master) -> matmuls read the copy
//   *-true:      16-bit weights only            -> matmuls and the optimizer use them
// and the gradients; each buffer in the format the mode's row gives it (precision.hpp).
#include <cstddef>
#include <vector>

#include "kernels/aligned_buffer.hpp"
#include "optim/optimizer.hpp"
#include "precision/precision.hpp"

namespace mixprec {

class ParameterStore {
 public:
  ParameterStore(const PrecisionPolicy& policy, const std::vector<float>& initial);

  // One optimizer step on the weights the mode updates (NUMERICS.md steps 1 and 6): in the
  // mixed modes the update also rewrites the working copy from the new master, in the same
  // pass, instead of a separate cast at the start of the next step.
  void apply_update(Optimizer& optimizer, float lr, float grad_multiplier, UpdateStats* stats);

  const void* matmul_weights() const { return has_copy() ? working_.data() : updated().data(); }
  // What the optimizer updates: the fp32 master, or the 16-bit weights of a -true mode.
  Format update_format() const { return updated().format(); }
  // The raw bytes of those weights, for checkpoints. After writing them call
  // cast_working_copy(), which restores the working copy from the master.
  void* update_weights() { return updated().data(); }
  void cast_working_copy();
  void* grads() { return grads_.data(); }
  const void* grads() const { return grads_.data(); }
  Format grad_format() const { return grads_.format(); }
  std::size_t size() const { return grads_.size(); }

  // Current weights as fp32 values (for checkpoints and 16-bit inference comparisons).
  std::vector<float> weights_as_float() const;
  void set_weights(const std::vector<float>& values);

  std::size_t master_bytes() const { return master_.bytes(); }  // 0 for -true modes
  std::size_t working_bytes() const { return working_.bytes(); }  // the 16-bit weights
  std::size_t grad_bytes() const { return grads_.bytes(); }

 private:
  bool has_copy() const { return master_.size() != 0 && working_.size() != 0; }
  const Buffer& updated() const { return master_.size() != 0 ? master_ : working_; }
  Buffer& updated() { return master_.size() != 0 ? master_ : working_; }

  Buffer master_;   // fp32, absent in the -true modes
  Buffer working_;  // weight role's format; absent where that is the master's
  Buffer grads_;    // weight-gradient role's format
};

}  // namespace mixprec
