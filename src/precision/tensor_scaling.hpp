#pragma once
// Per-tensor scaling state (NUMERICS.md "8-bit formats"): the scale s a tensor is
// multiplied by before it is cast to an 8-bit format, and the amax history that delayed
// scaling derives s from. Each layer owns one slot per tensor role (STYLE.md: the state
// lives next to the tensor it scales); checkpoints save it in a section of its own
// (docs/checkpoint.md, TSCL). The 16-bit modes leave every slot at its default: scale 1,
// empty history.
#include <array>
#include <cstddef>
#include <vector>

#include "precision/tensor_role.hpp"

namespace mixprec {

struct TensorScaling {
  float scale = 1.0f;               // s: a positive, finite factor
  std::vector<float> amax_history;  // ring buffer of the last amaxes; empty when unused
  std::size_t amax_next = 0;        // the slot the next amax overwrites (< the history's size)

  bool operator==(const TensorScaling&) const = default;
};

// One linear layer's slots, indexed by TensorRole.
struct LayerScaling {
  std::array<TensorScaling, kTensorRoleCount> roles;

  TensorScaling& operator[](TensorRole role) { return roles[static_cast<std::size_t>(role)]; }
  const TensorScaling& operator[](TensorRole role) const {
    return roles[static_cast<std::size_t>(role)];
  }
  bool operator==(const LayerScaling&) const = default;
};

}  // namespace mixprec
