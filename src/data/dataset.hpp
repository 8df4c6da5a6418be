#pragma once
// The in-memory data set the trainer consumes, and the one entry point that builds it
// from a DataConfig (load_data.cpp): read, check labels, split, normalise.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "config/config.hpp"

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

struct DataSplits {
  Dataset train;
  std::optional<Dataset> validation;  // only when data.validation_fraction > 0
  Dataset test;
  std::string description;            // one line for logs and reports
};

// Loads cfg's data set, holds out test/validation rows (shuffled with `seed`, the same on
// every platform), keeps the first max_train_samples training rows, then fits the
// normalisation on the training split and applies it to every split.
// Throws UserError naming the file and position for anything wrong with the data.
DataSplits load_data(const DataConfig& cfg, std::uint64_t seed);

}  // namespace mixprec
