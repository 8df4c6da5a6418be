#include "train/precision_warnings.hpp"

#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "config/config_enums.hpp"

namespace mixprec {
namespace {

// The largest |x| of a split and the input it is in.
struct Peak {
  float value = 0.0f;
  Eigen::Index input = 0;
};

Peak largest_input(const Dataset& d) {
  Peak p;
  for (Eigen::Index r = 0; r < d.x.rows(); ++r)
    for (Eigen::Index j = 0; j < d.x.cols(); ++j)
      if (std::abs(d.x(r, j)) > p.value) p = {std::abs(d.x(r, j)), j};
  return p;
}

}  // namespace

std::vector<std::string> precision_warnings(const Config& cfg, const DataSplits& data) {
  std::vector<std::string> out;
  const PrecisionPolicy policy = policy_for(cfg.precision);
  const std::string mode = to_string(cfg.precision);

  // Adam's second moment v = E[g^2] is tiny; stored in 16 bits it rounds to 0 while the
  // first moment m does not, and the update lr * m / (sqrt(v) + eps) is then lr * m / eps.
  const bool adam = cfg.optimizer.kind != OptimizerKind::kSgd;
  if (adam) {
    const float tiny = smallest_subnormal(policy.optimizer_state);
    if (cfg.optimizer.eps < tiny) {
      out.push_back(fmt::format(
          "optimizer.eps = {:g} is below {}'s smallest subnormal ({:.3g}): in {} Adam's exp_avg_sq is "
          "stored in {}, where every value below {:.3g} rounds to 0, and then an update is lr * m / eps, "
          "up to {:.0e} times lr * m; use optimizer.eps >= {:.2g} (sqrt of {:.3g}: the smallest sqrt(v) a "
          "stored nonzero v gives)", cfg.optimizer.eps, to_string(policy.optimizer_state), tiny, mode,
          to_string(policy.optimizer_state), tiny, 1.0 / std::max(cfg.optimizer.eps, 1e-30),
          std::sqrt(double(tiny)), tiny));
    }
  }

  // Inputs are rounded to the compute format before the first product. A format with
  // fp32's range cannot overflow on a parsed input: no pass over the data for it.
  if (const float max = largest_finite(policy.format(TensorRole::kInput)); max < std::numeric_limits<float>::max()) {
    for (const Dataset* split : {&data.train, &data.test}) {
      const Peak p = largest_input(*split);
      if (p.value <= max) continue;
      const std::vector<std::string> names = data.encoding.features.input_names();
      const std::string input = std::size_t(p.input) < names.size()
                                    ? fmt::format("input '{}'", names[std::size_t(p.input)])
                                    : fmt::format("input {}", p.input);
      out.push_back(fmt::format(
          "{} reaches {:.3g} in the {} split, beyond {}'s largest value {:g}: {} rounds such inputs "
          "to inf before the first layer (hint: {})", input, p.value,
          split == &data.train ? "training" : "test", to_string(policy.format(TensorRole::kInput)), max, mode,
          cfg.data.normalize == Normalize::kNone
              ? "set data.normalize to \"scale\" or \"standardize\""
              : "the test values lie far outside the training split's range; check the test data"));
      break;
    }
  }
  return out;
}

}  // namespace mixprec
