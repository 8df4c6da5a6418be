#pragma once
// What load_data found in the data, for the run_start record and `mixprec validate`:
// classes with their counts, the columns and how each was encoded, missing and unseen
// cells per split, and the range of each numeric input after normalisation.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/column_match.hpp"
#include "data/data_encoding.hpp"
#include "data/load_data.hpp"

namespace mixprec {

class DataReport {
 public:
  // Appends to `warnings` a line for each column whose validation or test split met
  // categories that training did not have, and for columns one-hot encoded into many inputs.
  void add_csv(const DataEncoding& e, const DataSplits& splits, const EncodeCounts& train,
               const EncodeCounts* validation, const EncodeCounts& test, const CsvTable& test_table,
               const ColumnMatch& test_columns, std::vector<std::string>& warnings);
  void add_idx(const DataEncoding& e, const DataSplits& splits);
  nlohmann::json to_json() const { return report_; }

 private:
  void add_common(const DataEncoding& e, const DataSplits& splits);
  nlohmann::json report_ = nlohmann::json::object();
};

}  // namespace mixprec
