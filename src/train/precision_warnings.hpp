#pragma once
// Checks made before training: values a run would feed into 16-bit storage that the
// mode's format cannot hold, each as a one-line warning that says what would work.
#include <string>
#include <vector>

#include "config/config.hpp"
#include "data/load_data.hpp"

namespace mixprec {

std::vector<std::string> precision_warnings(const Config& cfg, const DataSplits& data);

}  // namespace mixprec
