#pragma once
// The one-pass update of the -true modes, where weights, gradients, the rule's state and
// Kahan's compensation are all in one 16-bit format T. Sixteen values at a time are widened
// into registers, go through the rule (its `update`, the same template the array loops run
// on float), have their state rounded back, their new weight formed as add_update forms it
// and stored as store_updated_weights stores it: no fp32 copy of any buffer is written.
// The separate passes of update_blocks (optimizer.cpp) cost twice as much: each widened and
// rounded buffer made a round trip through memory (issue 16: bf16-true was slower than
// bf16-mixed, which keeps fp32 state in place).
//
// The same bits and counts as those passes, value for value:
// tests/optim/optimizer_reference_test.cpp checks both against a scalar loop.
#include "common/intrinsics_warnings.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "optim/apply_update.hpp"
#include "optim/lanes.hpp"
#include "optim/mul_add.hpp"
#include "optim/weight_store.hpp"

#if defined(__AVX512F__)
namespace mixprec {

// One block of the -true modes' storage, each pointer at the block's first value.
template <typename T, std::size_t kStateBuffers>
struct Block16 {
  T* weights;
  const T* grads;
  std::array<T*, kStateBuffers> state;           // the rule's buffers, in its order
  T* compensation;                                // null without Kahan
  Rounding weight_rounding;                       // advanced to the block's first value
  std::array<Rounding, kStateBuffers> state_rounding;  // each buffer's, advanced likewise
  std::int64_t len;
};

// Loads 16 values of T and widens them exactly.
template <typename T>
inline __m512 load_widened(const T* p) {
  return widen_bits_x16<T>(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}

// The random bits of each state buffer over the block.
template <typename T, std::size_t kState, std::size_t... k>
std::array<RandomRun16, kState> state_random(const Block16<T, kState>& b, std::index_sequence<k...>) {
  return {RandomRun16(random_key(b.state_rounding[k]), b.state_rounding[k].element, std::uint64_t(b.len))...};
}

// One block: kStochastic says how the weights and the state are rounded (the roundings'
// mode). Adds the block's statistics to `stats`.
template <typename T, bool kStochastic, class Rule>
void update_block_16bit(const Block16<T, Rule::kStateBuffers>& b, const Rule& rule,
                        const UpdateForm& form, UpdateStats& stats) {
  constexpr std::size_t kState = Rule::kStateBuffers;
  WeightStoreX16<T, kStochastic> weights(b.weights, b.compensation, b.weight_rounding, b.len);
  const StochasticGrid grid = stochastic_grid(traits(FormatOf<T>::value));
  std::array<RandomRun16, kState> random = state_random(b, std::make_index_sequence<kState>{});
  const bool decays = form.weight_factor != 1.0f;  // AdamW: the decayed weight first
  // In registers the product is taken always: w * 1 is w exactly (zeros, infinities and the
  // quiet NaN every rounding stores included), and a branch per 16 values cost more.
  const Lanes16 factor(form.weight_factor);

  std::int64_t i = 0;
  for (; i + kLanes <= b.len; i += kLanes) {
    const Lanes16 w(load_widened(b.weights + i));
    const Lanes16 g(load_widened(b.grads + i));
    std::array<Lanes16, kState> s{};
    for (std::size_t k = 0; k < kState; ++k) s[k] = Lanes16(load_widened(b.state[k] + i));
    const Lanes16 u = rule.update(g, w, s.data());
    for (std::size_t k = 0; k < kState; ++k) {
      __m512 v = s[k].v;
      if constexpr (kStochastic)
        v = snap_to_x16<T>(v, grid, random[k].bits(b.state_rounding[k].element + std::uint64_t(i)));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(b.state[k] + i), round_bits_x16<T>(v));
    }
    const Lanes16 x = mul_add(Lanes16(form.scale), u, w * factor);
    weights.store(x.v, w.v, i);
  }
  // The tail (fewer than 16 values): the same arithmetic on float, counted in the same lanes.
  LaneSums sums = weights.sums();
  for (; i < b.len; ++i) {
    const float w = to_float(b.weights[i]), g = to_float(b.grads[i]);
    std::array<float, kState> s{};
    for (std::size_t k = 0; k < kState; ++k) s[k] = to_float(b.state[k][i]);
    const float u = rule.update(g, w, s.data());
    for (std::size_t k = 0; k < kState; ++k)
      b.state[k][i] = round_one<T>(s[k], b.state_rounding[k].starting_at(std::uint64_t(i)));
    const float x = mul_add(form.scale, u, decays ? w * form.weight_factor : w);
    float stored;
    store_passes(&x, &w, b.weights + i, b.compensation ? b.compensation + i : nullptr,
                 b.weight_rounding.starting_at(std::uint64_t(i)), 1, &stored);
    sums.count(x, w, stored, int(i % kLanes));
  }
  sums.add_to(stats);
}

}  // namespace mixprec
#endif
