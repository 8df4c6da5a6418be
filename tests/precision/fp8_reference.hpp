#pragma once
// The OCP FP8 tables of ../shared/reference (fp8_e4m3.csv, fp8_e5m2.csv: every code's value,
// written from the OFP8 spec's formulas, not from mixprec's code) and the cast NUMERICS.md
// defines, computed from them alone: the nearest code by exact comparison, ties to the even
// code, +-max beyond the largest finite value (infinities too), NaN kept. Test code.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

namespace mixprec::test {

struct Fp8Code {
  std::uint8_t code = 0;
  std::string kind;  // zero, subnormal, normal, inf, nan
  double value = 0;  // -0.0 for "-0"; +-inf; NaN
};

class Fp8Table {
 public:
  // name: "e4m3" or "e5m2". A missing or malformed file fails the test that reads it: the
  // tables are inputs of the tests, not optional data.
  explicit Fp8Table(const std::string& name) {
    const std::string path = std::string(MIXPREC_SOURCE_DIR) + "/../shared/reference/fp8_" + name + ".csv";
    std::ifstream in(path);
    if (!in) {
      ADD_FAILURE() << "cannot read " << path << " (the OCP FP8 reference table; hint: the "
                    << "repository's sibling folder shared/reference)";
      return;
    }
    std::string line;
    std::getline(in, line);
    EXPECT_EQ(line, "code_hex,sign,exponent_field,mantissa_field,kind,value_exact,value") << path;
    while (std::getline(in, line)) {
      std::vector<std::string> f;
      std::stringstream ss(line);
      for (std::string cell; std::getline(ss, cell, ',');) f.push_back(cell);
      if (f.size() != 7) {
        ADD_FAILURE() << path << ": malformed line " << line;
        continue;
      }
      Fp8Code c;
      c.code = std::uint8_t(std::stoul(f[0], nullptr, 16));
      c.kind = f[4];
      c.value = parse_value(f[6]);
      // The exact fraction and the %.17g column agree (both written from the spec).
      if (std::isfinite(c.value)) {
        EXPECT_EQ(parse_fraction(f[5]), c.value) << path << ": " << line;
      }
      codes_.push_back(c);
    }
    EXPECT_EQ(codes_.size(), 256u) << path;
    for (std::size_t i = 0; i < codes_.size(); ++i) EXPECT_EQ(codes_[i].code, i) << path;
    for (const Fp8Code& c : codes_)
      if (c.code < 0x80 && std::isfinite(c.value)) positive_.push_back(c);  // ascending codes = ascending values
  }

  bool loaded() const { return codes_.size() == 256; }
  const Fp8Code& operator[](std::size_t code) const { return codes_[code]; }
  // The finite non-negative values, ascending (codes 0x00 up to the largest finite).
  const std::vector<Fp8Code>& positive() const { return positive_; }
  double largest() const { return positive_.back().value; }

  // The code NUMERICS.md's cast gives x (x already scaled); for NaN, one of the NaN codes
  // of x's sign (the test checks the kind and the sign).
  std::uint8_t cast(float x) const {
    const std::uint8_t sign = std::signbit(x) ? 0x80 : 0x00;
    if (std::isnan(x)) {
      for (const Fp8Code& c : codes_)
        if (c.kind == "nan" && (c.code & 0x80) == sign) return c.code;
    }
    const double a = std::fabs(double(x));
    if (a > largest()) return sign | positive_.back().code;  // saturation, +-inf included
    std::size_t hi = 0;
    while (positive_[hi].value < a) ++hi;  // the first value >= a
    if (positive_[hi].value == a || hi == 0) return sign | positive_[hi].code;
    const Fp8Code& lo = positive_[hi - 1];
    const Fp8Code& up = positive_[hi];
    // 2a against lo + hi: both exact in double (lo and hi are short dyadic numbers).
    const double twice = 2.0 * a, sum = lo.value + up.value;
    if (twice < sum) return sign | lo.code;
    if (twice > sum) return sign | up.code;
    return sign | ((lo.code & 1) == 0 ? lo.code : up.code);  // tie: the even significand
  }

 private:
  static double parse_value(const std::string& s) {
    if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
    if (s == "inf") return std::numeric_limits<double>::infinity();
    if (s == "-inf") return -std::numeric_limits<double>::infinity();
    if (s == "-0") return -0.0;
    return std::strtod(s.c_str(), nullptr);
  }

  static double parse_fraction(const std::string& s) {
    const std::size_t slash = s.find('/');
    if (s == "-0") return -0.0;
    if (slash == std::string::npos) return std::strtod(s.c_str(), nullptr);
    return std::strtod(s.substr(0, slash).c_str(), nullptr) / std::strtod(s.substr(slash + 1).c_str(), nullptr);
  }

  std::vector<Fp8Code> codes_;
  std::vector<Fp8Code> positive_;
};

}  // namespace mixprec::test
