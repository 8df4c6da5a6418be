// load_data: read the files a DataConfig names, check the labels, split, normalise.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>

#include "common/error.hpp"
#include "common/huge_pages.hpp"
#include "data/csv.hpp"
#include "data/dataset.hpp"
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

// One file's rows, plus what it takes to point at a row's label in a message.
struct Source {
  Dataset data;
  std::string label_file;          // the file the labels were read from
  bool gzipped = false;
  std::vector<std::int64_t> lines;  // csv: 1-based line of each row; empty for idx
  int label_column = 0;             // csv: 0-based
  int image_rows = 0, image_cols = 0;  // idx

  std::string where(std::int64_t row) const {
    if (!lines.empty()) {
      return fmt::format("'{}' line {}, column {}", label_file, lines[static_cast<std::size_t>(row)],
                         label_column + 1);
    }
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

Source load_idx_pair(const std::string& images_path, const std::string& labels_path) {
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
  Source s;
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

Source load_csv_file(const std::string& path, const DataConfig& cfg) {
  CsvOptions options;
  options.header = cfg.header;
  options.label_column_name = cfg.label_column_name;
  options.label_column_index = cfg.label_column_index;
  CsvTable table = read_csv(path, options);
  Source s;
  s.data.x = Eigen::Map<const FeatureMatrix>(table.features.data(), table.rows, table.num_features);
  s.data.y = std::move(table.labels);
  s.label_file = path;
  s.gzipped = table.gzipped;
  s.lines = std::move(table.lines);
  s.label_column = table.label_column;
  return s;
}

// num_classes = max training label + 1, and every class below it must occur in training:
// a gap usually means a wrong label column or labels that need remapping.
int count_classes(const Source& train) {
  std::int32_t max_label = *std::max_element(train.data.y.begin(), train.data.y.end());
  std::vector<std::int64_t> counts(static_cast<std::size_t>(max_label) + 1, 0);
  for (std::int32_t label : train.data.y) ++counts[static_cast<std::size_t>(label)];
  std::vector<std::size_t> missing;
  for (std::size_t c = 0; c < counts.size(); ++c) {
    if (counts[c] == 0) missing.push_back(c);
  }
  if (!missing.empty()) {
    std::string list;
    for (std::size_t i = 0; i < std::min<std::size_t>(missing.size(), 10); ++i) {
      list += (i ? ", " : "") + std::to_string(missing[i]);
    }
    if (missing.size() > 10) list += ", ...";
    fail("'{}': {} of the classes 0..{} never occur in the training labels (missing: {}), expected "
         "every class from 0 to the largest label {} to occur (hint: labels must be class indices "
         "0, 1, 2, ...; remap them, or check the label column)", train.label_file, missing.size(),
         max_label, list, max_label);
  }
  if (counts.size() < 2) {
    fail("'{}': every training label is {}, expected at least 2 classes (hint: check the label "
         "column)", train.label_file, max_label);
  }
  return static_cast<int>(counts.size());
}

void check_test_labels(const Source& test, int num_classes, const std::string& train_file) {
  for (std::size_t r = 0; r < test.data.y.size(); ++r) {
    if (test.data.y[r] >= num_classes) {
      fail("{}: label {} is out of range: the training data '{}' has {} classes (0..{}) (hint: every "
           "class in the test data must also occur in the training data)", test.where(static_cast<std::int64_t>(r)),
           test.data.y[r], train_file, num_classes, num_classes - 1);
    }
  }
}

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

const char* normalize_name(Normalize n) {
  switch (n) {
    case Normalize::kNone: return "none";
    case Normalize::kScale: return "scale";
    case Normalize::kStandardize: return "standardize";
  }
  return "?";
}

}  // namespace

DataSplits load_data(const DataConfig& cfg, std::uint64_t seed) {
  // 1. Read the files.
  Source train, test;
  bool have_test = false;
  std::string source_text;
  if (cfg.format == DataFormat::kIdx) {
    if (cfg.dir.empty()) fail("data.dir is empty, expected the folder of an IDX data set (hint: {})", kIdxFilesHint);
    std::error_code ec;
    if (!fs::is_directory(cfg.dir, ec)) {
      fail("data.dir '{}' is not a folder (hint: check the path, relative to the working directory; {})",
           cfg.dir, kIdxFilesHint);
    }
    std::string train_images = find_idx_file(cfg.dir, "train-images-idx3-ubyte");
    std::string train_labels = find_idx_file(cfg.dir, "train-labels-idx1-ubyte");
    std::string test_images = find_idx_file(cfg.dir, "t10k-images-idx3-ubyte");
    std::string test_labels = find_idx_file(cfg.dir, "t10k-labels-idx1-ubyte");
    train = load_idx_pair(train_images, train_labels);
    test = load_idx_pair(test_images, test_labels);
    if (test.image_rows != train.image_rows || test.image_cols != train.image_cols) {
      fail("'{}' holds {}x{} images but '{}' holds {}x{} (the sizes at byte offset 8), expected the same "
           "size (hint: the files belong to different data sets)", test_images, test.image_rows,
           test.image_cols, train_images, train.image_rows, train.image_cols);
    }
    have_test = true;
    source_text = fmt::format("idx '{}' ({}x{} images)", cfg.dir, train.image_rows, train.image_cols);
  } else {
    if (cfg.train.empty()) fail("data.train is empty, expected the path of a CSV file (plain or .gz)");
    train = load_csv_file(cfg.train, cfg);
    source_text = fmt::format("csv '{}'", cfg.train);
    if (!cfg.test.empty()) {
      test = load_csv_file(cfg.test, cfg);
      if (test.data.dim() != train.data.dim()) {
        fail("'{}' line {}: the rows have {} feature columns but '{}' has {}, expected the same columns "
             "(hint: the files must come from the same table)", cfg.test, test.lines.front(),
             test.data.dim(), cfg.train, train.data.dim());
      }
      have_test = true;
      source_text += fmt::format(", test '{}'", cfg.test);
    }
  }

  // 2. Labels: classes from the training file; test labels must be among them.
  const int num_classes = count_classes(train);
  if (have_test) check_test_labels(test, num_classes, train.label_file);

  // 3. Hold out test and validation rows, shuffled from the seed.
  std::mt19937_64 rng(splitmix64(seed));
  DataSplits splits;
  Dataset all_train = std::move(train.data);
  all_train.num_classes = num_classes;
  if (have_test) {
    splits.test = std::move(test.data);
    splits.test.num_classes = num_classes;
  } else {
    std::int64_t held = held_out_rows(all_train.rows(), cfg.test_fraction, "data.test_fraction", cfg.train);
    Split split = split_off(all_train, held, rng);
    splits.test = std::move(split.held_out);
    all_train = std::move(split.kept);
    source_text += fmt::format(", test_fraction {} held out", cfg.test_fraction);
  }
  if (cfg.validation_fraction != 0.0) {
    std::int64_t held = held_out_rows(all_train.rows(), cfg.validation_fraction,
                                      "data.validation_fraction", train.label_file);
    Split split = split_off(all_train, held, rng);
    splits.validation = std::move(split.held_out);
    all_train = std::move(split.kept);
  }
  splits.train = std::move(all_train);

  // 4. Optionally keep only the first training rows (quick runs).
  if (cfg.max_train_samples < 0) {
    fail("data.max_train_samples is {}, expected 0 (all) or a positive row count", cfg.max_train_samples);
  }
  if (cfg.max_train_samples > 0 && cfg.max_train_samples < splits.train.rows()) {
    splits.train.x.conservativeResize(cfg.max_train_samples, Eigen::NoChange);
    splits.train.y.resize(static_cast<std::size_t>(cfg.max_train_samples));
  }

  // 5. Normalise with statistics of the rows the model trains on.
  Normalizer normalizer = fit_normalizer(splits.train, cfg.normalize, cfg.format);
  apply_normalizer(normalizer, splits.train);
  if (splits.validation) apply_normalizer(normalizer, *splits.validation);
  apply_normalizer(normalizer, splits.test);

  splits.description = fmt::format(
      "{}: {} train / {} validation / {} test rows, {} features, {} classes, normalize {}, seed {}",
      source_text, splits.train.rows(), splits.validation ? splits.validation->rows() : 0,
      splits.test.rows(), splits.train.dim(), num_classes, normalize_name(cfg.normalize), seed);
  return splits;
}

}  // namespace mixprec
