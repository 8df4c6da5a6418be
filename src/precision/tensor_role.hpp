#pragma once
// The tensors of a linear layer that a precision mode can store in a format of their own
// (NUMERICS.md "Modes"; FP8's hybrid recipe puts E4M3 on the first two and E5M2 on dz).
#include <array>
#include <cstddef>
#include <string_view>

namespace mixprec {

enum class TensorRole {
  kInput,            // x_l (B, in): the layer input as the forward product reads it
  kWeight,           // w_l (in, out) and b_l: the copy the products read
  kOutputGrad,       // dz_l (B, out): the gradient flowing between layers
  kWeightGrad,       // dw_l, db_l: the parameter gradients
  kSavedActivation,  // what forward keeps for backward (a_l, and z_l for gelu)
};
inline constexpr std::size_t kTensorRoleCount = 5;

inline constexpr std::array<TensorRole, kTensorRoleCount> kAllTensorRoles = {
    TensorRole::kInput, TensorRole::kWeight, TensorRole::kOutputGrad, TensorRole::kWeightGrad,
    TensorRole::kSavedActivation};

// The name logs, checkpoints and `info --json` use.
constexpr std::string_view to_string(TensorRole role) {
  switch (role) {
    case TensorRole::kInput: return "input";
    case TensorRole::kWeight: return "weight";
    case TensorRole::kOutputGrad: return "output_grad";
    case TensorRole::kWeightGrad: return "weight_grad";
    case TensorRole::kSavedActivation: return "saved_activation";
  }
  return "?";  // unreachable: every role is named above (-Wswitch lists a new one)
}

}  // namespace mixprec
