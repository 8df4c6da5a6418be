#pragma once
// How a conversion rounds: a parameter of every conversion entry point, not a copy of each
// loop (STYLE.md "Where new formats and rounding modes go").
//
// Nearest-even, or stochastic (NUMERICS.md "Beyond nearest rounding";
// precision/stochastic_rounding.hpp), whose random bits come from a counter-based generator
// keyed by (seed, step, tensor, element index). Every loop that splits a tensor into blocks
// passes each block the rounding advanced to its first element (`starting_at`), so that a
// value's bits never depend on the block or thread it fell in; each tensor a step rounds
// has its own id (TensorId), so no two share random bits.
#include <cstdint>
#include <string_view>

namespace mixprec {

enum class RoundingMode { kNearestEven, kStochastic };

constexpr std::string_view to_string(RoundingMode mode) {
  switch (mode) {
    case RoundingMode::kNearestEven: return "nearest";
    case RoundingMode::kStochastic: return "stochastic";
  }
  return "?";  // unreachable: -Werror=switch lists a new mode above
}

struct Rounding {
  RoundingMode mode = RoundingMode::kNearestEven;
  // The key of the random bits (unused by nearest-even).
  std::uint64_t seed = 0;
  std::uint64_t step = 0;
  std::uint32_t tensor = 0;
  std::uint64_t element = 0;  // index, in the whole tensor, of the first value converted

  // The same rounding of tensor `id`, from its first element.
  constexpr Rounding for_tensor(std::uint32_t id) const {
    Rounding r = *this;
    r.tensor = id;
    r.element = 0;
    return r;
  }

  // The same rounding for the values from `offset` on (offset counted from `element`).
  constexpr Rounding starting_at(std::uint64_t offset) const {
    Rounding r = *this;
    r.element += offset;
    return r;
  }
};

inline constexpr Rounding kNearestEven{};

// The tensors of a training step that a stochastic rounding may key (Rounding::tensor).
namespace tensor_id {
inline constexpr std::uint32_t kWeights = 1;           // the stored weights (flat buffer)
inline constexpr std::uint32_t kOptimizerState = 2;    // + k: the optimizer's k-th state buffer
inline constexpr std::uint32_t kParameterGrads = 8;    // weight and bias gradients (flat buffer)
// The gradients between layers: dz of layer l is kLayerGrads + 2 l, the gradient of layer
// l's input (da, before the activation's derivative) the id after it.
inline constexpr std::uint32_t kLayerGrads = 16;
inline constexpr std::uint32_t layer_dz(int layer) { return kLayerGrads + 2 * std::uint32_t(layer); }
}  // namespace tensor_id

}  // namespace mixprec
