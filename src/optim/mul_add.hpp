#pragma once
// a * b + c, written out so that the optimizer's rounding does not depend on what the
// compiler chooses to fuse.
//
// GCC contracts a * b + c into one fused multiply-add whenever the target has FMA
// (-ffp-contract=fast is its default for C++; -march=native enables FMA on x86). Which of
// two products in `x * y + z * w` gets fused then depends on statement order and on how
// the loop was split, so the update rules in optimizer.cpp spell every multiply-add that
// feeds an addition as mul_add(): one rounding where the build has FMA, two where it does
// not (where GCC could not fuse either). A product used only as mul_add's addend, or only
// in a further product, cannot be fused, so the result is fixed for a given build.
#include <cmath>

namespace mixprec {

inline float mul_add(float a, float b, float c) {
#if defined(__FP_FAST_FMAF)  // GCC/Clang: the target has a float FMA instruction
  return std::fma(a, b, c);  // vfmadd on x86; GCC vectorises it
#else
  return a * b + c;
#endif
}

}  // namespace mixprec
