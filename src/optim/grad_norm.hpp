#pragma once
// Reductions over a flat gradient buffer, for the loss scaler's overflow check and for
// gradient clipping.
#include <cstddef>

#include "precision/format.hpp"

namespace mixprec {

// sqrt(sum_i (g_i * grad_multiplier)^2), each product in fp32 (as the optimizer sees it),
// squares accumulated in double. The sum runs over fixed blocks of 4096 values (eight
// lanes each), combined in block order: in parallel, and bit-identical whatever the thread
// count. An inf or NaN gradient gives inf or NaN.
double grad_norm(const void* grads, Format grad_format, std::size_t n, float grad_multiplier);

// True when none of the n values is inf or NaN (a parallel scan of the exponent bits).
bool all_finite(const void* grads, Format grad_format, std::size_t n);

}  // namespace mixprec
