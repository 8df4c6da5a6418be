#include "precision/precision.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "common/error.hpp"

namespace mixprec {

std::string to_string(Format f) {
  switch (f) {
    case Format::kF16: return "fp16";
    case Format::kBf16: return "bf16";
    default: return "fp32";
  }
}

PrecisionPolicy policy_for(Precision p) {
  switch (p) {
    case Precision::kFp16Mixed:
      return {p, Format::kF16, true, Format::kF32, LossScaling::kDynamic};
    case Precision::kBf16Mixed:
      return {p, Format::kBf16, true, Format::kF32, LossScaling::kNone};
    case Precision::kFp16True:
      return {p, Format::kF16, false, Format::kF16, LossScaling::kDynamic};
    case Precision::kBf16True:
      return {p, Format::kBf16, false, Format::kBf16, LossScaling::kNone};
    default:
      return {p, Format::kF32, true, Format::kF32, LossScaling::kNone};
  }
}

std::string to_string(Precision p) {
  switch (p) {
    case Precision::kFp16Mixed: return "fp16-mixed";
    case Precision::kBf16Mixed: return "bf16-mixed";
    case Precision::kFp16True: return "fp16-true";
    case Precision::kBf16True: return "bf16-true";
    default: return "fp32";
  }
}

const std::vector<Precision>& all_precisions() {
  static const std::vector<Precision> all = {Precision::kFp32, Precision::kFp16Mixed,
                                             Precision::kBf16Mixed, Precision::kFp16True,
                                             Precision::kBf16True};
  return all;
}

Precision parse_precision(std::string_view text, std::string_view where) {
  // Canonical names first, then Lightning's spellings (Trainer(precision=...)).
  static const std::array<std::pair<std::string_view, Precision>, 14> names = {{
      {"fp32", Precision::kFp32},
      {"fp16-mixed", Precision::kFp16Mixed},
      {"bf16-mixed", Precision::kBf16Mixed},
      {"fp16-true", Precision::kFp16True},
      {"bf16-true", Precision::kBf16True},
      {"32", Precision::kFp32},
      {"32-true", Precision::kFp32},
      {"float32", Precision::kFp32},
      {"16", Precision::kFp16Mixed},
      {"16-mixed", Precision::kFp16Mixed},
      {"bf16", Precision::kBf16Mixed},
      {"16-true", Precision::kFp16True},
      {"fp16", Precision::kFp16Mixed},
      {"bfloat16", Precision::kBf16Mixed},
  }};
  for (const auto& [name, value] : names)
    if (name == text) return value;
  fail("{}: unknown precision \"{}\"; expected one of fp32, fp16-mixed, bf16-mixed, fp16-true, "
       "bf16-true (aliases: 32, 32-true, float32 for fp32; 16, 16-mixed, fp16 for fp16-mixed; "
       "bf16, bfloat16 for bf16-mixed; 16-true for fp16-true)",
       where, text);
}

}  // namespace mixprec
