#include "data/data_report.hpp"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#include "config/config_enums.hpp"

namespace mixprec {
namespace {

using nlohmann::json;

std::vector<std::int64_t> class_counts(const Dataset& d, int num_classes) {
  std::vector<std::int64_t> counts(std::size_t(num_classes), 0);
  for (std::int32_t y : d.y) ++counts[std::size_t(y)];
  return counts;
}

// Above this many inputs from one column, say so: an ID or free-text column one-hot
// encoded is the usual cause, and it makes the model wide and the results meaningless.
constexpr int kManyCategories = 100;

}  // namespace

void DataReport::add_common(const DataEncoding& e, const DataSplits& splits) {
  report_["classes"] = e.classes.class_names();
  report_["class_labels"] = e.classes.named ? "names" : "indices";
  json counts = {{"train", class_counts(splits.train, e.num_classes())},
                 {"test", class_counts(splits.test, e.num_classes())}};
  if (splits.validation) counts["validation"] = class_counts(*splits.validation, e.num_classes());
  report_["class_counts"] = counts;
  report_["rows"] = {{"train", splits.train.rows()},
                     {"validation", splits.validation ? splits.validation->rows() : 0},
                     {"test", splits.test.rows()}};
  report_["inputs"] = splits.train.dim();
  report_["normalize"] = to_string(e.normalizer.kind);
}

void DataReport::add_idx(const DataEncoding& e, const DataSplits& splits) {
  add_common(e, splits);
  report_["columns"] = json::array();
}

void DataReport::add_csv(const DataEncoding& e, const DataSplits& splits, const EncodeCounts& train,
                         const EncodeCounts* validation, const EncodeCounts& test, const CsvTable& test_table,
                         const ColumnMatch& test_columns, std::vector<std::string>& warnings) {
  add_common(e, splits);
  report_["missing_policy"] = to_string(e.features.missing);
  json columns = json::array();
  Eigen::Index input = 0;
  for (std::size_t i = 0; i < e.features.columns.size(); ++i) {
    const ColumnEncoding& c = e.features.columns[i];
    json col = {{"name", c.label()}, {"column", c.source}, {"kind", c.categorical ? "categorical" : "numeric"},
                {"inputs", c.width()}};
    json missing = {{"train", train.missing.empty() ? 0 : train.missing[i]}, {"test", test.missing[i]}};
    if (validation) missing["validation"] = validation->missing[i];
    col["missing"] = missing;
    if (c.categorical) {
      col["categories"] = c.categories.names();
      json unseen = {{"test", test.unseen[i]}};
      if (validation) unseen["validation"] = validation->unseen[i];
      col["unseen"] = unseen;
      for (auto [split, counts] : {std::pair{"test", &test}, std::pair{"validation", validation}}) {
        if (!counts || counts->unseen[i] == 0) continue;
        const std::int64_t r = counts->first_unseen_row[i];
        const CsvTable& table = test_table;  // validation rows come from the training file
        std::string first = r >= 0 && split == std::string("test")
                                ? fmt::format(" such as '{}' ({})",
                                              table.columns[std::size_t(test_columns.column[std::size_t(c.source)])].cell_name(r),
                                              table.where(r, test_columns.column[std::size_t(c.source)]))
                                : "";
        warnings.push_back(fmt::format(
            "column '{}': {} {} rows have a category the training split does not have{}; they are "
            "encoded as all zeros", c.label(), counts->unseen[i], split, first));
      }
      if (c.width() > kManyCategories) {
        warnings.push_back(fmt::format(
            "column '{}' is one-hot encoded into {} inputs: a column of identifiers or free text makes "
            "the model wide and its results meaningless; if it is numeric, write its non-numeric cells "
            "as empty cells (missing)", c.label(), c.width()));
      }
    } else if (splits.train.rows() > 0) {
      float lo = std::numeric_limits<float>::infinity(), hi = -lo;
      for (Eigen::Index r = 0; r < splits.train.rows(); ++r) {
        lo = std::min(lo, splits.train.x(r, input));
        hi = std::max(hi, splits.train.x(r, input));
      }
      col["train_min"] = lo;
      col["train_max"] = hi;
      if (e.features.missing == MissingPolicy::kMean) col["fill"] = c.fill;
    }
    input += c.width();
    columns.push_back(std::move(col));
  }
  report_["columns"] = columns;
}

}  // namespace mixprec
