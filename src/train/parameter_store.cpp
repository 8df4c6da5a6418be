#include "train/parameter_store.hpp"

#include <cstring>

#include "kernels/convert.hpp"

namespace mixprec {

ParameterStore::ParameterStore(const PrecisionPolicy& policy, const std::vector<float>& initial)
    : grads_(policy.compute, initial.size()) {
  if (policy.has_fp32_master) master_ = Buffer(Format::kF32, initial.size());
  if (policy.compute != Format::kF32) working_ = Buffer(policy.compute, initial.size());
  set_weights(initial);
}

void ParameterStore::set_weights(const std::vector<float>& values) {
  round_from_float(values.data(), updated().format(), updated().data(), values.size());
  cast_working_copy();
}

void ParameterStore::apply_update(Optimizer& optimizer, float lr, float grad_multiplier,
                                  UpdateStats* stats) {
  optimizer.step(updated().data(), grads_.data(), lr, grad_multiplier, stats,
                 has_copy() ? working_.data() : nullptr);
}

void ParameterStore::cast_working_copy() {
  if (has_copy())
    round_from_float(master_.as<float>(), working_.format(), working_.data(), master_.size());
}

std::vector<float> ParameterStore::weights_as_float() const {
  std::vector<float> out(size());
  convert_to_float(updated().format(), updated().data(), out.data(), out.size());
  return out;
}

}  // namespace mixprec
