#include "optim/grad_norm.hpp"

#include <cmath>

namespace mixprec {

double grad_norm(const void* grads, Format grad_format, std::size_t n, float grad_multiplier) {
  return dispatch_format(grad_format, [&](auto tag) {
    using G = decltype(tag);
    const G* g = static_cast<const G*>(grads);
    double sum = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      const double x = to_float(g[i]) * grad_multiplier;
      sum += x * x;
    }
    return std::sqrt(sum);
  });
}

bool all_finite(const void* grads, Format grad_format, std::size_t n) {
  return dispatch_format(grad_format, [&](auto tag) {
    using G = decltype(tag);
    const G* g = static_cast<const G*>(grads);
    // No early exit: a branch-free scan vectorises, and the common case is all finite.
    bool finite = true;
    for (std::size_t i = 0; i < n; ++i) finite &= std::isfinite(to_float(g[i]));
    return finite;
  });
}

}  // namespace mixprec
