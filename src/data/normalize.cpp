#include "data/normalize.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

namespace mixprec {

namespace {

// Leaves the features marked in `keep` as they are.
void keep_as_is(Normalizer& n, const std::vector<bool>& keep) {
  for (std::size_t j = 0; j < keep.size() && j < n.offset.size(); ++j) {
    if (keep[j]) {
      n.offset[j] = 0.0;
      n.scale[j] = 1.0;
    }
  }
}

Normalizer fit(const Dataset& train, Normalize kind, DataFormat format) {
  Normalizer n;
  n.kind = kind;
  const auto dim = static_cast<std::size_t>(train.dim());
  const Eigen::Index rows = train.x.rows();
  switch (kind) {
    case Normalize::kNone:
      return n;
    case Normalize::kScale: {
      if (format == DataFormat::kIdx) {
        n.offset.assign(dim, 0.0);
        n.scale.assign(dim, 255.0);
        return n;
      }
      std::vector<double> lo(dim, std::numeric_limits<double>::infinity());
      std::vector<double> hi(dim, -std::numeric_limits<double>::infinity());
      for (Eigen::Index r = 0; r < rows; ++r) {
        const float* row = train.x.row(r).data();
        for (std::size_t j = 0; j < dim; ++j) {
          lo[j] = std::min(lo[j], double(row[j]));
          hi[j] = std::max(hi[j], double(row[j]));
        }
      }
      n.offset.resize(dim);
      n.scale.resize(dim);
      for (std::size_t j = 0; j < dim; ++j) {
        n.offset[j] = rows > 0 ? lo[j] : 0.0;
        n.scale[j] = rows > 0 && hi[j] > lo[j] ? hi[j] - lo[j] : 1.0;
      }
      return n;
    }
    case Normalize::kStandardize: {
      // Two passes (mean, then squared deviations) rather than sum of squares, which
      // cancels catastrophically when the mean is large against the spread.
      std::vector<double> mean(dim, 0.0), var(dim, 0.0);
      for (Eigen::Index r = 0; r < rows; ++r) {
        const float* row = train.x.row(r).data();
        for (std::size_t j = 0; j < dim; ++j) mean[j] += row[j];
      }
      for (std::size_t j = 0; j < dim; ++j) mean[j] = rows > 0 ? mean[j] / static_cast<double>(rows) : 0.0;
      for (Eigen::Index r = 0; r < rows; ++r) {
        const float* row = train.x.row(r).data();
        for (std::size_t j = 0; j < dim; ++j) {
          double d = row[j] - mean[j];
          var[j] += d * d;
        }
      }
      n.offset = mean;
      n.scale.resize(dim);
      for (std::size_t j = 0; j < dim; ++j) {
        double sd = rows > 0 ? std::sqrt(var[j] / static_cast<double>(rows)) : 0.0;
        n.scale[j] = sd > 0 ? sd : 1.0;
      }
      return n;
    }
  }
  return n;
}

}  // namespace

Normalizer fit_normalizer(const Dataset& train, Normalize kind, DataFormat format,
                          const std::vector<bool>& keep) {
  Normalizer n = fit(train, kind, format);
  keep_as_is(n, keep);
  return n;
}

void apply_normalizer(const Normalizer& n, Dataset& data) {
  if (n.kind == Normalize::kNone) return;
  const auto dim = static_cast<std::size_t>(data.dim());
  assert(n.offset.size() == dim && n.scale.size() == dim);
  for (Eigen::Index r = 0; r < data.x.rows(); ++r) {
    float* row = data.x.row(r).data();
    for (std::size_t j = 0; j < dim; ++j) {
      row[j] = static_cast<float>((static_cast<double>(row[j]) - n.offset[j]) / n.scale[j]);
    }
  }
}

}  // namespace mixprec
