#pragma once
// The feature columns of a CSV file as model inputs, fitted on the training split (as
// scikit-learn's ColumnTransformer with SimpleImputer and OneHotEncoder(handle_unknown=
// "ignore") would be): a numeric column is one input, a categorical column one input per
// category, 1 for the row's category and 0 elsewhere. A category the training split never
// had encodes as all zeros and is counted.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "data/categories.hpp"
#include "data/csv.hpp"
#include "data/dataset.hpp"

namespace mixprec {

// More categories than this in one column is an error: such a column is an identifier or
// free text, and its one-hot inputs would fill memory (rows x categories floats).
inline constexpr int kMaxCategories = 4096;

struct ColumnEncoding {
  std::string name;           // the header's name; empty without a header
  int source = 0;             // 0-based column of the training file
  bool categorical = false;
  double fill = 0.0;          // numeric, data.missing "mean": the training split's mean
  Categories categories;      // categorical: one input each, sorted
  bool missing_slot = false;  // categorical, data.missing "mean": one more input for missing cells

  int width() const { return categorical ? categories.size() + (missing_slot ? 1 : 0) : 1; }
  // "age", or "column 3" without a header.
  std::string label() const;
};

struct FeatureEncoding {
  MissingPolicy missing = MissingPolicy::kError;
  std::vector<ColumnEncoding> columns;  // the feature columns, in file order

  int width() const;
  // One per input: "age", "color=red", "color=<missing>".
  std::vector<std::string> input_names() const;
  // One per input: true for one-hot inputs, which normalisation leaves as they are.
  std::vector<bool> one_hot_inputs() const;
};

// Which feature columns are categorical: those with a text cell, and those data.categorical
// names (by header name or 0-based index). Errors name the key and the column.
std::vector<bool> categorical_columns(const CsvTable& train, int label_column, const DataConfig& cfg);

// Fits on the training split `rows` of `train`. `categorical` comes from categorical_columns.
FeatureEncoding fit_features(const CsvTable& train, int label_column, const std::vector<bool>& categorical,
                             std::span<const std::int64_t> rows, MissingPolicy missing);

// What encoding one split met: per encoded column, missing cells and cells of a category
// that training did not have (with the first such row, for the warning).
struct EncodeCounts {
  std::vector<std::int64_t> missing;
  std::vector<std::int64_t> unseen;
  std::vector<std::int64_t> first_unseen_row;  // -1: none
};

// The inputs of `rows` of `table`; `source_of[i]` is the table column that holds encoding
// column i (the training file's column, or its match by name in a test file). A missing
// cell with data.missing "error" is an error naming file, line and column.
FeatureMatrix encode_features(const FeatureEncoding& encoding, const CsvTable& table,
                              std::span<const int> source_of, std::span<const std::int64_t> rows,
                              EncodeCounts& counts);

// The first missing feature cell of `table` as an error (data.missing "error"); no-op when
// there is none. Label cells are checked by the label code.
void reject_missing_cells(const CsvTable& table, int label_column);

}  // namespace mixprec
