#include "cli/kernel_paths.hpp"

#include "kernels/matmul.hpp"
#include "nn/mlp.hpp"
#include "precision/precision.hpp"

namespace mixprec {

nlohmann::json kernel_paths_json() {
  nlohmann::json out = nlohmann::json::object();
  for (Precision p : all_precisions()) {
    const MatmulPath& path = matmul().path(policy_for(p).format(TensorRole::kWeight));
    // Whether this mode's products read the weights pre-packed (kernels/weight_pack.hpp,
    // nn/mlp.cpp), asked at the benchmark MLP's first layer; the weights go to the
    // products in fp32 where the path is emulated.
    const Format operands = matmul().operand_format(path.format);
    out[to_string(p)] = {{"matmul_format", to_string(path.format)},
                         {"path", path.native ? "native" : "emulated"},
                         {"implementation", path.impl},
                         {"subnormal_inputs_as_zero", path.subnormal_inputs_as_zero},
                         {"packed_weights", packs_operand(operands, 784, 512)}};
  }
  return out;
}

}  // namespace mixprec
