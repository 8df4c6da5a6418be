#pragma once
// The five precision modes of NUMERICS.md and what each one stores where (the policy).
// Only this folder and src/kernels/ should need to know which mode is running: the
// trainer asks the policy instead of branching on the mode.
#include <string>
#include <string_view>
#include <vector>

#include "precision/format.hpp"

namespace mixprec {

enum class Precision { kFp32, kFp16Mixed, kBf16Mixed, kFp16True, kBf16True };

enum class LossScaling { kNone, kStatic, kDynamic };

// What a mode does, row by row of the NUMERICS.md "Modes" table.
struct PrecisionPolicy {
  Precision precision;
  Format compute;             // weights used in matmuls, stored activations, gradients
  bool has_fp32_master;       // false for the -true modes: weights live in `compute` only
  Format optimizer_state;     // fp32 unless -true
  LossScaling default_loss_scaling;
};

PrecisionPolicy policy_for(Precision precision);

// Canonical name ("fp32", "fp16-mixed", ...).
std::string to_string(Precision precision);

// Accepts the canonical names and the aliases a Lightning user would type
// ("32", "32-true", "16", "16-mixed", "bf16", "16-true", ...). Throws UserError listing
// the valid names for anything else; `where` names the config key or flag.
Precision parse_precision(std::string_view text, std::string_view where = "precision");

const std::vector<Precision>& all_precisions();

}  // namespace mixprec
