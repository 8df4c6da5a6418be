#pragma once
// Feature normalisation: fitted on the training split only (so that no statistic of the
// test rows leaks into training), then applied to every split.
#include <vector>

#include "config/config.hpp"
#include "data/dataset.hpp"

namespace mixprec {

// x -> (x - offset[j]) / scale[j] per feature j, computed in double and rounded to float.
struct Normalizer {
  Normalize kind = Normalize::kNone;
  std::vector<double> offset;  // (dim); empty for kNone
  std::vector<double> scale;   // (dim); never 0
};

// kScale: IDX bytes / 255 (a fixed range, not fitted); CSV per feature (x - min) / (max -
// min) with the training split's min and max (scikit-learn's MinMaxScaler; max == min:
// divide by 1, so a constant feature maps to 0).
// kStandardize: per feature (x - mean) / std, population std (as scikit-learn's
// StandardScaler); std 0 -> divide by 1. Sums run in double in row order: deterministic.
// Features with keep[j] true (one-hot inputs) get offset 0 and scale 1; keep may be empty.
Normalizer fit_normalizer(const Dataset& train, Normalize kind, DataFormat format,
                          const std::vector<bool>& keep = {});

void apply_normalizer(const Normalizer& normalizer, Dataset& data);

}  // namespace mixprec
