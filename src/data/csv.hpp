#pragma once
// Comma-separated files of numbers with one integer label column, plain or gzipped.
// Every problem is a UserError naming the file, the 1-based line and column, and a hint.
#include <cstdint>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace mixprec {

// data.header and data.label_column of the config (a name fills the name, an integer the index).
struct CsvOptions {
  // kAuto: the first non-blank line is a header when one of its cells is not a number.
  CsvHeader header = CsvHeader::kAuto;
  std::string label_column_name;  // needs a header row; leave empty to use the index
  int label_column_index = -1;    // 0-based; negative counts from the end (-1: last)
};

struct CsvTable {
  std::int64_t rows = 0;
  int num_columns = 0;                    // including the label column
  int num_features = 0;                   // num_columns - 1
  int label_column = 0;                   // 0-based, resolved
  std::vector<float> features;            // (rows, num_features) row-major, label removed
  std::vector<std::int32_t> labels;       // (rows): non-negative integers
  std::vector<std::int64_t> lines;        // (rows): 1-based line of each row, for messages
  std::vector<std::string> column_names;  // the header's cells; empty without a header
  bool gzipped = false;
};

// Largest label accepted (exclusive): far above any classifier mixprec trains, and it
// keeps per-class bookkeeping small when a wrong column is picked as the label.
inline constexpr std::int32_t kMaxLabel = 1 << 20;

CsvTable read_csv(const std::string& path, const CsvOptions& options);

// The same for a file's bytes already in memory (plain or gzipped); `name` stands for the
// file in messages. For tests and the fuzz targets (tests/fuzz/).
CsvTable parse_csv(std::vector<std::uint8_t> bytes, const std::string& name, const CsvOptions& options);

}  // namespace mixprec
