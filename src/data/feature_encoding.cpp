#include "data/feature_encoding.hpp"

#include <algorithm>

#include "common/error.hpp"

namespace mixprec {

std::string ColumnEncoding::label() const {
  return name.empty() ? fmt::format("column {}", source + 1) : name;
}

int FeatureEncoding::width() const {
  int w = 0;
  for (const auto& c : columns) w += c.width();
  return w;
}

std::vector<std::string> FeatureEncoding::input_names() const {
  std::vector<std::string> out;
  for (const auto& c : columns) {
    if (!c.categorical) {
      out.push_back(c.label());
      continue;
    }
    for (const auto& name : c.categories.names()) out.push_back(c.label() + "=" + name);
    if (c.missing_slot) out.push_back(c.label() + "=<missing>");
  }
  return out;
}

std::vector<bool> FeatureEncoding::one_hot_inputs() const {
  std::vector<bool> out;
  for (const auto& c : columns) out.insert(out.end(), std::size_t(c.width()), c.categorical);
  return out;
}

std::vector<bool> categorical_columns(const CsvTable& train, int label_column, const DataConfig& cfg) {
  std::vector<bool> categorical(std::size_t(train.num_columns()), false);
  for (int c = 0; c < train.num_columns(); ++c) categorical[std::size_t(c)] = train.columns[std::size_t(c)].has_text();
  for (const ColumnRef& ref : cfg.categorical) {
    int column = ref.index;
    if (ref.by_name()) {
      auto same = [&](const CsvColumn& col) { return col.name == ref.name; };
      auto it = std::find_if(train.columns.begin(), train.columns.end(), same);
      if (!train.has_header || it == train.columns.end()) {
        fail("data.categorical: '{}' names no column of '{}' ({}) (hint: names are case-sensitive; "
             "a 0-based column index works without a header)", ref.name, train.path,
             train.has_header ? "see its header on line " + std::to_string(train.header_line)
                              : "the file has no header row");
      }
      column = int(it - train.columns.begin());
    } else if (column < 0 || column >= train.num_columns()) {
      fail("data.categorical: column index {} is out of range for the {} columns of '{}', expected "
           "0..{} (hint: indices are 0-based and count the label column too)", column,
           train.num_columns(), train.path, train.num_columns() - 1);
    }
    if (column == label_column) {
      fail("data.categorical: {} of '{}' is the label column, expected feature columns only (hint: "
           "the label column's values are classes already)", train.column_text(column), train.path);
    }
    categorical[std::size_t(column)] = true;
  }
  return categorical;
}

FeatureEncoding fit_features(const CsvTable& train, int label_column, const std::vector<bool>& categorical,
                             std::span<const std::int64_t> rows, MissingPolicy missing) {
  FeatureEncoding e;
  e.missing = missing;
  for (int c = 0; c < train.num_columns(); ++c) {
    if (c == label_column) continue;
    const CsvColumn& col = train.columns[std::size_t(c)];
    ColumnEncoding ce;
    ce.name = col.name;
    ce.source = c;
    ce.categorical = categorical[std::size_t(c)];
    if (ce.categorical) {
      ce.categories = Categories::fit(col, rows);
      if (ce.categories.size() > kMaxCategories) {
        const std::int64_t r = col.first_text_row >= 0 ? col.first_text_row : 0;
        fail("{}: {} has {} distinct values in the training split, expected at most {} categories to "
             "one-hot encode (hint: {})", train.where(r, c), train.column_text(c), ce.categories.size(),
             kMaxCategories,
             col.has_text() ? fmt::format("an identifier or free-text column cannot be a feature; if the "
                                          "column is numeric, write cells such as '{}' as empty cells (missing)",
                                          col.cell_name(col.first_text_row))
                            : "remove the column from data.categorical");
      }
      if (missing == MissingPolicy::kMean)
        ce.missing_slot = std::any_of(rows.begin(), rows.end(), [&](std::int64_t r) { return col.is_missing(r); });
    } else if (missing == MissingPolicy::kMean) {
      // The mean of the values present, in double and row order (deterministic); 0 when
      // the training split has none.
      double sum = 0.0;
      std::int64_t n = 0;
      for (std::int64_t r : rows) {
        if (!col.is_number(r)) continue;
        sum += col.numbers[std::size_t(r)];
        ++n;
      }
      ce.fill = n > 0 ? sum / double(n) : 0.0;
    }
    e.columns.push_back(std::move(ce));
  }
  return e;
}

FeatureMatrix encode_features(const FeatureEncoding& e, const CsvTable& t, std::span<const int> source_of,
                              std::span<const std::int64_t> rows, EncodeCounts& counts) {
  const auto ncols = e.columns.size();
  counts.missing.assign(ncols, 0);
  counts.unseen.assign(ncols, 0);
  counts.first_unseen_row.assign(ncols, -1);
  FeatureMatrix x = FeatureMatrix::Zero(Eigen::Index(rows.size()), e.width());
  Eigen::Index offset = 0;
  for (std::size_t i = 0; i < ncols; ++i) {
    const ColumnEncoding& ce = e.columns[i];
    const int source = source_of[i];
    const CsvColumn& col = t.columns[std::size_t(source)];
    if (!ce.categorical && col.has_text()) {
      const std::int64_t r = col.first_text_row;
      fail("{}: {} is not a number, but {} is numeric in the training data (hint: the files must hold "
           "the same kind of values in each column; write an empty cell for a missing value)",
           t.where(r, source), col.cell_name(r), t.column_text(source));
    }
    const Categories::ColumnLookup lookup = ce.categories.lookup(col);
    for (std::size_t k = 0; k < rows.size(); ++k) {
      const std::int64_t r = rows[k];
      float* out = x.row(Eigen::Index(k)).data() + offset;
      if (col.is_missing(r)) {
        if (e.missing == MissingPolicy::kError) {
          fail("{}: the cell is missing, expected {} (hint: set data.missing to \"mean\" to fill missing "
               "cells from the training split, or fill them first)", t.where(r, source),
               ce.categorical ? "a category" : "a number");
        }
        ++counts.missing[i];
        if (!ce.categorical) *out = float(ce.fill);
        else if (ce.missing_slot) out[ce.categories.size()] = 1.0f;
        else ++counts.unseen[i];  // no missing slot: all zeros, as an unseen category
        continue;
      }
      if (!ce.categorical) {
        *out = col.numbers[std::size_t(r)];
        continue;
      }
      const int category = lookup.index(r);
      if (category == Categories::kUnseen) {
        if (counts.first_unseen_row[i] < 0) counts.first_unseen_row[i] = r;
        ++counts.unseen[i];
      } else {
        out[category] = 1.0f;
      }
    }
    offset += ce.width();
  }
  return x;
}

void reject_missing_cells(const CsvTable& t, int label_column) {
  std::int64_t first_row = -1;
  int first_column = -1;
  for (int c = 0; c < t.num_columns(); ++c) {
    const std::int64_t r = t.columns[std::size_t(c)].first_missing_row;
    if (c == label_column || r < 0) continue;
    if (first_row < 0 || r < first_row) {
      first_row = r;
      first_column = c;
    }
  }
  if (first_row < 0) return;
  std::int64_t total = 0;
  for (int c = 0; c < t.num_columns(); ++c)
    if (c != label_column) total += t.columns[std::size_t(c)].missing;
  fail("{}: the cell is missing (empty or a marker such as NA), expected a value ({} missing cells in "
       "the file) (hint: set data.missing to \"mean\" to fill numeric cells with the training "
       "split's mean and give categorical ones a category of their own, or fill them first)",
       t.where(first_row, first_column), total);
}

}  // namespace mixprec
