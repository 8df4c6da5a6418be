#include "data/normalize.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

namespace mixprec {

Normalizer fit_normalizer(const Dataset& train, Normalize kind, DataFormat format) {
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
      double lo = std::numeric_limits<double>::infinity();
      double hi = -lo;
      for (Eigen::Index r = 0; r < rows; ++r) {
        for (std::size_t j = 0; j < dim; ++j) {
          double v = train.x(r, static_cast<Eigen::Index>(j));
          lo = std::min(lo, v);
          hi = std::max(hi, v);
        }
      }
      if (rows == 0) lo = hi = 0.0;
      n.offset.assign(dim, lo);
      n.scale.assign(dim, hi > lo ? hi - lo : 1.0);
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
