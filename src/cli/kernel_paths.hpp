#pragma once
// For each precision, which matmul path runs on this machine ("native" or "emulated") and
// the implementation oneDNN chose: part of every run_start record and of `mixprec info`.
#include <nlohmann/json.hpp>

namespace mixprec {

nlohmann::json kernel_paths_json();

}  // namespace mixprec
