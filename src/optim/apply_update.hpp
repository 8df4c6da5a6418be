#pragma once
// The one place where an optimizer update reaches the weights. Each update rule
// (optimizer.cpp) computes, in fp32, the update u of an element from its gradient, its state
// and its weight; the apply step turns it into the new weight
//     w_new = mul_add(scale, u, w * weight_factor)
// (add_update), rounds w_new into the stored format, rewrites the mixed modes' 16-bit working
// copy from it and counts the lost updates (NUMERICS.md "Statistics") (store_updated_weights),
// one block of values at a time.
//
// The form reproduces the rounding of each rule as PyTorch orders it:
//   SGD    u = d (the momentum/Nesterov direction), scale = -lr, weight_factor = 1:
//          w - lr*d in one rounding where the build has FMA (param.add_(d, alpha=-lr)).
//   Adam   u = lr * mhat / (sqrt(vhat) + eps), scale = -1, weight_factor = 1:
//          w - u, one rounding (-1 * u and w * 1 are exact).
//   AdamW  as Adam with weight_factor = 1 - lr * weight_decay: the decayed weight is rounded
//          on its own first (param.mul_ before addcdiv_), then u is subtracted.
// tests/optim/optimizer_reference_test.cpp pins these roundings against a scalar loop.
//
// The remedies of NUMERICS.md "Beyond nearest rounding" live here, not in the rules: the
// rounding of w_new into 16-bit weights may be stochastic (keyed by each value's element
// offset, begin + i), and a Kahan compensation c (one more buffer, in the weights' format)
// may carry what rounding lost into the next step:
//     y = (w_new - w) - c;  t = round(w + y);  c = (t - w) - y;  w = t
// with t the stored 16-bit value (its rounding is the loss c carries), all in fp32 from
// the stored values, and c rounded to nearest into its buffer.
#include <cstdint>

#include "optim/mul_add.hpp"
#include "precision/format.hpp"
#include "precision/rounding.hpp"

namespace mixprec {

// Values per block: the unit of OpenMP work and of the fp32 scratch copies of 16-bit
// storage (a few KiB of stack per thread, so the copies stay in L1).
inline constexpr std::int64_t kUpdateBlock = 512;

// What rounding did to the weight updates. Only counted when weights are 16-bit (the -true
// modes); with fp32 weights nothing is counted. Counters are added to, so one UpdateStats
// can collect an epoch.
struct UpdateStats {
  std::uint64_t nonzero_updates = 0;  // elements whose fp32 new weight != fp32 old weight
  std::uint64_t lost_updates = 0;     // ...of which the stored 16-bit weight did not change
  // Over every element: the intended update d = w_new - w (fp32) against the applied one,
  // a = stored new weight - stored old weight. sum |d|, sum |a - d|, sum sign(d) (a - d).
  double intended_abs = 0.0;
  double error_abs = 0.0;
  double error_signed = 0.0;

  UpdateStats& operator+=(const UpdateStats& o) {
    nonzero_updates += o.nonzero_updates;
    lost_updates += o.lost_updates;
    intended_abs += o.intended_abs;
    error_abs += o.error_abs;
    error_signed += o.error_signed;
    return *this;
  }
};

// How w_new reaches 16-bit weights (see the top of this file).
struct WeightRounding {
  Rounding rounding;              // nearest, or stochastic keyed for the weights at this step
  void* compensation = nullptr;   // null, or Kahan's c: num_params values of the weight format
};

// How a rule's update u becomes the new weight (see the top of this file).
struct UpdateForm {
  float scale = -1.0f;
  float weight_factor = 1.0f;  // exactly 1 unless the rule decays the weight first
};

// The loop of add_update, for a weight_factor that is exactly 1 (kScaled false: the
// product w * 1 is exact, so leaving it out changes no bit and saves the multiply in a loop
// that is bound by the vector units) or any other (kScaled true).
template <bool kScaled, class Update>
inline void add_update_loop(float scale, float factor, const Update& update, const float* w_old,
                            float* w_new, std::int64_t len) {
  const auto decayed = [factor](float w) { return kScaled ? w * factor : w; };
  if (w_new == w_old) {  // one pointer, so the compiler sees each element read, then written
    for (std::int64_t i = 0; i < len; ++i) {
      const float w = w_new[i];
      w_new[i] = mul_add(scale, update(i, w), decayed(w));
    }
  } else {
    for (std::int64_t i = 0; i < len; ++i) {
      const float w = w_old[i];
      w_new[i] = mul_add(scale, update(i, w), decayed(w));
    }
  }
}

// The new fp32 weights of one block of len <= kUpdateBlock values:
//   w_new[i] = mul_add(form.scale, update(i, w_old[i]), w_old[i] * form.weight_factor)
// update(i, w) is the rule's update of element i given its weight before the step; it is
// inlined here, so the rule's arithmetic and this run in one pass over the block. w_new is
// w_old for fp32 weights (updated in place), else a separate fp32 block. `w * factor` is a
// product of its own (an argument of mul_add, never fused with the addition).
template <class Update>
inline void add_update(const UpdateForm& form, const Update& update, const float* w_old,
                       float* w_new, std::int64_t len) {
  if (form.weight_factor == 1.0f) add_update_loop<false>(form.scale, 1.0f, update, w_old, w_new, len);
  else add_update_loop<true>(form.scale, form.weight_factor, update, w_old, w_new, len);
}

// Stores the block [begin, begin + len) that add_update computed:
//   weights:      num_params values of weight_format. fp32 weights already hold w_new (it
//                 was the storage); 16-bit weights get w_new rounded as `how` says, and
//                 the block is counted: a moved value is lost when the stored weight did
//                 not change.
//   working_copy: null, or the mixed modes' 16-bit copy (num_params values of copy_format),
//                 whose block is rewritten with the rounding of each new fp32 weight.
// Adds this block's counts to `stats`. Each value is computed on its own, so the result does
// not depend on how the caller splits the work into blocks.
void store_updated_weights(const float* w_new, const float* w_old, Format weight_format,
                           void* weights, Format copy_format, void* working_copy,
                           const WeightRounding& how, std::int64_t begin, std::int64_t len,
                           UpdateStats& stats);

}  // namespace mixprec
