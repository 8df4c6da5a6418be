#include "data/csv.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string_view>

#include "common/error.hpp"
#include "data/file_bytes.hpp"

namespace mixprec {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return s;
}

bool is_blank(std::string_view line) { return line.find_first_not_of(" \t\r") == std::string_view::npos; }

// A cell for a message: quoted, and cut short so that a binary file cannot flood the terminal.
std::string show(std::string_view cell) {
  if (cell.size() > 32) return fmt::format("'{}...'", cell.substr(0, 32));
  return fmt::format("'{}'", cell);
}

enum class ParseStatus { kOk, kEmpty, kNotNumber, kNotFinite, kOutOfRange };

// std::from_chars: locale-independent, no allocation, and exact (correctly rounded) in
// libstdc++ 12. It rejects a leading '+', which CSV writers sometimes emit, so drop one.
template <typename T>
ParseStatus parse_number(std::string_view s, T& out) {
  if (s.empty()) return ParseStatus::kEmpty;
  if (s.front() == '+') {
    s.remove_prefix(1);
    if (s.empty() || s.front() == '-' || s.front() == '+') return ParseStatus::kNotNumber;
  }
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, out);
  if (ec == std::errc::invalid_argument || ptr != end) return ParseStatus::kNotNumber;
  if (ec == std::errc::result_out_of_range) {
    // libstdc++ reports underflow as out of range too: such values round to 0 or a subnormal.
    double wide = 0;
    auto [wptr, wec] = std::from_chars(s.data(), end, wide);
    if (wec == std::errc() && wptr == end && std::isfinite(static_cast<T>(wide))) {
      out = static_cast<T>(wide);
      return ParseStatus::kOk;
    }
    return ParseStatus::kOutOfRange;
  }
  if (!std::isfinite(out)) return ParseStatus::kNotFinite;
  return ParseStatus::kOk;
}

bool is_number(std::string_view cell) {
  float v = 0;
  ParseStatus st = parse_number(trim(cell), v);
  // nan/inf count as numbers here so that they are reported as bad values, not as a header.
  return st == ParseStatus::kOk || st == ParseStatus::kNotFinite || st == ParseStatus::kOutOfRange;
}

std::vector<std::string_view> split_cells(std::string_view line) {
  std::vector<std::string_view> cells;
  std::size_t start = 0;
  for (;;) {
    std::size_t comma = line.find(',', start);
    cells.push_back(line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (comma == std::string_view::npos) return cells;
    start = comma + 1;
  }
}

// Reads the text line by line, counting lines from 1 and dropping a trailing '\r'.
class LineReader {
 public:
  explicit LineReader(std::string_view text) : text_(text) {}
  bool next(std::string_view& line) {
    if (pos_ >= text_.size()) return false;
    std::size_t nl = text_.find('\n', pos_);
    if (nl == std::string_view::npos) nl = text_.size();
    line = text_.substr(pos_, nl - pos_);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos_ = nl + 1;
    ++line_no_;
    return true;
  }
  std::int64_t line_no() const { return line_no_; }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  std::int64_t line_no_ = 0;
};

class CsvParser {
 public:
  CsvParser(const std::string& path, const CsvOptions& options) : path_(path), options_(options) {}

  CsvTable parse(std::string_view text) {
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // UTF-8 byte-order mark (Excel)
    LineReader reader(text);
    std::string_view line;
    bool found = false;
    while (reader.next(line)) {
      if (!is_blank(line)) { found = true; break; }
    }
    if (!found) {
      fail("'{}' line 1, column 1: the file is empty, expected comma-separated rows of numbers with a "
           "label column (hint: check the path and that the file was written completely)", path_);
    }
    first_line_ = reader.line_no();
    read_first_row(line);

    std::size_t row_guess = text.size() / (line.size() + 1) + 1;
    table_.features.reserve(row_guess * static_cast<std::size_t>(table_.num_features));
    table_.labels.reserve(row_guess);
    table_.lines.reserve(row_guess);
    if (!has_header_) parse_row(line, first_line_);
    while (reader.next(line)) {
      if (!is_blank(line)) parse_row(line, reader.line_no());
    }
    table_.rows = static_cast<std::int64_t>(table_.labels.size());
    if (table_.rows == 0) {
      fail("'{}' line {}: the header is the only row, expected data rows after it (hint: check that "
           "the file was written completely)", path_, first_line_);
    }
    return std::move(table_);
  }

 private:
  void read_first_row(std::string_view line) {
    std::vector<std::string_view> cells = split_cells(line);
    int ncols = static_cast<int>(cells.size());
    switch (options_.header) {
      case CsvHeader::kYes: has_header_ = true; break;
      case CsvHeader::kNo: has_header_ = false; break;
      case CsvHeader::kAuto:
        has_header_ = !std::all_of(cells.begin(), cells.end(), is_number);
        break;
    }
    if (ncols < 2) {
      std::string sep_hint;
      if (line.find(';') != std::string_view::npos) sep_hint = "; this line contains ';' but only ',' separates values";
      if (line.find('\t') != std::string_view::npos) sep_hint = "; this line contains tabs but only ',' separates values";
      fail("'{}' line {}, column 1: the row has 1 column, expected at least 2 (features, then a label) "
           "(hint: mixprec reads comma-separated values{})", path_, first_line_, sep_hint);
    }
    table_.num_columns = ncols;
    table_.num_features = ncols - 1;
    if (has_header_) {
      for (auto cell : cells) table_.column_names.emplace_back(trim(cell));
    }
    table_.label_column = resolve_label_column();
  }

  int resolve_label_column() {
    int ncols = table_.num_columns;
    const std::string& name = options_.label_column_name;
    if (!name.empty()) {
      if (options_.label_column_index != -1) {
        fail("'{}': the label column is given both by name '{}' and by index {}, expected one of them "
             "(hint: data.label_column takes either a name or a 0-based index)", path_, name,
             options_.label_column_index);
      }
      if (!has_header_) {
        fail("'{}' line {}: data.label_column is \"{}\", a name, but the file has no header row ({}) "
             "(hint: give data.label_column as a 0-based index instead, or set data.header to true)",
             path_, first_line_, name,
             options_.header == CsvHeader::kNo ? "data.header is false" : "every cell of the first row is a number");
      }
      const auto& names = table_.column_names;
      auto it = std::find(names.begin(), names.end(), name);
      if (it == names.end()) {
        fail("'{}' line {}: no column named '{}' in the header, which has {} columns: {} (hint: names "
             "are case-sensitive)", path_, first_line_, name, ncols, list_names());
      }
      if (std::find(it + 1, names.end(), name) != names.end()) {
        fail("'{}' line {}, column {}: the header names more than one column '{}' (hint: use "
             "a 0-based index as data.label_column to pick one)", path_, first_line_, it - names.begin() + 1, name);
      }
      return static_cast<int>(it - names.begin());
    }
    int index = options_.label_column_index;
    if (index >= ncols || index < -ncols) {
      fail("'{}' line {}: data.label_column {} is out of range for {} columns, expected 0..{} or "
           "-{}..-1 (0 is the first column, -1 the last)", path_, first_line_, index, ncols, ncols - 1, ncols);
    }
    return index < 0 ? ncols + index : index;
  }

  std::string list_names() const {
    std::string out;
    std::size_t shown = std::min<std::size_t>(table_.column_names.size(), 12);
    for (std::size_t i = 0; i < shown; ++i) out += (i ? ", " : "") + show(table_.column_names[i]);
    if (shown < table_.column_names.size()) out += ", ...";
    return out;
  }

  std::string label_column_text() const {
    int col = table_.label_column;
    if (has_header_) return fmt::format("column {} '{}'", col + 1, table_.column_names[col]);
    return fmt::format("column {}", col + 1);
  }

  [[noreturn]] void ragged(std::string_view line, std::int64_t line_no, int column) {
    auto ncols = std::count(line.begin(), line.end(), ',') + 1;
    fail("'{}' line {}, column {}: the row has {} columns, expected {} as on line {} (hint: every row "
         "needs the same number of comma-separated values; look for a missing value or a stray comma)",
         path_, line_no, column, ncols, table_.num_columns, first_line_);
  }

  void parse_row(std::string_view line, std::int64_t line_no) {
    int col = 0;
    std::size_t start = 0;
    std::int32_t label = 0;
    for (;;) {
      std::size_t comma = line.find(',', start);
      if (col >= table_.num_columns) ragged(line, line_no, col + 1);
      std::string_view cell =
          trim(line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
      if (col == table_.label_column) {
        label = parse_label(cell, line_no, col + 1);
      } else {
        table_.features.push_back(parse_feature(cell, line_no, col + 1));
      }
      ++col;
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    if (col < table_.num_columns) ragged(line, line_no, col + 1);
    table_.labels.push_back(label);
    table_.lines.push_back(line_no);
  }

  float parse_feature(std::string_view cell, std::int64_t line_no, int column) {
    float value = 0;
    switch (parse_number(cell, value)) {
      case ParseStatus::kOk:
        return value;
      case ParseStatus::kEmpty:
        fail("'{}' line {}, column {}: empty cell, expected a number (hint: missing values are not "
             "supported; fill or drop them first)", path_, line_no, column);
      case ParseStatus::kNotFinite:
        fail("'{}' line {}, column {}: value {} is not finite, expected a finite number (hint: missing "
             "or infinite values are not supported; fill or drop them first)", path_, line_no, column, show(cell));
      case ParseStatus::kOutOfRange:
        fail("'{}' line {}, column {}: value {} is outside the float range (about +-3.4e38) (hint: "
             "rescale this column)", path_, line_no, column, show(cell));
      case ParseStatus::kNotNumber:
        break;
    }
    std::string hint = "every cell except the label must be a number such as 0.5 or -3e2; encode categorical columns first";
    if (line_no == first_line_ && options_.header == CsvHeader::kNo) {
      hint = "data.header is false, but this line looks like a header; set data.header to \"auto\" or true";
    }
    fail("'{}' line {}, column {}: {} is not a number (hint: {})", path_, line_no, column, show(cell), hint);
  }

  std::int32_t parse_label(std::string_view cell, std::int64_t line_no, int column) {
    double value = 0;
    ParseStatus st = parse_number(cell, value);
    if (st == ParseStatus::kOk && value >= 0 && value == std::floor(value)) {
      if (value < kMaxLabel) return static_cast<std::int32_t>(value);
      fail("'{}' line {}, column {}: label {} is too large, expected a class index below {} (hint: is "
           "{} really the label column? choose another with data.label_column, a name or a 0-based "
           "index)", path_, line_no, column, show(cell), kMaxLabel, label_column_text());
    }
    fail("'{}' line {}, column {}: label {} is not a non-negative integer (hint: the label column, {}, "
         "must hold class indices 0, 1, 2, ...; choose another with data.label_column, a name or a "
         "0-based index)", path_, line_no, column, show(cell), label_column_text());
  }

  const std::string& path_;
  const CsvOptions& options_;
  CsvTable table_;
  bool has_header_ = false;
  std::int64_t first_line_ = 1;
};

CsvTable parse_csv_file(const FileBytes& file, const std::string& path, const CsvOptions& options) {
  std::string_view text(reinterpret_cast<const char*>(file.bytes.data()), file.bytes.size());
  CsvTable table = CsvParser(path, options).parse(text);
  table.gzipped = file.gzipped;
  return table;
}

}  // namespace

CsvTable read_csv(const std::string& path, const CsvOptions& options) {
  return parse_csv_file(read_file_bytes(path), path, options);
}

CsvTable parse_csv(std::vector<std::uint8_t> bytes, const std::string& name, const CsvOptions& options) {
  return parse_csv_file(decode_file_bytes(std::move(bytes), name), name, options);
}

}  // namespace mixprec
