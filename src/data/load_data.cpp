// load_data: read the files a DataConfig names, encode labels and feature columns, split,
// normalise.
#include "data/load_data.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <random>

#include "common/error.hpp"
#include "common/huge_pages.hpp"
#include "config/config_enums.hpp"
#include "data/class_labels.hpp"
#include "data/column_match.hpp"
#include "data/csv.hpp"
#include "data/data_report.hpp"
#include "data/file_bytes.hpp"
#include "data/idx.hpp"
#include "data/normalize.hpp"
#include "data/split.hpp"

namespace mixprec {
namespace {

namespace fs = std::filesystem;

constexpr const char* kIdxFilesHint =
    "data.dir must hold train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte "
    "and t10k-labels-idx1-ubyte, each plain or .gz; scripts/fetch_data.sh downloads Fashion-MNIST "
    "into data/fashion-mnist/";

// ---- IDX ----------------------------------------------------------------------------------

struct IdxSource {
  Dataset data;
  std::string label_file;
  bool gzipped = false;
  int image_rows = 0, image_cols = 0;

  std::string where(std::int64_t row) const {
    return fmt::format("{} byte offset {}", describe_file(label_file, gzipped),
                       static_cast<std::int64_t>(kIdxLabelsHeaderBytes) + row);
  }
};

std::string find_idx_file(const std::string& dir, const std::string& base) {
  fs::path plain = fs::path(dir) / base;
  fs::path gz = fs::path(dir) / (base + ".gz");
  std::error_code ec;
  if (fs::is_regular_file(plain, ec)) return plain.string();
  if (fs::is_regular_file(gz, ec)) return gz.string();
  fail("data.dir '{}': found neither '{}' nor '{}' (hint: {})", dir, plain.string(), gz.string(), kIdxFilesHint);
}

IdxSource load_idx_pair(const std::string& images_path, const std::string& labels_path) {
  IdxImages images = read_idx_images(images_path);
  IdxLabels labels = read_idx_labels(labels_path);
  if (images.count != labels.count) {
    fail("'{}' holds {} images but '{}' holds {} labels (the counts at byte offset 4 of each), "
         "expected the same number (hint: the two files belong to different data sets, or one is "
         "damaged)", images_path, images.count, labels_path, labels.count);
  }
  if (images.count == 0) {
    fail("{}: the header at byte offset 4 says 0 images, expected at least one (hint: the file is "
         "empty or damaged)", describe_file(images_path, images.gzipped));
  }
  IdxSource s;
  const Eigen::Index dim = Eigen::Index{images.rows} * images.cols;
  s.data.x.resize(images.count, dim);
  advise_huge_pages(s.data.x.data(), std::size_t(s.data.x.size()) * sizeof(float));
  // A plain loop over contiguous bytes: the compiler vectorises the conversion.
  float* x = s.data.x.data();
  const std::uint8_t* p = images.pixels.data();
  const std::size_t n = images.pixels.size();
  for (std::size_t i = 0; i < n; ++i) x[i] = static_cast<float>(p[i]);
  s.data.y.assign(labels.labels.begin(), labels.labels.end());
  s.label_file = labels_path;
  s.gzipped = labels.gzipped;
  s.image_rows = images.rows;
  s.image_cols = images.cols;
  return s;
}

// num_classes = max training label + 1, and every class below it must occur in training:
// a gap usually means a damaged label file or labels that need remapping.
int count_idx_classes(const IdxSource& train) {
  const ClassIndexCheck check = check_class_indices(train.data.y);
  if (check.missing > 0) {
    fail("'{}': {} of the classes 0..{} never occur in the training labels (missing: {}); the "
         "largest label, {}, is at {} ({} rows have it), expected every class from 0 to the largest "
         "label to occur (hint: a label far above the others is usually a damaged byte; labels must "
         "be class indices 0, 1, 2, ...)", train.label_file, check.missing, check.max_label,
         check.missing_list, check.max_label, train.where(check.max_label_row), check.max_label_rows);
  }
  if (check.max_label < 1) {
    fail("'{}': every training label is {}, expected at least 2 classes (hint: check the label "
         "file)", train.label_file, check.max_label);
  }
  return check.max_label + 1;
}

void check_idx_test_labels(const IdxSource& test, int num_classes, const std::string& train_file) {
  for (std::size_t r = 0; r < test.data.y.size(); ++r) {
    if (test.data.y[r] >= num_classes) {
      fail("{}: label {} is out of range: the training data '{}' has {} classes (0..{}) (hint: every "
           "class in the test data must also occur in the training data)", test.where(std::int64_t(r)),
           test.data.y[r], train_file, num_classes, num_classes - 1);
    }
  }
}

// ---- splits -------------------------------------------------------------------------------

// round(fraction * rows), with at least one row on each side.
std::int64_t held_out_rows(std::int64_t rows, double fraction, const char* key, const std::string& file) {
  if (!(fraction > 0.0 && fraction < 1.0)) {
    std::string hint = std::string(key) == "data.test_fraction"
                           ? "a CSV without data.test needs a test split, such as data.test_fraction = 0.2"
                           : "use 0 for no validation split, or a fraction such as 0.1";
    fail("{} is {}, expected a fraction strictly between 0 and 1 (splitting '{}') (hint: {})", key,
         fraction, file, hint);
  }
  auto held = static_cast<std::int64_t>(std::llround(fraction * static_cast<double>(rows)));
  if (held < 1 || held > rows - 1) {
    fail("'{}': {} = {} of {} rows holds out {} rows and keeps {}, expected at least 1 on each side "
         "(hint: use more data or change {})", file, key, fraction, rows, held, rows - held, key);
  }
  return held;
}

// Row indices of one file, split as split_off splits a Dataset (same shuffle, same order).
struct RowSplit {
  std::vector<std::int64_t> kept, held_out;
};

RowSplit split_rows(const std::vector<std::int64_t>& rows, std::int64_t held, std::mt19937_64& rng) {
  const std::vector<std::int64_t> order = shuffled_indices(std::int64_t(rows.size()), rng);
  RowSplit s;
  for (std::size_t i = 0; i < order.size(); ++i)
    (std::int64_t(i) < held ? s.held_out : s.kept).push_back(rows[std::size_t(order[i])]);
  return s;
}

void check_max_train_samples(const DataConfig& cfg) {
  if (cfg.max_train_samples < 0)
    fail("data.max_train_samples is {}, expected 0 (all) or a positive row count", cfg.max_train_samples);
}

std::string normalize_text(Normalize n) { return to_string(n); }

// ---- CSV ----------------------------------------------------------------------------------

CsvOptions csv_options(const DataConfig& cfg) {
  CsvOptions o;
  o.header = cfg.header;
  o.label_column_name = cfg.label_column_name;
  o.label_column_index = cfg.label_column_index;
  return o;
}

// The training file's layout in the encoding (what a test file is matched against).
void note_layout(const CsvTable& train, int label_column, DataEncoding& e) {
  e.format = DataFormat::kCsv;
  e.has_header = train.has_header;
  e.column_names.clear();
  if (train.has_header)
    for (const auto& c : train.columns) e.column_names.push_back(c.name);
  e.num_columns = train.num_columns();
  e.label_column = label_column;
}

Dataset encode_split(const DataEncoding& e, const CsvTable& table, const ColumnMatch& match,
                     const std::vector<std::int32_t>& labels, const std::vector<std::int64_t>& rows,
                     EncodeCounts& counts) {
  std::vector<int> source_of;
  for (const ColumnEncoding& c : e.features.columns) source_of.push_back(match.column[std::size_t(c.source)]);
  Dataset d;
  d.x = encode_features(e.features, table, source_of, rows, counts);
  d.y.reserve(rows.size());
  for (std::int64_t r : rows) d.y.push_back(labels[std::size_t(r)]);
  d.num_classes = e.num_classes();
  return d;
}

DataSplits load_csv(const DataConfig& cfg, std::uint64_t seed, const DataEncoding* fitted) {
  DataSplits splits;
  DataReport report;
  const bool have_test = !cfg.test.empty();
  // With a stored encoding and a test file, the training file is not needed at all.
  const bool need_train = !(fitted && have_test);
  if (need_train && cfg.train.empty()) fail("data.train is empty, expected the path of a CSV file (plain or .gz)");

  // 1. Read the files; the training file decides the columns (or the stored encoding does).
  std::optional<CsvTable> train;
  DataEncoding e;
  if (fitted) e = *fitted;
  if (need_train) {
    train = read_csv(cfg.train, cfg.header);
    if (!fitted) note_layout(*train, resolve_label_column(*train, csv_options(cfg)), e);
  }
  std::optional<CsvTable> test;
  if (have_test) test = read_csv(cfg.test, cfg.header);

  // 2. Labels: classes from the whole training file (before rows are held out).
  const std::string classes_from = fitted ? std::string("the training run's data") : cfg.train;
  if (!fitted) e.classes = fit_class_labels(*train, e.label_column);
  std::optional<ColumnMatch> train_match, test_match;
  std::vector<std::int32_t> train_labels, test_labels;
  if (train) {
    train_match = match_columns(e, *train, classes_from);
    train_labels = encode_labels(*train, train_match->label_source, e.classes, classes_from);
  }
  if (test) {
    test_match = match_columns(e, *test, fitted ? classes_from : cfg.train);
    test_labels = encode_labels(*test, test_match->label_source, e.classes, classes_from);
  }
  if (cfg.missing == MissingPolicy::kError && !fitted) {
    reject_missing_cells(*train, e.label_column);
    if (test) reject_missing_cells(*test, test_match->label_source);
  }

  // 3. Hold out test and validation rows, shuffled from the seed.
  std::mt19937_64 rng(splitmix64(seed));
  std::vector<std::int64_t> train_rows, validation_rows, test_rows;
  std::string source_text = fmt::format("csv '{}'", need_train ? cfg.train : cfg.test);
  if (train) {
    train_rows.resize(std::size_t(train->rows));
    std::iota(train_rows.begin(), train_rows.end(), 0);
  }
  if (have_test) {
    test_rows.resize(std::size_t(test->rows));
    std::iota(test_rows.begin(), test_rows.end(), 0);
    if (need_train) source_text += fmt::format(", test '{}'", cfg.test);
  } else {
    const std::int64_t held = held_out_rows(std::int64_t(train_rows.size()), cfg.test_fraction,
                                            "data.test_fraction", cfg.train);
    RowSplit s = split_rows(train_rows, held, rng);
    test_rows = std::move(s.held_out);
    train_rows = std::move(s.kept);
    source_text += fmt::format(", test_fraction {} held out", cfg.test_fraction);
  }
  if (train && cfg.validation_fraction != 0.0) {
    const std::int64_t held = held_out_rows(std::int64_t(train_rows.size()), cfg.validation_fraction,
                                            "data.validation_fraction", cfg.train);
    RowSplit s = split_rows(train_rows, held, rng);
    validation_rows = std::move(s.held_out);
    train_rows = std::move(s.kept);
  }
  // 4. Optionally keep only the first training rows (quick runs).
  check_max_train_samples(cfg);
  if (cfg.max_train_samples > 0 && cfg.max_train_samples < std::int64_t(train_rows.size()))
    train_rows.resize(std::size_t(cfg.max_train_samples));

  // 5. Fit the feature encoding on the training split and encode every split.
  if (!fitted) {
    const std::vector<bool> categorical = categorical_columns(*train, e.label_column, cfg);
    e.features = fit_features(*train, e.label_column, categorical, train_rows, cfg.missing);
  }
  const CsvTable& test_table = have_test ? *test : *train;
  const ColumnMatch& test_columns = have_test ? *test_match : *train_match;
  EncodeCounts train_counts, validation_counts, test_counts;
  if (train) {
    splits.train = encode_split(e, *train, *train_match, train_labels, train_rows, train_counts);
    if (!validation_rows.empty())
      splits.validation = encode_split(e, *train, *train_match, train_labels, validation_rows, validation_counts);
  }
  splits.test = encode_split(e, test_table, test_columns, have_test ? test_labels : train_labels,
                             test_rows, test_counts);

  // 6. Normalise with statistics of the rows the model trains on.
  if (!fitted) e.normalizer = fit_normalizer(splits.train, cfg.normalize, DataFormat::kCsv, e.features.one_hot_inputs());
  // With a stored encoding and a test file the training file was not read: no train split.
  if (train) apply_normalizer(e.normalizer, splits.train);
  if (splits.validation) apply_normalizer(e.normalizer, *splits.validation);
  apply_normalizer(e.normalizer, splits.test);

  report.add_csv(e, splits, train_counts, splits.validation ? &validation_counts : nullptr, test_counts,
                 test_table, test_columns, splits.warnings);
  splits.description = fmt::format(
      "{}: {} train / {} validation / {} test rows, {} features, {} classes, normalize {}, seed {}",
      source_text, splits.train.rows(), splits.validation ? splits.validation->rows() : 0,
      splits.test.rows(), e.features.width(), e.num_classes(), normalize_text(e.normalizer.kind), seed);
  splits.report = report.to_json();
  splits.encoding = std::move(e);
  return splits;
}

DataSplits load_idx(const DataConfig& cfg, std::uint64_t seed, const DataEncoding* fitted) {
  if (cfg.dir.empty()) fail("data.dir is empty, expected the folder of an IDX data set (hint: {})", kIdxFilesHint);
  std::error_code ec;
  if (!fs::is_directory(cfg.dir, ec)) {
    fail("data.dir '{}' is not a folder (hint: check the path, relative to the working directory; {})",
         cfg.dir, kIdxFilesHint);
  }
  const std::string train_images = find_idx_file(cfg.dir, "train-images-idx3-ubyte");
  const std::string train_labels = find_idx_file(cfg.dir, "train-labels-idx1-ubyte");
  const std::string test_images = find_idx_file(cfg.dir, "t10k-images-idx3-ubyte");
  const std::string test_labels = find_idx_file(cfg.dir, "t10k-labels-idx1-ubyte");
  IdxSource train = load_idx_pair(train_images, train_labels);
  IdxSource test = load_idx_pair(test_images, test_labels);
  if (test.image_rows != train.image_rows || test.image_cols != train.image_cols) {
    fail("'{}' holds {}x{} images but '{}' holds {}x{} (the sizes at byte offset 8), expected the same "
         "size (hint: the files belong to different data sets)", test_images, test.image_rows,
         test.image_cols, train_images, train.image_rows, train.image_cols);
  }
  // Labels: classes from the training file; test labels must be among them.
  const int num_classes = fitted ? fitted->num_classes() : count_idx_classes(train);
  check_idx_test_labels(test, num_classes, train.label_file);

  DataSplits splits;
  std::mt19937_64 rng(splitmix64(seed));
  Dataset all_train = std::move(train.data);
  all_train.num_classes = num_classes;
  splits.test = std::move(test.data);
  splits.test.num_classes = num_classes;
  if (cfg.validation_fraction != 0.0) {
    const std::int64_t held = held_out_rows(all_train.rows(), cfg.validation_fraction,
                                            "data.validation_fraction", train.label_file);
    Split split = split_off(all_train, held, rng);
    splits.validation = std::move(split.held_out);
    all_train = std::move(split.kept);
  }
  splits.train = std::move(all_train);
  check_max_train_samples(cfg);
  if (cfg.max_train_samples > 0 && cfg.max_train_samples < splits.train.rows()) {
    splits.train.x.conservativeResize(cfg.max_train_samples, Eigen::NoChange);
    splits.train.y.resize(static_cast<std::size_t>(cfg.max_train_samples));
  }

  // IDX scaling is fixed (bytes / 255), not fitted: computed for these images even with a
  // stored encoding, so that images of another size reach eval's model-shape check intact.
  DataEncoding e;
  e.format = DataFormat::kIdx;
  e.classes.integer_classes = num_classes;
  e.normalizer = fit_normalizer(splits.train, cfg.normalize, DataFormat::kIdx);
  apply_normalizer(e.normalizer, splits.train);
  if (splits.validation) apply_normalizer(e.normalizer, *splits.validation);
  apply_normalizer(e.normalizer, splits.test);

  DataReport report;
  report.add_idx(e, splits);
  splits.description = fmt::format(
      "idx '{}' ({}x{} images): {} train / {} validation / {} test rows, {} features, {} classes, "
      "normalize {}, seed {}", cfg.dir, train.image_rows, train.image_cols, splits.train.rows(),
      splits.validation ? splits.validation->rows() : 0, splits.test.rows(), splits.train.dim(),
      num_classes, normalize_text(e.normalizer.kind), seed);
  splits.report = report.to_json();
  splits.encoding = std::move(e);
  return splits;
}

}  // namespace

DataSplits load_data(const DataConfig& cfg, std::uint64_t seed, const DataEncoding* fitted) {
  if (fitted && fitted->format != cfg.format) {
    fail("data.format is \"{}\", but the run was trained on \"{}\" data (hint: evaluate on data of the "
         "kind the model was trained on)", to_string(cfg.format), to_string(fitted->format));
  }
  return cfg.format == DataFormat::kIdx ? load_idx(cfg, seed, fitted) : load_csv(cfg, seed, fitted);
}

}  // namespace mixprec
