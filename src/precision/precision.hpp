#pragma once
// The precision modes as data: one row per mode in a table (mode_table.cpp), giving the
// format of each tensor role, the master weights, the optimizer state, the accumulation and
// the default loss scaling (NUMERICS.md "Modes"). The row is the mode's policy: the trainer,
// the network and the parameter store ask it what to store where instead of branching on
// the mode. docs/development.md says how to add a mode.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "precision/format.hpp"
#include "precision/tensor_role.hpp"

namespace mixprec {

// The modes this build knows: an index into the table, in row order.
enum class Precision { kFp32, kFp16Mixed, kBf16Mixed, kFp16True, kBf16True };
inline constexpr std::size_t kPrecisionCount = 5;

enum class LossScaling { kNone, kStatic, kDynamic };

// One format per tensor role, indexed by TensorRole.
using RoleFormats = std::array<Format, kTensorRoleCount>;
constexpr RoleFormats all_roles(Format f) { return {f, f, f, f, f}; }

struct ModeTraits {
  Precision precision;
  std::string_view name;                    // canonical: "fp32", "bf16-mixed", ...
  std::array<std::string_view, 3> aliases;  // Lightning's spellings; "" where fewer
  RoleFormats roles;
  std::optional<Format> master;             // the master weights' format; none: -true modes
  Format optimizer_state;
  Format accumulate;                        // matmul accumulation, logits, loss, softmax
  LossScaling default_loss_scaling;
  std::uint8_t checkpoint_code;             // stable: a checkpoint stores it

  Format format(TensorRole role) const { return roles[static_cast<std::size_t>(role)]; }
  bool has_master() const { return master.has_value(); }
  // The format of the weights the optimizer updates: the master, else the stored weights.
  Format update_format() const { return master.value_or(format(TensorRole::kWeight)); }
  // Whether some role is narrower than the accumulation format (a mode with rounding
  // statistics to report).
  bool rounds_any_role() const;
};
using PrecisionPolicy = ModeTraits;

// The row of a mode.
const ModeTraits& policy_for(Precision precision);
const std::array<Precision, kPrecisionCount>& all_precisions();

std::string to_string(Precision precision);

// Accepts the table's names and aliases ("32", "16-mixed", "bf16", ...). Throws UserError
// listing the valid names for anything else; `where` names the config key or flag.
Precision parse_precision(std::string_view text, std::string_view where = "precision");
std::optional<Precision> precision_from_checkpoint_code(std::uint8_t code);

}  // namespace mixprec
