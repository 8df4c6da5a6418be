#pragma once
// Element formats as data: one row per format in a traits table (ggml's type_traits[] is
// the model; STYLE.md "Where new formats and rounding modes go"). Statistics, memory
// accounting, checkpoints, `compare`, `bench` and `mixprec info` read the row instead of
// switching on the format. docs/development.md says how to add a row.
//
// Rounding from fp32 is round-to-nearest-even (NUMERICS.md "Formats"); Eigen 3.4's half
// and bfloat16 implement it for the scalar code, and tests/precision pins every row's
// vector loops to a scalar reference that rounds from the row's widths alone.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <Eigen/Core>

#include "precision/round_stats.hpp"
#include "precision/rounding.hpp"

namespace mixprec {

// The formats this build knows: an index into the table (format_table.cpp), in row order.
// kE4m3 and kE5m2 are OCP FP8 (NUMERICS.md "8-bit formats"): storage formats whose products
// run on a carrier, so they have no storage type for the kernels (has_storage_type).
enum class Format { kF32, kF16, kBf16, kE4m3, kE5m2 };
inline constexpr std::size_t kFormatCount = 5;

// Which codes are not finite numbers.
enum class SpecialValues {
  kInfAndNan,  // IEEE 754: exponent all ones is inf (mantissa 0) or NaN
  kNanOnly,    // OCP E4M3 ("FN"): no inf; only S.1111.111 is NaN
};
// What rounding does to a finite value beyond the largest finite one.
enum class OverflowRule {
  kToInfinity,  // IEEE 754 nearest rounding
  kSaturate,    // +-largest finite (OCP FP8 casts), counted as overflow
};

struct FormatTraits;
// n values of the row's format at src, widened exactly to fp32. Serial; vectorised per ISA.
using ToFloatFn = void (*)(const FormatTraits& row, const void* src, float* dst, std::size_t n);
// n fp32 values rounded into the row's format as `rounding` says; stats (may be null) gets
// what the rounding did, counted in the same pass. Serial; vectorised per ISA.
using FromFloatFn = void (*)(const FormatTraits& row, const float* src, void* dst, std::size_t n,
                             const Rounding& rounding, RoundStats* stats);

struct FormatTraits {
  std::string_view name;         // as configs, logs and checkpoints spell it
  int bits;                      // 1 + exponent_bits + mantissa_bits
  int storage_bytes;             // bytes per value in memory and in checkpoints
  int exponent_bits;
  int mantissa_bits;             // stored fraction bits (the leading 1 is implicit)
  int bias;                      // exponent bias: value = 2^(e - bias) * 1.f for normals
  float largest_finite;
  float smallest_normal;
  float smallest_subnormal;
  SpecialValues special;
  OverflowRule overflow;
  std::uint8_t checkpoint_code;  // stable: a checkpoint stores it (docs/checkpoint.md)
  ToFloatFn to_float;
  FromFloatFn from_float;

  std::size_t bytes_for(std::size_t values) const { return values * std::size_t(storage_bytes); }
};

// The row of a format this build knows.
const FormatTraits& traits(Format format);
const std::array<Format, kFormatCount>& all_formats();

inline std::size_t bytes_per_value(Format f) { return std::size_t(traits(f).storage_bytes); }
inline std::string to_string(Format f) { return std::string(traits(f).name); }
inline float largest_finite(Format f) { return traits(f).largest_finite; }
inline float smallest_subnormal(Format f) { return traits(f).smallest_subnormal; }

// The format a name or a checkpoint code stands for. parse_format throws UserError naming
// `where` and listing the table's names; the code lookup returns nothing for an unknown code.
Format parse_format(std::string_view name, std::string_view where);
std::optional<Format> format_from_checkpoint_code(std::uint8_t code);

// Compile-time storage types of the formats with vector loops, for the templated kernels.
using f16 = Eigen::half;
using bf16 = Eigen::bfloat16;

template <typename T> struct FormatOf;
template <> struct FormatOf<float> { static constexpr Format value = Format::kF32; };
template <> struct FormatOf<f16> { static constexpr Format value = Format::kF16; };
template <> struct FormatOf<bf16> { static constexpr Format value = Format::kBf16; };

// The format of C++ float, which the kernels write: accumulators, logits, operands widened
// for a product without a native kernel.
inline constexpr Format kFloatFormat = FormatOf<float>::value;

// Round-to-nearest-even conversion of one value; the identity for float.
template <typename T>
inline T from_float(float x) { return static_cast<T>(x); }
template <>
inline float from_float<float>(float x) { return x; }

inline float to_float(float x) { return x; }
inline float to_float(f16 x) { return static_cast<float>(x); }
inline float to_float(bf16 x) { return static_cast<float>(x); }

// The 8-bit format of weights where a mode or comparison quantises them: E4M3 in every FP8
// recipe (NUMERICS.md "8-bit formats"; Transformer Engine's HYBRID and E4M3 alike).
inline constexpr Format kFp8WeightFormat = Format::kE4m3;

// Whether format f has a compile-time storage type (dispatch_format): the formats the
// kernels (matmul, MLP, inference, bench's products) run in. The FP8 rows do not: NUMERICS.md
// "Kernels" multiplies them on a bf16 or fp32 carrier, never as a type of their own, so the
// loops over all_formats() that run kernels skip them.
constexpr bool has_storage_type(Format f) {
  switch (f) {
    case Format::kF32:
    case Format::kF16:
    case Format::kBf16: return true;
    case Format::kE4m3:
    case Format::kE5m2: return false;
  }
  return false;  // unreachable: -Werror=switch lists a new format above
}

// Calls fn(T{}) with T the storage type of format f: the one place that turns a run-time
// format into a compile-time type, for the kernels templated on it. A format without a
// storage type here (no templated kernels: has_storage_type) is a logic error the caller names.
template <typename Fn>
decltype(auto) dispatch_format(Format f, Fn&& fn) {
  switch (f) {
    case Format::kF32: return fn(float{});
    case Format::kF16: return fn(f16{});
    case Format::kBf16: return fn(bf16{});
    case Format::kE4m3:
    case Format::kE5m2: break;
  }
  throw std::logic_error("dispatch_format: " + to_string(f) + " has no storage type for the "
                         "kernels (an FP8 row: its products run on a carrier)");
}

}  // namespace mixprec
