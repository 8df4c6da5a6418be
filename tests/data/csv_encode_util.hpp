#pragma once
// A CSV file read and encoded as load_data encodes a training file, with every row as
// training rows (no split): what the reader tests and the CSV fuzz target check.
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include "data/class_labels.hpp"
#include "data/csv.hpp"
#include "data/feature_encoding.hpp"

namespace mixprec::testing {

struct EncodedCsv {
  std::int64_t rows = 0;
  int num_columns = 0;
  int label_column = 0;
  std::vector<std::string> column_names;  // empty without a header
  std::vector<float> features;            // (rows, inputs) row-major
  int inputs = 0;
  std::vector<std::int32_t> labels;
  std::vector<std::string> classes;
  std::vector<std::int64_t> lines;
  bool gzipped = false;
  FeatureEncoding encoding;
  EncodeCounts counts;
};

inline EncodedCsv encode_csv(const CsvTable& t, const CsvOptions& options, const DataConfig& cfg = {}) {
  EncodedCsv e;
  e.rows = t.rows;
  e.num_columns = t.num_columns();
  e.label_column = resolve_label_column(t, options);
  if (t.has_header)
    for (const auto& c : t.columns) e.column_names.push_back(c.name);
  const ClassLabels classes = fit_class_labels(t, e.label_column);
  e.labels = encode_labels(t, e.label_column, classes, t.path);
  e.classes = classes.class_names();
  if (cfg.missing == MissingPolicy::kError) reject_missing_cells(t, e.label_column);
  std::vector<std::int64_t> rows(std::size_t(t.rows));
  std::iota(rows.begin(), rows.end(), 0);
  e.encoding = fit_features(t, e.label_column, categorical_columns(t, e.label_column, cfg), rows, cfg.missing);
  std::vector<int> sources;
  for (const auto& c : e.encoding.columns) sources.push_back(c.source);
  const FeatureMatrix x = encode_features(e.encoding, t, sources, rows, e.counts);
  e.inputs = int(x.cols());
  e.features.assign(x.data(), x.data() + x.size());
  e.lines = t.lines;
  e.gzipped = t.gzipped;
  return e;
}

inline EncodedCsv encode_csv_file(const std::string& path, const CsvOptions& options, const DataConfig& cfg = {}) {
  return encode_csv(read_csv(path, options.header), options, cfg);
}

}  // namespace mixprec::testing
