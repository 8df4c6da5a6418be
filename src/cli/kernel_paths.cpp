#include "cli/kernel_paths.hpp"

#include "kernels/matmul.hpp"
#include "precision/precision.hpp"

namespace mixprec {

nlohmann::json kernel_paths_json() {
  nlohmann::json out = nlohmann::json::object();
  for (Precision p : all_precisions()) {
    const MatmulPath& path = matmul().path(policy_for(p).compute);
    out[to_string(p)] = {{"matmul_format", to_string(path.format)},
                         {"path", path.native ? "native" : "emulated"},
                         {"implementation", path.impl},
                         {"subnormal_inputs_as_zero", path.subnormal_inputs_as_zero}};
  }
  return out;
}

}  // namespace mixprec
