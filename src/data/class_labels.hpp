#pragma once
// The label column of a CSV file as class indices: either the class indices themselves
// (0, 1, 2, ...: each class below the largest must occur) or class names, mapped to indices
// in sorted order (data/categories.hpp). Fitted on the whole training file, before rows are
// held out, so that the seed of the split cannot change the list of classes.
#include <cstdint>
#include <string>
#include <vector>

#include "data/categories.hpp"
#include "data/csv.hpp"

namespace mixprec {

// Largest integer label accepted (exclusive): far above any classifier mixprec trains, and
// it keeps per-class bookkeeping small when a wrong column is picked as the label.
inline constexpr std::int32_t kMaxLabel = 1 << 20;

// Integer labels 0..K-1: every class below the largest must occur (a gap usually means a
// wrong label column, a damaged label byte, or labels that need remapping).
struct ClassIndexCheck {
  std::int32_t max_label = 0;
  std::int64_t max_label_row = 0;    // first row holding it
  std::int64_t max_label_rows = 0;   // rows holding it
  std::size_t missing = 0;           // classes below max_label that never occur
  std::string missing_list;          // "3, 7, ..." (at most 10)
};
// `labels` must not be empty and hold values >= 0.
ClassIndexCheck check_class_indices(const std::vector<std::int32_t>& labels);

struct ClassLabels {
  bool named = false;      // the label column holds names (any cell that is not a number)
  Categories names;        // named: index -> name
  int integer_classes = 0; // not named: labels are 0..integer_classes-1

  int num_classes() const { return named ? names.size() : integer_classes; }
  // Each class as a string: its name, or its index.
  std::vector<std::string> class_names() const;
};

// `column` of `train` is the label column. Errors name the file, line and value.
ClassLabels fit_class_labels(const CsvTable& train, int column);

// The class index of each row of `table` (label in `column`); a label the training file
// did not have is an error naming the file, line and value. `train_file` is for messages.
std::vector<std::int32_t> encode_labels(const CsvTable& table, int column, const ClassLabels& labels,
                                        const std::string& train_file);

}  // namespace mixprec
