#include "nn/init.hpp"

#include <cmath>
#include <random>

namespace mixprec {
namespace {

// Uniform in (0, 1] from the top 53 bits, then Box-Muller.
class NormalGenerator {
 public:
  explicit NormalGenerator(std::uint64_t seed) : rng_(seed) {}
  double next() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double u1 = (double(rng_() >> 11) + 1.0) * 0x1.0p-53;
    const double u2 = double(rng_() >> 11) * 0x1.0p-53;
    const double r = std::sqrt(-2.0 * std::log(u1));
    spare_ = r * std::sin(2.0 * M_PI * u2);
    has_spare_ = true;
    return r * std::cos(2.0 * M_PI * u2);
  }

 private:
  std::mt19937_64 rng_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace

std::vector<float> initial_parameters(const ParamLayout& layout, Activation act, Init init,
                                      std::uint64_t seed) {
  if (init == Init::kAuto) init = act == Activation::kTanh ? Init::kXavier : Init::kHe;
  std::vector<float> params(layout.size(), 0.0f);
  NormalGenerator normal(seed);
  for (const auto& l : layout.layers()) {
    const double std_dev = init == Init::kHe ? std::sqrt(2.0 / l.in)
                                             : std::sqrt(2.0 / (l.in + l.out));
    for (std::size_t i = 0; i < std::size_t(l.in) * l.out; ++i)
      params[l.w_offset + i] = float(normal.next() * std_dev);
  }
  return params;
}

}  // namespace mixprec
