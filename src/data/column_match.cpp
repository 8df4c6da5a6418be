#include "data/column_match.hpp"

#include <algorithm>
#include <set>

#include "common/error.hpp"

namespace mixprec {
namespace {

bool has_duplicates(std::vector<std::string> names) {
  std::sort(names.begin(), names.end());
  return std::adjacent_find(names.begin(), names.end()) != names.end();
}

std::string quoted_list(const std::vector<std::string>& names) {
  std::string out;
  const std::size_t shown = std::min<std::size_t>(names.size(), 10);
  for (std::size_t i = 0; i < shown; ++i) out += fmt::format("{}'{}'", i ? ", " : "", names[i]);
  if (shown < names.size()) out += fmt::format(", ... ({} in all)", names.size());
  return out;
}

}  // namespace

ColumnMatch match_columns(const DataEncoding& layout, const CsvTable& table, const std::string& train_file) {
  ColumnMatch m;
  std::vector<std::string> table_names;
  for (const auto& c : table.columns) table_names.push_back(c.name);
  const bool by_name = layout.has_header && table.has_header && !has_duplicates(layout.column_names) &&
                       !has_duplicates(table_names);
  if (!by_name) {
    if (table.num_columns() != layout.num_columns) {
      fail("'{}' line {}: the rows have {} columns but the training data '{}' has {}, expected the same "
           "columns (hint: the files must come from the same table{})", table.path, table.lines.front(),
           table.num_columns(), train_file, layout.num_columns,
           layout.has_header && table.has_header ? "" : "; with a header row in both files, columns are matched by name");
    }
    for (int c = 0; c < layout.num_columns; ++c) m.column.push_back(c);
    m.label_source = layout.label_column;
    return m;
  }
  std::vector<std::string> missing, extra;
  for (const std::string& name : layout.column_names) {
    auto it = std::find(table_names.begin(), table_names.end(), name);
    if (it == table_names.end()) missing.push_back(name);
    m.column.push_back(int(it - table_names.begin()));
  }
  const std::set<std::string> known(layout.column_names.begin(), layout.column_names.end());
  for (const std::string& name : table_names)
    if (!known.count(name)) extra.push_back(name);
  if (!missing.empty() || !extra.empty()) {
    std::string diff;
    if (!missing.empty()) diff += "missing " + quoted_list(missing);
    if (!extra.empty()) diff += std::string(diff.empty() ? "" : "; ") + "not in training " + quoted_list(extra);
    fail("'{}' line {}: the header's columns differ from the training data '{}': {} (hint: columns are "
         "matched by header name, in any order; the names must be the training file's, case included)",
         table.path, table.header_line, train_file, diff);
  }
  m.label_source = m.column[std::size_t(layout.label_column)];
  return m;
}

}  // namespace mixprec
