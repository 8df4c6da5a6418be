// The format table: one row per element format (precision/format.hpp). Adding a format is
// adding a row here, an enumerator to Format, and its conversion loops (docs/development.md).
#include <cstring>

#include "common/error.hpp"
#include "precision/format.hpp"
#include "precision/fp8_convert.hpp"
#include "precision/round_loops.hpp"

namespace mixprec {
namespace {

void fp32_to_float(const FormatTraits&, const void* src, float* dst, std::size_t n) {
  if (src != dst) std::memmove(dst, src, n * sizeof(float));
}

// Rounding into fp32 is a copy: nothing can underflow or overflow; the values are counted.
void fp32_from_float(const FormatTraits&, const float* src, void* dst, std::size_t n,
                     const Rounding&, RoundStats* stats) {
  if (src != dst) std::memmove(dst, src, n * sizeof(float));
  if (stats) stats->values += n;
}

template <typename T>
void to_float_16(const FormatTraits&, const void* src, float* dst, std::size_t n) {
  to_float_array<T>(static_cast<const T*>(src), dst, n);
}

template <typename T>
void from_float_typed(const FormatTraits&, const float* src, void* dst, std::size_t n,
                      const Rounding& rounding, RoundStats* stats) {
  round_into<T>(src, static_cast<T*>(dst), n, rounding, stats);
}

// Rows in Format order. Limits from NUMERICS.md "Formats" and "8-bit formats"; the checkpoint
// codes 0-2 are those of checkpoint format versions 1 and 2 (docs/checkpoint.md), so old
// files still read. E4M3 is OCP's "E4M3FN" (no inf, S.1111.111 the only NaN); both FP8 rows
// saturate, as NUMERICS.md's casts do (E5M2 keeps its inf codes, which a cast never makes).
constexpr std::array<FormatTraits, kFormatCount> kTable = {{
    {"fp32", 32, 4, 8, 23, 127, 0x1.fffffep127f, 0x1p-126f, 0x1p-149f, SpecialValues::kInfAndNan,
     OverflowRule::kToInfinity, 0, fp32_to_float, fp32_from_float},
    {"fp16", 16, 2, 5, 10, 15, 65504.0f, 0x1p-14f, 0x1p-24f, SpecialValues::kInfAndNan,
     OverflowRule::kToInfinity, 1, to_float_16<f16>, from_float_typed<f16>},
    {"bf16", 16, 2, 8, 7, 127, 0x1.fep127f, 0x1p-126f, 0x1p-133f, SpecialValues::kInfAndNan,
     OverflowRule::kToInfinity, 2, to_float_16<bf16>, from_float_typed<bf16>},
    {"e4m3", 8, 1, 4, 3, 7, 448.0f, 0x1p-6f, 0x1p-9f, SpecialValues::kNanOnly,
     OverflowRule::kSaturate, 3, fp8_row_to_float, fp8_row_from_float},
    {"e5m2", 8, 1, 5, 2, 15, 57344.0f, 0x1p-14f, 0x1p-16f, SpecialValues::kInfAndNan,
     OverflowRule::kSaturate, 4, fp8_row_to_float, fp8_row_from_float},
}};

constexpr std::array<Format, kFormatCount> kFormats = {Format::kF32, Format::kF16, Format::kBf16,
                                                       Format::kE4m3, Format::kE5m2};

}  // namespace

const FormatTraits& traits(Format format) {
  const auto index = static_cast<std::size_t>(format);
  if (index >= kTable.size()) throw std::logic_error("traits: a value outside the Format enum");
  return kTable[index];
}

const std::array<Format, kFormatCount>& all_formats() { return kFormats; }

Format parse_format(std::string_view name, std::string_view where) {
  std::string names;
  for (Format f : kFormats) {
    if (traits(f).name == name) return f;
    names += (names.empty() ? "" : ", ") + std::string(traits(f).name);
  }
  fail("{}: unknown format \"{}\"; expected one of {}", where, name, names);
}

std::optional<Format> format_from_checkpoint_code(std::uint8_t code) {
  for (Format f : kFormats)
    if (traits(f).checkpoint_code == code) return f;
  return std::nullopt;
}

}  // namespace mixprec
