#include "optim/apply_update.hpp"

#include "common/intrinsics_warnings.hpp"

#include <type_traits>

#include "optim/weight_store.hpp"

namespace mixprec {
namespace {

void count_block(const float* w_new, const float* w_old, const float* stored, std::int64_t len,
                 UpdateStats& stats) {
  LaneSums sums;
  sums.count_from(0, w_new, w_old, stored, len);
  sums.add_to(stats);
}

#if defined(__AVX512F__)
// Rounding, Kahan's compensation, read-back and counts in one pass (weight_store.hpp):
// separate passes over the block cost more than the update itself.
template <typename W, bool kStochastic>
void store_and_count(const float* w_new, const float* w_old, W* out, W* compensation,
                     const Rounding& rounding, std::int64_t len, UpdateStats& stats) {
  WeightStoreX16<W, kStochastic> store(out, compensation, rounding, len);
  std::int64_t i = 0;
  for (; i + kLanes <= len; i += kLanes)
    store.store(_mm512_loadu_ps(w_new + i), _mm512_loadu_ps(w_old + i), i);
  LaneSums sums = store.sums();
  if (i < len) {  // the tail (fewer than 16 values), by the separate passes
    alignas(64) float stored[kLanes];
    store_passes(w_new + i, w_old + i, out + i, compensation ? compensation + i : nullptr,
                 rounding.starting_at(std::uint64_t(i)), len - i, stored);
    sums.count_from(0, w_new + i, w_old + i, stored, len - i);
  }
  sums.add_to(stats);
}
#endif

// 16-bit weights: round the block into storage (with Kahan's compensation where there is
// one) and count it.
template <typename W>
void store_16bit(const float* w_new, const float* w_old, W* stored_block, W* compensation,
                 const Rounding& rounding, std::int64_t len, UpdateStats& stats) {
#if defined(__AVX512F__)
  switch (rounding.mode) {
    case RoundingMode::kNearestEven:
      return store_and_count<W, false>(w_new, w_old, stored_block, compensation, rounding, len, stats);
    case RoundingMode::kStochastic:
      return store_and_count<W, true>(w_new, w_old, stored_block, compensation, rounding, len, stats);
  }
#endif
  alignas(64) float stored[kUpdateBlock];
  store_passes(w_new, w_old, stored_block, compensation, rounding, len, stored);
  count_block(w_new, w_old, stored, len, stats);
}

}  // namespace

void store_updated_weights(const float* w_new, const float* w_old, Format weight_format,
                           void* weights, Format copy_format, void* working_copy,
                           const WeightRounding& how, std::int64_t begin, std::int64_t len,
                           UpdateStats& stats) {
  const auto n = static_cast<std::size_t>(len);
  if (working_copy != nullptr) {
    dispatch_format(copy_format, [&](auto tag) {
      using C = decltype(tag);
      from_float_array(w_new, static_cast<C*>(working_copy) + begin, n);
    });
  }
  dispatch_format(weight_format, [&](auto tag) {
    using W = decltype(tag);
    // fp32 weights were updated in place; rounding loses nothing there, so nothing is counted.
    if constexpr (!std::is_same_v<W, float>) {
      W* compensation = how.compensation ? static_cast<W*>(how.compensation) + begin : nullptr;
      store_16bit<W>(w_new, w_old, static_cast<W*>(weights) + begin, compensation,
                     how.rounding.starting_at(std::uint64_t(begin)), len, stats);
    }
  });
}

}  // namespace mixprec
