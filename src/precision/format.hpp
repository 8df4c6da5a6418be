#pragma once
// Storage formats and the conversions between them. Rounding from fp32 is
// round-to-nearest-even (NUMERICS.md); Eigen 3.4's half and bfloat16 implement it and
// tests/precision pins their behaviour on every bit pattern.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>

#include <Eigen/Core>

namespace mixprec {

enum class Format { kF32, kF16, kBf16 };

using f16 = Eigen::half;
using bf16 = Eigen::bfloat16;

inline std::size_t bytes_per_value(Format f) { return f == Format::kF32 ? 4 : 2; }
std::string to_string(Format f);

// Round-to-nearest-even conversion of one value; the identity for float.
template <typename T>
inline T from_float(float x) { return static_cast<T>(x); }
template <>
inline float from_float<float>(float x) { return x; }

inline float to_float(float x) { return x; }
inline float to_float(f16 x) { return static_cast<float>(x); }
inline float to_float(bf16 x) { return static_cast<float>(x); }

// The value an fp32 number has after a round trip through format f.
inline float round_through(Format f, float x) {
  switch (f) {
    case Format::kF16: return static_cast<float>(f16(x));
    case Format::kBf16: return static_cast<float>(bf16(x));
    default: return x;
  }
}

// Range limits of a format, as fp32 values (std::numeric_limits of its storage type).
inline float largest_finite(Format f);
inline float smallest_subnormal(Format f);

template <typename T> struct FormatOf;
template <> struct FormatOf<float> { static constexpr Format value = Format::kF32; };
template <> struct FormatOf<f16> { static constexpr Format value = Format::kF16; };
template <> struct FormatOf<bf16> { static constexpr Format value = Format::kBf16; };

// Calls fn(T{}) with T the storage type of format f: the one place that turns a run-time
// format into a compile-time type.
template <typename Fn>
decltype(auto) dispatch_format(Format f, Fn&& fn) {
  switch (f) {
    case Format::kF16: return fn(f16{});
    case Format::kBf16: return fn(bf16{});
    default: return fn(float{});
  }
}

inline float largest_finite(Format f) {
  return dispatch_format(f, [](auto tag) { return float(std::numeric_limits<decltype(tag)>::max()); });
}

inline float smallest_subnormal(Format f) {
  return dispatch_format(f, [](auto tag) { return float(std::numeric_limits<decltype(tag)>::denorm_min()); });
}

}  // namespace mixprec
