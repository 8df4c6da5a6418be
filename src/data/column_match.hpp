#pragma once
// Which column of a CSV file holds each column of the training file: by header name when
// both files have a header (so that a test file with its columns in another order is read
// right), else by position.
#include <string>
#include <vector>

#include "data/csv.hpp"
#include "data/data_encoding.hpp"

namespace mixprec {

struct ColumnMatch {
  std::vector<int> column;  // (training columns): the table's column holding each
  int label_source = 0;     // the table's label column
};

// `layout` holds the training file's columns (note_layout); `train_file` names it in
// messages. A table whose names or column count differ is an error that lists them.
ColumnMatch match_columns(const DataEncoding& layout, const CsvTable& table, const std::string& train_file);

}  // namespace mixprec
