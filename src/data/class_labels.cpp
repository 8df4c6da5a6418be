#include "data/class_labels.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <fmt/ranges.h>

#include "common/error.hpp"

namespace mixprec {
namespace {


// "'a', 'b', ..." with at most 10 names, for messages.
std::string first_names(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < 10; ++i) out += (i ? ", " : "") + show_cell(names[i]);
  if (names.size() > 10) out += ", ...";
  return out;
}

[[noreturn]] void missing_label(const CsvTable& t, std::int64_t r, int column) {
  fail("{}: the label is missing, expected a class (hint: rows without a label cannot be "
       "trained or scored; drop them, or check that data.label_column is the label column)",
       t.where(r, column));
}

// An integer label: a whole number in [0, kMaxLabel).
std::int32_t integer_label(const CsvTable& t, std::int64_t r, int column) {
  const float value = t.columns[std::size_t(column)].numbers[std::size_t(r)];
  if (value >= 0 && value == std::floor(value)) {
    if (value < float(kMaxLabel)) return static_cast<std::int32_t>(value);
    fail("{}: label {} is too large, expected a class index below {} (hint: is {} really the "
         "label column? choose another with data.label_column, a name or a 0-based index)",
         t.where(r, column), show_cell(t.columns[std::size_t(column)].cell_name(r)), kMaxLabel,
         t.column_text(column));
  }
  fail("{}: label {} is not a non-negative integer (hint: the label column, {}, holds numbers, "
       "so they must be class indices 0, 1, 2, ...; class names such as 'cat' are also accepted; "
       "or choose another column with data.label_column)", t.where(r, column),
       show_cell(t.columns[std::size_t(column)].cell_name(r)), t.column_text(column));
}

}  // namespace

ClassIndexCheck check_class_indices(const std::vector<std::int32_t>& labels) {
  ClassIndexCheck c;
  const auto max_it = std::max_element(labels.begin(), labels.end());
  c.max_label = *max_it;
  c.max_label_row = max_it - labels.begin();
  std::vector<std::int64_t> counts(std::size_t(c.max_label) + 1, 0);
  for (std::int32_t label : labels) ++counts[std::size_t(label)];
  c.max_label_rows = counts.back();
  for (std::size_t k = 0; k < counts.size(); ++k) {
    if (counts[k] != 0) continue;
    if (c.missing < 10) {
      if (c.missing > 0) c.missing_list += ", ";
      c.missing_list += std::to_string(k);
    }
    ++c.missing;
  }
  if (c.missing > 10) c.missing_list += ", ...";
  return c;
}

std::vector<std::string> ClassLabels::class_names() const {
  if (named) return names.names();
  std::vector<std::string> out;
  for (int c = 0; c < integer_classes; ++c) out.push_back(std::to_string(c));
  return out;
}

ClassLabels fit_class_labels(const CsvTable& train, int column) {
  const CsvColumn& col = train.columns[std::size_t(column)];
  if (col.missing > 0) missing_label(train, col.first_missing_row, column);
  ClassLabels labels;
  if (col.has_text()) {
    labels.named = true;
    std::vector<std::int64_t> rows(std::size_t(train.rows));
    std::iota(rows.begin(), rows.end(), 0);
    labels.names = Categories::fit(col, rows);
    if (labels.names.size() < 2) {
      fail("'{}': every training label is {}, expected at least 2 classes (hint: check the label "
           "column, {})", train.path, show_cell(labels.names.names().front()), train.column_text(column));
    }
    return labels;
  }
  // Class indices: every class from 0 to the largest must occur; a gap usually means a
  // wrong label column or labels that need remapping.
  std::int32_t max_label = 0;
  std::vector<std::int32_t> y(std::size_t(train.rows));
  for (std::int64_t r = 0; r < train.rows; ++r) {
    y[std::size_t(r)] = integer_label(train, r, column);
    max_label = std::max(max_label, y[std::size_t(r)]);
  }
  const ClassIndexCheck check = check_class_indices(y);
  if (check.missing > 0) {
    fail("'{}': {} of the classes 0..{} never occur in the training labels (missing: {}), expected "
         "every class from 0 to the largest label {} to occur (hint: labels must be class indices "
         "0, 1, 2, ... or class names; remap them, or check the label column, {})", train.path,
         check.missing, max_label, check.missing_list, max_label, train.column_text(column));
  }
  if (max_label < 1) {
    fail("'{}': every training label is {}, expected at least 2 classes (hint: check the label "
         "column, {})", train.path, max_label, train.column_text(column));
  }
  labels.integer_classes = max_label + 1;
  return labels;
}

std::vector<std::int32_t> encode_labels(const CsvTable& t, int column, const ClassLabels& labels,
                                        const std::string& train_file) {
  const CsvColumn& col = t.columns[std::size_t(column)];
  std::vector<std::int32_t> y(std::size_t(t.rows));
  if (labels.named) {
    const Categories::ColumnLookup lookup = labels.names.lookup(col);
    for (std::int64_t r = 0; r < t.rows; ++r) {
      if (col.is_missing(r)) missing_label(t, r, column);
      const int c = lookup.index(r);
      if (c == Categories::kUnseen) {
        fail("{}: label {} does not occur in the training data '{}', whose {} classes are {} (hint: "
             "a model cannot score a class it was never trained on; drop these rows or add the class "
             "to the training file)", t.where(r, column), show_cell(col.cell_name(r)), train_file,
             labels.num_classes(), first_names(labels.names.names()));
      }
      y[std::size_t(r)] = c;
    }
    return y;
  }
  for (std::int64_t r = 0; r < t.rows; ++r) {
    if (col.is_missing(r)) missing_label(t, r, column);
    if (col.is_text(r)) {
      fail("{}: label {} is a name, but the training data '{}' labels its classes by index 0..{} "
           "(hint: use the same labels in both files)", t.where(r, column), show_cell(col.cell_name(r)),
           train_file, labels.integer_classes - 1);
    }
    const std::int32_t label = integer_label(t, r, column);
    if (label >= labels.integer_classes) {
      fail("{}: label {} is out of range: the training data '{}' has {} classes (0..{}) (hint: every "
           "class in the test data must also occur in the training data)", t.where(r, column), label,
           train_file, labels.integer_classes, labels.integer_classes - 1);
    }
    y[std::size_t(r)] = label;
  }
  return y;
}

}  // namespace mixprec
