#include "data/csv.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <unordered_map>

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


enum class ParseStatus { kOk, kEmpty, kNotNumber, kNotFinite, kOutOfRange };

// std::from_chars: locale-independent, no allocation, and exact (correctly rounded) in
// libstdc++ 12. It rejects a leading '+', which CSV writers sometimes emit, so drop one.
ParseStatus parse_number(std::string_view s, float& out) {
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
    if (wec == std::errc() && wptr == end && std::isfinite(static_cast<float>(wide))) {
      out = static_cast<float>(wide);
      return ParseStatus::kOk;
    }
    return ParseStatus::kOutOfRange;
  }
  if (!std::isfinite(out)) return ParseStatus::kNotFinite;
  return ParseStatus::kOk;
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

// Recomputes a column's bookkeeping after its first row was taken as the header: the
// header's text (if it was one) must not stay behind as a category nobody has.
void drop_first_row(CsvColumn& c) {
  c.numbers.erase(c.numbers.begin());
  std::vector<std::int32_t> old_ids;
  if (c.has_text()) {
    old_ids.assign(c.text_ids.begin() + 1, c.text_ids.end());
    c.text_ids.clear();
  }
  std::vector<std::string> old_texts = std::move(c.texts);
  c.texts.clear();
  c.missing = 0;
  c.first_text_row = c.first_missing_row = -1;
  std::vector<std::int32_t> remap(old_texts.size(), CsvColumn::kNotText);
  const auto rows = static_cast<std::int64_t>(c.numbers.size());
  for (std::int64_t r = 0; r < rows; ++r) {
    const std::int32_t id = old_ids.empty() ? CsvColumn::kNotText : old_ids[std::size_t(r)];
    if (id >= 0) {
      if (remap[std::size_t(id)] < 0) {
        remap[std::size_t(id)] = static_cast<std::int32_t>(c.texts.size());
        c.texts.push_back(std::move(old_texts[std::size_t(id)]));
      }
      if (c.first_text_row < 0) c.first_text_row = r;
    } else if (c.numbers[std::size_t(r)] != c.numbers[std::size_t(r)]) {
      ++c.missing;
      if (c.first_missing_row < 0) c.first_missing_row = r;
    }
  }
  if (c.first_text_row >= 0) {
    c.text_ids.resize(std::size_t(rows));
    for (std::int64_t r = 0; r < rows; ++r)
      c.text_ids[std::size_t(r)] = old_ids[std::size_t(r)] >= 0 ? remap[std::size_t(old_ids[std::size_t(r)])]
                                                                : CsvColumn::kNotText;
  }
}

class CsvParser {
 public:
  CsvParser(const std::string& path, CsvHeader header) : path_(path), header_(header) {}

  CsvTable parse(std::string_view text) {
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // UTF-8 byte-order mark (Excel)
    table_.path = path_;
    LineReader reader(text);
    std::string_view line;
    bool found = false;
    while (reader.next(line)) {
      if (!is_blank(line)) { found = true; break; }
    }
    if (!found) {
      fail("'{}' line 1, column 1: the file is empty, expected comma-separated rows with a label "
           "column (hint: check the path and that the file was written completely)", path_);
    }
    first_line_ = reader.line_no();
    start_columns(line, text.size());
    parse_row(line, first_line_);
    while (reader.next(line)) {
      if (!is_blank(line)) parse_row(line, reader.line_no());
    }
    table_.rows = static_cast<std::int64_t>(table_.lines.size());
    table_.header_line = first_line_;
    const int text_over_numbers = text_above_numbers();
    if (header_ == CsvHeader::kNo && text_over_numbers >= 0) {
      fail("'{}' line {}, column {}: {} is text above a column of numbers, but data.header is false "
           "(hint: this line looks like a header; set data.header to \"auto\" or true)", path_,
           first_line_, text_over_numbers + 1, show_cell(first_cells_[std::size_t(text_over_numbers)]));
    }
    table_.has_header = header_ == CsvHeader::kYes ||
                        (header_ == CsvHeader::kAuto && (text_over_numbers >= 0 || all_distinct_texts()));
    if (table_.has_header) {
      for (int c = 0; c < table_.num_columns(); ++c) {
        table_.columns[std::size_t(c)].name = std::string(trim(first_cells_[std::size_t(c)]));
        drop_first_row(table_.columns[std::size_t(c)]);
      }
      table_.lines.erase(table_.lines.begin());
      --table_.rows;
      if (table_.rows == 0) {
        fail("'{}' line {}: the header is the only row, expected data rows after it (hint: check "
             "that the file was written completely)", path_, first_line_);
      }
    }
    return std::move(table_);
  }

 private:
  void start_columns(std::string_view line, std::size_t text_size) {
    first_cells_ = split_cells(line);
    const auto ncols = first_cells_.size();
    if (ncols < 2) {
      std::string sep_hint;
      if (line.find(';') != std::string_view::npos) sep_hint = "; this line contains ';' but only ',' separates values";
      if (line.find('\t') != std::string_view::npos) sep_hint = "; this line contains tabs but only ',' separates values";
      fail("'{}' line {}, column 1: the row has 1 column, expected at least 2 (features, then a label) "
           "(hint: mixprec reads comma-separated values{})", path_, first_line_, sep_hint);
    }
    table_.columns.resize(ncols);
    text_index_.resize(ncols);
    const std::size_t row_guess = text_size / (line.size() + 1) + 1;
    for (auto& c : table_.columns) c.numbers.reserve(row_guess);
    table_.lines.reserve(row_guess);
  }

  // kAuto takes the first row as a header when one of its cells is text above a column of
  // numbers ("age" over 31, 45, ...), or when all its cells are texts none of which appears
  // again in its column (names over categories). A first row of numbers never is one.
  // The first column with text above numbers, or -1.
  int text_above_numbers() const {
    for (int c = 0; c < table_.num_columns(); ++c) {
      const CsvColumn& col = table_.columns[std::size_t(c)];
      if (!col.is_text(0)) continue;
      bool numbers_below = false, text_below = false;
      for (std::int64_t r = 1; r < table_.rows; ++r) {
        text_below |= col.is_text(r);
        numbers_below |= col.is_number(r);
      }
      if (numbers_below && !text_below) return c;
    }
    return -1;
  }

  bool all_distinct_texts() const {
    for (const auto& c : table_.columns) {
      if (!c.is_text(0)) return false;
      for (std::int64_t r = 1; r < table_.rows; ++r)
        if (c.text_ids[std::size_t(r)] == c.text_ids[0]) return false;
    }
    return true;
  }

  [[noreturn]] void ragged(std::string_view line, std::int64_t line_no, int column) {
    auto ncols = std::count(line.begin(), line.end(), ',') + 1;
    fail("'{}' line {}, column {}: the row has {} columns, expected {} as on line {} (hint: every row "
         "needs the same number of comma-separated values; look for a missing value or a stray comma)",
         path_, line_no, column, ncols, table_.num_columns(), first_line_);
  }

  void parse_row(std::string_view line, std::int64_t line_no) {
    const int ncols = table_.num_columns();
    const auto row = static_cast<std::int64_t>(table_.lines.size());
    int col = 0;
    std::size_t start = 0;
    for (;;) {
      std::size_t comma = line.find(',', start);
      if (col >= ncols) ragged(line, line_no, col + 1);
      std::string_view cell =
          trim(line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
      add_cell(table_.columns[std::size_t(col)], text_index_[std::size_t(col)], cell, row, line_no, col + 1);
      ++col;
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    if (col < ncols) ragged(line, line_no, col + 1);
    table_.lines.push_back(line_no);
  }

  void add_cell(CsvColumn& c, std::unordered_map<std::string, std::int32_t>& index, std::string_view cell,
                std::int64_t row, std::int64_t line_no, int column) {
    constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
    float value = 0;
    const ParseStatus st = is_missing_marker(cell) ? ParseStatus::kEmpty : parse_number(cell, value);
    switch (st) {
      case ParseStatus::kOk:
        c.numbers.push_back(value);
        if (c.has_text()) c.text_ids.push_back(CsvColumn::kNotText);
        return;
      case ParseStatus::kEmpty:
        c.numbers.push_back(kNaN);
        if (c.has_text()) c.text_ids.push_back(CsvColumn::kNotText);
        ++c.missing;
        if (c.first_missing_row < 0) c.first_missing_row = row;
        return;
      case ParseStatus::kNotFinite:
        fail("'{}' line {}, column {}: value {} is not finite, expected a finite number (hint: "
             "infinite values are not supported; write an empty cell for a missing value)", path_,
             line_no, column, show_cell(cell));
      case ParseStatus::kOutOfRange:
        fail("'{}' line {}, column {}: value {} is outside the float range (about +-3.4e38) (hint: "
             "rescale this column)", path_, line_no, column, show_cell(cell));
      case ParseStatus::kNotNumber:
        break;
    }
    if (!c.has_text()) c.text_ids.assign(c.numbers.size(), CsvColumn::kNotText);
    auto [it, inserted] = index.try_emplace(std::string(cell), static_cast<std::int32_t>(c.texts.size()));
    if (inserted) c.texts.emplace_back(cell);
    c.numbers.push_back(kNaN);
    c.text_ids.push_back(it->second);
    if (c.first_text_row < 0) c.first_text_row = row;
  }

  const std::string& path_;
  CsvHeader header_;
  CsvTable table_;
  std::vector<std::unordered_map<std::string, std::int32_t>> text_index_;  // per column
  std::vector<std::string_view> first_cells_;
  std::int64_t first_line_ = 1;
};

std::string list_names(const CsvTable& t) {
  std::string out;
  const int shown = std::min(t.num_columns(), 12);
  for (int i = 0; i < shown; ++i) out += (i ? ", " : "") + show_cell(t.columns[std::size_t(i)].name);
  if (shown < t.num_columns()) out += ", ...";
  return out;
}

}  // namespace

std::string show_cell(std::string_view cell) {
  if (cell.size() > 32) return fmt::format("'{}...'", cell.substr(0, 32));
  return fmt::format("'{}'", cell);
}

bool is_missing_marker(std::string_view cell) {
  static constexpr std::array<std::string_view, 14> kMarkers = {
      "", "NA", "N/A", "n/a", "NaN", "nan", "-nan", "-NaN", "NULL", "null", "None", "#N/A", "<NA>", "?"};
  return std::find(kMarkers.begin(), kMarkers.end(), cell) != kMarkers.end();
}

std::string CsvColumn::cell_name(std::int64_t r) const {
  if (is_text(r)) return texts[std::size_t(text_ids[std::size_t(r)])];
  if (is_number(r)) return fmt::format("{}", numbers[std::size_t(r)]);
  return {};
}

std::string CsvTable::column_text(int column) const {
  if (has_header) return fmt::format("column {} '{}'", column + 1, columns[std::size_t(column)].name);
  return fmt::format("column {}", column + 1);
}

std::string CsvTable::where(std::int64_t row, int column) const {
  return fmt::format("'{}' line {}, column {}", path, lines[std::size_t(row)], column + 1);
}

CsvTable read_csv(const std::string& path, CsvHeader header) {
  return parse_csv(read_file_bytes(path), path, header);
}

CsvTable parse_csv(const FileBytes& file, const std::string& name, CsvHeader header) {
  std::string_view text(reinterpret_cast<const char*>(file.bytes.data()), file.bytes.size());
  CsvTable table = CsvParser(name, header).parse(text);
  table.gzipped = file.gzipped;
  return table;
}

int resolve_label_column(const CsvTable& t, const CsvOptions& options) {
  const int ncols = t.num_columns();
  const std::string& name = options.label_column_name;
  if (!name.empty()) {
    if (options.label_column_index != -1) {
      fail("'{}': the label column is given both by name '{}' and by index {}, expected one of them "
           "(hint: data.label_column takes either a name or a 0-based index)", t.path, name,
           options.label_column_index);
    }
    if (!t.has_header) {
      fail("'{}' line {}: data.label_column is \"{}\", a name, but the file has no header row ({}) "
           "(hint: give data.label_column as a 0-based index instead, or set data.header to true)",
           t.path, t.header_line, name,
           options.header == CsvHeader::kNo ? "data.header is false" : "its first row does not look like one");
    }
    auto same_name = [&](const CsvColumn& c) { return c.name == name; };
    auto it = std::find_if(t.columns.begin(), t.columns.end(), same_name);
    if (it == t.columns.end()) {
      fail("'{}' line {}: no column named '{}' in the header, which has {} columns: {} (hint: names "
           "are case-sensitive)", t.path, t.header_line, name, ncols, list_names(t));
    }
    if (std::find_if(it + 1, t.columns.end(), same_name) != t.columns.end()) {
      fail("'{}' line {}, column {}: the header names more than one column '{}' (hint: use "
           "a 0-based index as data.label_column to pick one)", t.path, t.header_line,
           it - t.columns.begin() + 1, name);
    }
    return static_cast<int>(it - t.columns.begin());
  }
  const int index = options.label_column_index;
  if (index >= ncols || index < -ncols) {
    fail("'{}' line {}: data.label_column {} is out of range for {} columns, expected 0..{} or "
         "-{}..-1 (0 is the first column, -1 the last)", t.path, t.header_line, index, ncols, ncols - 1, ncols);
  }
  return index < 0 ? ncols + index : index;
}

}  // namespace mixprec
