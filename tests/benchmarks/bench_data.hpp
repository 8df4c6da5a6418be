#pragma once
// Random inputs for the micro-benchmarks: values of a storage format, rounded from a fixed
// normal distribution so that every run times the same numbers.
#include <cstddef>
#include <random>

#include "kernels/aligned_buffer.hpp"

namespace mixprec {

inline Buffer random_buffer(Format format, std::size_t n, float stddev = 1.0f,
                            unsigned seed = 1) {
  Buffer buffer(format, n);
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, stddev);
  dispatch_format(format, [&](auto tag) {
    using T = decltype(tag);
    T* p = buffer.as<T>();
    for (std::size_t i = 0; i < n; ++i) p[i] = from_float<T>(normal(rng));
  });
  return buffer;
}

}  // namespace mixprec
