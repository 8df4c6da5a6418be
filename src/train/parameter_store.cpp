#include "train/parameter_store.hpp"

#include <cstring>

#include "precision/convert.hpp"

namespace mixprec {

ParameterStore::ParameterStore(const PrecisionPolicy& policy, const std::vector<float>& initial)
    : grads_(policy.format(TensorRole::kWeightGrad), initial.size()) {
  // The master weights where the mode keeps them, and a copy in the weight role's format
  // where that differs: the copy is all a -true mode has.
  const Format weights = policy.format(TensorRole::kWeight);
  if (policy.master) master_ = Buffer(*policy.master, initial.size());
  if (!policy.master || *policy.master != weights) working_ = Buffer(weights, initial.size());
  set_weights(initial);
}

void ParameterStore::set_weights(const std::vector<float>& values) {
  round_from_float(values.data(), updated().format(), updated().data(), values.size(),
                   kNearestEven, nullptr);
  cast_working_copy();
}

void ParameterStore::apply_update(Optimizer& optimizer, float lr, float grad_multiplier,
                                  UpdateStats* stats) {
  optimizer.step(updated().data(), grads_.data(), lr, grad_multiplier, stats,
                 has_copy() ? working_.data() : nullptr);
}

void ParameterStore::cast_working_copy() {
  if (has_copy())
    round_from_float(master_.as<float>(), working_.format(), working_.data(), master_.size(),
                     kNearestEven, nullptr);
}

std::vector<float> ParameterStore::weights_as_float() const {
  std::vector<float> out(size());
  convert_to_float(updated().format(), updated().data(), out.data(), out.size());
  return out;
}

}  // namespace mixprec
