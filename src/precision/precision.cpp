// The mode table (precision/precision.hpp), row by row of NUMERICS.md "Modes".
#include "precision/precision.hpp"

#include "common/error.hpp"

namespace mixprec {
namespace {

constexpr Format kF32 = Format::kF32, kF16 = Format::kF16, kBf16 = Format::kBf16;

// Rows in Precision order. The checkpoint codes are those of checkpoint format versions 1
// and 2 (docs/checkpoint.md), so old files still read.
const std::array<ModeTraits, kPrecisionCount> kTable = {{
    {Precision::kFp32, "fp32", {"32", "32-true", "float32"}, all_roles(kF32), kF32, kF32, kF32,
     LossScaling::kNone, 0},
    {Precision::kFp16Mixed, "fp16-mixed", {"16", "16-mixed", "fp16"}, all_roles(kF16), kF32, kF32,
     kF32, LossScaling::kDynamic, 1},
    {Precision::kBf16Mixed, "bf16-mixed", {"bf16", "bfloat16", ""}, all_roles(kBf16), kF32, kF32,
     kF32, LossScaling::kNone, 2},
    {Precision::kFp16True, "fp16-true", {"16-true", "", ""}, all_roles(kF16), std::nullopt, kF16,
     kF32, LossScaling::kDynamic, 3},
    {Precision::kBf16True, "bf16-true", {"", "", ""}, all_roles(kBf16), std::nullopt, kBf16, kF32,
     LossScaling::kNone, 4},
}};

constexpr std::array<Precision, kPrecisionCount> kPrecisions = {
    Precision::kFp32, Precision::kFp16Mixed, Precision::kBf16Mixed, Precision::kFp16True,
    Precision::kBf16True};

}  // namespace

bool ModeTraits::rounds_any_role() const {
  for (Format f : roles)
    if (traits(f).bits < traits(accumulate).bits) return true;
  return false;
}

const ModeTraits& policy_for(Precision precision) {
  const auto index = static_cast<std::size_t>(precision);
  if (index >= kTable.size()) throw std::logic_error("policy_for: a value outside the Precision enum");
  return kTable[index];
}

const std::array<Precision, kPrecisionCount>& all_precisions() { return kPrecisions; }

std::string to_string(Precision precision) { return std::string(policy_for(precision).name); }

Precision parse_precision(std::string_view text, std::string_view where) {
  // Canonical names first, then the aliases, as the table lists them.
  for (const ModeTraits& mode : kTable)
    if (mode.name == text) return mode.precision;
  for (const ModeTraits& mode : kTable)
    for (std::string_view alias : mode.aliases)
      if (!alias.empty() && alias == text) return mode.precision;
  std::string names, aliases;
  for (const ModeTraits& mode : kTable) {
    names += (names.empty() ? "" : ", ") + std::string(mode.name);
    std::string mine;
    for (std::string_view alias : mode.aliases)
      if (!alias.empty()) mine += (mine.empty() ? "" : ", ") + std::string(alias);
    if (!mine.empty()) aliases += (aliases.empty() ? "" : "; ") + mine + " for " + std::string(mode.name);
  }
  fail("{}: unknown precision \"{}\"; expected one of {} (aliases: {})", where, text, names, aliases);
}

std::optional<Precision> precision_from_checkpoint_code(std::uint8_t code) {
  for (const ModeTraits& mode : kTable)
    if (mode.checkpoint_code == code) return mode.precision;
  return std::nullopt;
}

}  // namespace mixprec
