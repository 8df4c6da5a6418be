#pragma once
// The one entry point that builds the data sets from a DataConfig: read, encode the labels
// and the feature columns, split, normalise (load_data.cpp).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.hpp"
#include "data/data_encoding.hpp"
#include "data/dataset.hpp"

namespace mixprec {

struct DataSplits {
  Dataset train;
  std::optional<Dataset> validation;  // only when data.validation_fraction > 0
  Dataset test;
  std::string description;            // one line for logs and reports
  DataEncoding encoding;              // what was fitted (or given) and applied
  // What the data held, for run_start and `validate`: classes and their training counts,
  // categorical columns, missing and unseen cells per column (docs/logs.md).
  nlohmann::json report;
  std::vector<std::string> warnings;  // for the caller to log, one line each
};

// Loads cfg's data set, holds out test/validation rows (shuffled with `seed`, the same on
// every platform), keeps the first max_train_samples training rows, then fits the
// encoding (csv) and the normalisation on the training split and applies them to every split.
// Throws UserError naming the file and position for anything wrong with the data.
// `fitted`: apply this encoding (a stored run's) instead of fitting one on the training
// split; the training file is then only read when the test rows are held out of it.
DataSplits load_data(const DataConfig& cfg, std::uint64_t seed, const DataEncoding* fitted = nullptr);

}  // namespace mixprec
