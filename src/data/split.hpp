#pragma once
// Deterministic random splits. std::shuffle and std::uniform_int_distribution are not
// specified exactly, so the same seed would split differently with libstdc++ and libc++;
// std::mt19937_64 is fully specified, and the two helpers below are our own.
#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include "data/dataset.hpp"

namespace mixprec {

// SplitMix64 (Steele, Lea, Flood 2014): turns the run seed into the data seed so that the
// data stream differs from any other std::mt19937_64 seeded with the run seed itself.
std::uint64_t splitmix64(std::uint64_t x);

// Uniform in [0, bound), bound > 0: rejection sampling on full 64-bit draws, no modulo bias.
std::uint64_t uniform_below(std::mt19937_64& rng, std::uint64_t bound);

// A permutation of 0..n-1 by Fisher-Yates (Knuth, TAOCP vol. 2, Algorithm P), i from n-1 down.
std::vector<std::int64_t> shuffled_indices(std::int64_t n, std::mt19937_64& rng);

// The rows `rows` of `data`, in that order; num_classes is kept.
Dataset take_rows(const Dataset& data, std::span<const std::int64_t> rows);

struct Split {
  Dataset kept;      // the other rows, in shuffled order
  Dataset held_out;  // held_out_rows randomly chosen rows, in shuffled order
};

// Shuffles the row order once and holds out its first held_out_rows rows.
Split split_off(const Dataset& data, std::int64_t held_out_rows, std::mt19937_64& rng);

}  // namespace mixprec
