#pragma once
// The format table and the mode table (src/precision/) as `mixprec info` shows them: JSON
// arrays for `info --json`, and text tables.
#include <string>

#include <nlohmann/json.hpp>

namespace mixprec {

// One object per row: name, bits, exponent_bits, mantissa_bits, bias, largest_finite,
// smallest_normal, smallest_subnormal, inf_nan, overflow, storage_bytes, checkpoint_code.
nlohmann::json formats_json();
// One object per row: name, aliases, formats (per tensor role), master_weights,
// optimizer_state, accumulate, loss_scaling, checkpoint_code.
nlohmann::json modes_json();

std::string formats_text(const nlohmann::json& formats);
std::string modes_text(const nlohmann::json& modes);

}  // namespace mixprec
