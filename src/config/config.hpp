#pragma once
// The typed run configuration. Every key of the JSON config maps to one field here;
// config_loader.cpp parses and validates it (unknown keys are errors) and
// docs/config.md documents each key with its default. Defaults live in the initialisers.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kernels/activation.hpp"
#include "precision/precision.hpp"
#include "precision/rounding.hpp"

namespace mixprec {

enum class DataFormat { kIdx, kCsv };
enum class Normalize { kNone, kScale, kStandardize };
enum class CsvHeader { kAuto, kYes, kNo };
enum class MissingPolicy { kError, kMean };
enum class Init { kAuto, kHe, kXavier };  // kAuto: He for relu/gelu, Xavier for tanh
enum class OptimizerKind { kSgd, kAdam, kAdamW };
enum class ScheduleKind { kConstant, kStep, kCosine };
// -true modes: how an update reaches the 16-bit weights (NUMERICS.md "Beyond nearest rounding").
enum class Compensation { kNone, kKahan };

// A CSV column named by its header (name) or by its 0-based index.
struct ColumnRef {
  std::string name;  // empty: by index
  int index = 0;
  bool by_name() const { return !name.empty(); }
};

struct DataConfig {
  DataFormat format = DataFormat::kIdx;
  // idx: a folder holding train-images-idx3-ubyte, train-labels-idx1-ubyte,
  // t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (each plain or .gz).
  std::string dir;
  // csv: the training file and an optional test file (plain or .gz).
  std::string train;
  std::string test;
  double test_fraction = 0.2;           // csv without a test file: held out from train
  std::string label_column_name;        // csv: column by header name, or...
  int label_column_index = -1;          // ...by index; negative counts from the end
  CsvHeader header = CsvHeader::kAuto;
  // scale: idx bytes / 255; csv per column (x - min) / (max - min), min and max of the
  // training split. standardize: per column (x - mean) / std, from the training split only.
  // One-hot inputs of categorical columns are left as they are.
  Normalize normalize = Normalize::kScale;
  // csv: columns to one-hot encode even though their cells are numbers (a column with a
  // text cell always is).
  std::vector<ColumnRef> categorical;
  // csv: a missing cell (empty, NA, ...) is an error, or filled from the training split.
  MissingPolicy missing = MissingPolicy::kError;
  double validation_fraction = 0.0;     // held out from train, after the test split
  std::int64_t max_train_samples = 0;   // 0: all; otherwise the first N (for quick runs)
};

struct ModelConfig {
  std::vector<int> hidden = {256};
  Activation activation = Activation::kRelu;
  Init init = Init::kAuto;
};

struct OptimizerConfig {
  OptimizerKind kind = OptimizerKind::kSgd;
  double lr = 0.1;
  double momentum = 0.9;        // sgd
  double dampening = 0.0;       // sgd
  bool nesterov = false;        // sgd
  double weight_decay = 0.0;    // sgd/adam: L2 added to the gradient; adamw: decoupled
  double beta1 = 0.9;           // adam/adamw
  double beta2 = 0.999;         // adam/adamw
  double eps = 1e-8;            // adam/adamw
  double clip_grad_norm = 0.0;  // 0: off; else clip the unscaled gradients' global L2 norm
  Compensation compensation = Compensation::kNone;  // -true modes: kahan keeps a buffer c
};

// NUMERICS.md "Beyond nearest rounding": the rounding of each update into 16-bit weights and
// optimizer state (-true modes) and of every 16-bit gradient (all 16-bit modes).
struct RoundingConfig {
  RoundingMode weights = RoundingMode::kNearestEven;
  RoundingMode gradients = RoundingMode::kNearestEven;
};

struct ScheduleConfig {
  ScheduleKind kind = ScheduleKind::kConstant;
  double warmup_epochs = 0.0;   // linear warm-up from 0 to lr over this many epochs (fractional ok)
  int step_epochs = 1;          // step: multiply by gamma every step_epochs epochs
  double gamma = 0.1;           // step
  double min_lr = 0.0;          // cosine: the final learning rate
};

struct LossScaleConfig {
  std::optional<LossScaling> mode;  // unset: the precision's default (NUMERICS.md)
  double init = 65536.0;            // dynamic: initial scale; static: the scale
  double growth_factor = 2.0;
  int growth_interval = 2000;       // consecutive finite steps before growing
  double backoff_factor = 0.5;
  double min = 1.0;                 // dynamic: a scale below this ends the run
};

struct TrainConfig {
  int epochs = 5;
  int batch_size = 128;
  int eval_batch_size = 1000;
  bool shuffle = true;
};

struct Config {
  std::string name = "run";
  Precision precision = Precision::kFp32;
  std::uint64_t seed = 0;
  int threads = 0;  // 0: all cores
  DataConfig data;
  ModelConfig model;
  OptimizerConfig optimizer;
  ScheduleConfig schedule;
  LossScaleConfig loss_scale;
  RoundingConfig rounding;
  TrainConfig train;
};

}  // namespace mixprec
