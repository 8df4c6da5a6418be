#pragma once
// Comma-separated files as users bring them, plain or gzipped: each cell is read as a
// number, a missing value or a text (a category or a class name). What the cells mean is
// decided later, from the training split (data/feature_encoding.hpp, data/class_labels.hpp).
// Every problem is a UserError naming the file, the 1-based line and column, and a hint.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "data/file_bytes.hpp"

namespace mixprec {

// data.header and data.label_column of the config (a name fills the name, an integer the index).
struct CsvOptions {
  // kAuto: see has_header_row in csv.cpp (a text cell above a column of numbers, or a row
  // of texts none of which recurs below it).
  CsvHeader header = CsvHeader::kAuto;
  std::string label_column_name;  // needs a header row; leave empty to use the index
  int label_column_index = -1;    // 0-based; negative counts from the end (-1: last)
};

// A cell for a message: quoted, and cut short so that a binary file cannot flood the terminal.
std::string show_cell(std::string_view cell);

// The cells that stand for a missing value (pandas' usual markers, and UCI's '?').
bool is_missing_marker(std::string_view cell);

// One column as read. A cell is a number (numbers[r] finite), a text (text_ids[r] >= 0)
// or missing (neither).
struct CsvColumn {
  static constexpr std::int32_t kNotText = -1;

  std::string name;                    // the header's cell; empty without a header
  std::vector<float> numbers;          // (rows): the value; NaN for text and missing cells
  std::vector<std::int32_t> text_ids;  // (rows): index into texts or kNotText; empty while
                                       // the column has no text cell (the usual case)
  std::vector<std::string> texts;      // distinct texts, in order of first appearance
  std::int64_t missing = 0;            // missing cells
  std::int64_t first_text_row = -1;    // row of the first text cell, for messages
  std::int64_t first_missing_row = -1;

  bool has_text() const { return !text_ids.empty(); }
  bool is_text(std::int64_t r) const { return has_text() && text_ids[std::size_t(r)] >= 0; }
  bool is_number(std::int64_t r) const { return numbers[std::size_t(r)] == numbers[std::size_t(r)]; }
  bool is_missing(std::int64_t r) const { return !is_number(r) && !is_text(r); }
  // The cell as a category or class name: the text, or the number written shortest
  // ("3", "0.5"), so that "3" and "3.0" are one category. Empty for a missing cell.
  std::string cell_name(std::int64_t r) const;
};

struct CsvTable {
  std::string path;                       // for messages
  std::int64_t rows = 0;
  std::vector<CsvColumn> columns;         // every column, the label column included
  std::vector<std::int64_t> lines;        // (rows): 1-based line of each row, for messages
  bool has_header = false;
  std::int64_t header_line = 0;           // the header's line, or the first row's without one
  bool gzipped = false;

  int num_columns() const { return static_cast<int>(columns.size()); }
  // "column 3 'age'" (1-based, with the header's name when there is one).
  std::string column_text(int column) const;
  // "'f.csv' line 7, column 3": where a cell is, for messages.
  std::string where(std::int64_t row, int column) const;
};

// Reads the whole file into columns: read_file_bytes, then parse_csv.
CsvTable read_csv(const std::string& path, CsvHeader header);

// The columns of a file's contents (data/file_bytes.hpp: gunzipped where the file was
// gzipped); `name` stands for the file in messages. Errors: an empty file, a header with
// no rows, ragged rows, a single column (with a separator hint), infinite or
// out-of-float-range numbers.
CsvTable parse_csv(const FileBytes& file, const std::string& name, CsvHeader header);

// The 0-based label column that `options` names in `table`.
int resolve_label_column(const CsvTable& table, const CsvOptions& options);

}  // namespace mixprec
