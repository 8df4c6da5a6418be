#include "data/split.hpp"

#include <cassert>
#include <utility>

#include "common/huge_pages.hpp"

namespace mixprec {

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t uniform_below(std::mt19937_64& rng, std::uint64_t bound) {
  assert(bound > 0);
  // Draws below `threshold` would make the low residues more likely: 2^64 mod bound of them.
  std::uint64_t threshold = (0 - bound) % bound;
  for (;;) {
    std::uint64_t r = rng();
    if (r >= threshold) return r % bound;
  }
}

std::vector<std::int64_t> shuffled_indices(std::int64_t n, std::mt19937_64& rng) {
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) order[i] = i;
  for (std::int64_t i = n - 1; i > 0; --i) {
    auto j = static_cast<std::int64_t>(uniform_below(rng, static_cast<std::uint64_t>(i) + 1));
    std::swap(order[i], order[j]);
  }
  return order;
}

Dataset take_rows(const Dataset& data, std::span<const std::int64_t> rows) {
  Dataset out;
  out.num_classes = data.num_classes;
  out.x.resize(static_cast<Eigen::Index>(rows.size()), data.x.cols());
  advise_huge_pages(out.x.data(), std::size_t(out.x.size()) * sizeof(float));
  out.y.resize(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    out.x.row(static_cast<Eigen::Index>(i)) = data.x.row(rows[i]);
    out.y[i] = data.y[static_cast<std::size_t>(rows[i])];
  }
  return out;
}

Split split_off(const Dataset& data, std::int64_t held_out_rows, std::mt19937_64& rng) {
  assert(held_out_rows >= 0 && held_out_rows <= data.rows());
  std::vector<std::int64_t> order = shuffled_indices(data.rows(), rng);
  std::span<const std::int64_t> all(order);
  Split split;
  split.held_out = take_rows(data, all.first(static_cast<std::size_t>(held_out_rows)));
  split.kept = take_rows(data, all.subspan(static_cast<std::size_t>(held_out_rows)));
  return split;
}

}  // namespace mixprec
