#pragma once
// Everything fitted on the training data that turns a file's rows into model inputs and
// class indices: the columns and their encodings, the class list, and the normalisation.
// A run stores it (RUN_DIR/data_encoding.json and the checkpoint), so that `eval` applies
// exactly what training used instead of fitting again.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.hpp"
#include "data/class_labels.hpp"
#include "data/feature_encoding.hpp"
#include "data/normalize.hpp"

namespace mixprec {

struct DataEncoding {
  DataFormat format = DataFormat::kIdx;
  // csv: the training file's columns, as matched against a test file.
  bool has_header = false;
  std::vector<std::string> column_names;  // every column; empty without a header
  int num_columns = 0;
  int label_column = 0;
  ClassLabels classes;                    // idx: integer classes
  FeatureEncoding features;               // csv
  Normalizer normalizer;

  int num_classes() const { return classes.num_classes(); }
};

nlohmann::json to_json(const DataEncoding& e);
// Throws UserError naming `origin` for a document that is not a DataEncoding.
DataEncoding data_encoding_from_json(const nlohmann::json& j, const std::string& origin);

}  // namespace mixprec
