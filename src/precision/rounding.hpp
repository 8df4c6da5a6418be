#pragma once
// How a conversion rounds: a parameter of every conversion entry point, not a copy of each
// loop (STYLE.md "Where new formats and rounding modes go").
//
// Nearest-even is the only mode so far. Stochastic rounding (NUMERICS.md "Beyond nearest
// rounding") draws its random bits from a counter-based generator keyed by (seed, step,
// tensor, element index): the key fields are here already, and every loop that splits a
// tensor into blocks passes each block the rounding advanced to its first element
// (`starting_at`), so that a value's bits never depend on the block or thread it fell in.
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

  // The same rounding for the values from `offset` on (offset counted from `element`).
  constexpr Rounding starting_at(std::uint64_t offset) const {
    Rounding r = *this;
    r.element += offset;
    return r;
  }
};

inline constexpr Rounding kNearestEven{};

}  // namespace mixprec
