#pragma once
// Initial parameter values from the seed: He (normal, std sqrt(2/in)) or Xavier (normal,
// std sqrt(2/(in+out))) weights, zero biases. Our own normal generator on mt19937_64, because
// std::normal_distribution differs between standard libraries and runs must reproduce.
#include <cstdint>
#include <vector>

#include "config/config.hpp"
#include "nn/param_layout.hpp"

namespace mixprec {

std::vector<float> initial_parameters(const ParamLayout& layout, Activation act, Init init,
                                      std::uint64_t seed);

}  // namespace mixprec
