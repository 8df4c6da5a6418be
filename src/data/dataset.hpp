#pragma once
// The in-memory data set the trainer consumes (data/load_data.hpp builds it).
#include <cstddef>
#include <cstdint>
#include <vector>

#include <Eigen/Core>

namespace mixprec {

// Row-major so that one example is one contiguous row (batches are row ranges).
using FeatureMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct Dataset {
  FeatureMatrix x;             // (rows, dim)
  std::vector<std::int32_t> y; // (rows): class index in [0, num_classes)
  int num_classes = 0;         // same for every split of one data set

  std::int64_t rows() const { return x.rows(); }
  int dim() const { return static_cast<int>(x.cols()); }
  // Storage of x and y, for memory accounting.
  std::size_t bytes() const {
    return static_cast<std::size_t>(x.size()) * sizeof(float) + y.size() * sizeof(std::int32_t);
  }
};

}  // namespace mixprec
