#pragma once
// Helpers for the trainer tests: in-memory data sets built from a seed (no files), a
// private temp folder, and one call that runs a Trainer and returns its parsed log.
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "config/config.hpp"
#include "data/load_data.hpp"
#include "report/run_log.hpp"
#include "support/temp_dir.hpp"
#include "train/trainer.hpp"

namespace mixprec::testing {

// Standard normal draws from mt19937_64 by Box-Muller: std::normal_distribution differs
// between standard libraries, and the thresholds below were checked on these exact numbers.
class Normal {
 public:
  explicit Normal(std::uint64_t seed) : rng_(seed) {}
  double next() {
    const double u1 = (double((rng_() >> 11) + 1)) * 0x1.0p-53;  // (0, 1]
    const double u2 = double(rng_() >> 11) * 0x1.0p-53;          // [0, 1)
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  std::uint64_t raw() { return rng_(); }

 private:
  std::mt19937_64 rng_;
};

// `classes` Gaussian blobs in `dim` dimensions: centre_k ~ N(0, spread^2 I), rows ~
// N(centre_y, I), labels cycling 0..classes-1. train and test share the centres.
inline DataSplits make_blobs(int dim, int classes, int train_rows, int test_rows, double spread,
                             std::uint64_t seed) {
  Normal normal(seed);
  std::vector<double> centres(std::size_t(classes) * dim);
  for (double& c : centres) c = spread * normal.next();
  auto fill = [&](int rows) {
    Dataset d;
    d.num_classes = classes;
    d.x.resize(rows, dim);
    d.y.resize(std::size_t(rows));
    for (int i = 0; i < rows; ++i) {
      const int label = i % classes;
      d.y[std::size_t(i)] = label;
      for (int j = 0; j < dim; ++j)
        d.x(i, j) = float(centres[std::size_t(label) * dim + j] + normal.next());
    }
    return d;
  };
  DataSplits s;
  s.train = fill(train_rows);
  s.test = fill(test_rows);
  s.description = "in-memory blobs";
  return s;
}

// The blobs problem of the trainer tests: 4 blobs in 20-D, 2000 train / 1000 test rows.
// Centre spread 0.8: centres are ~0.8*sqrt(2*20) = 5 noise standard deviations apart, so
// the best possible accuracy is ~98% and 90% needs real learning (chance is 25%).
inline DataSplits blobs() { return make_blobs(20, 4, 2000, 1000, 0.8, 42); }

// A 20-32-4 relu MLP trained with SGD (lr 0.05, momentum 0.9), batch 32, 3 epochs.
inline Config blobs_config(Precision p) {
  Config c;
  c.name = "blobs";
  c.precision = p;
  c.seed = 1;
  c.model.hidden = {32};
  c.optimizer.lr = 0.05;
  c.optimizer.momentum = 0.9;
  c.train.epochs = 3;
  c.train.batch_size = 32;
  c.train.eval_batch_size = 500;
  return c;
}

struct RunResult {
  RunOutcome outcome;
  std::vector<nlohmann::json> records;  // every line of metrics.jsonl, parsed

  std::vector<nlohmann::json> of_type(const std::string& type) const {
    std::vector<nlohmann::json> out;
    for (const auto& r : records)
      if (r.at("type") == type) out.push_back(r);
    return out;
  }
};

// Trains `cfg` on `data` with its log in a fresh temp folder; every log line must parse.
inline RunResult run_trainer(const Config& cfg, const DataSplits& data) {
  spdlog::set_level(spdlog::level::warn);  // the per-epoch info lines are noise here
  TempDir dir;
  RunResult result;
  {
    Trainer trainer(cfg, data);
    RunLog log(dir.path());
    result.outcome = trainer.run(log, nlohmann::json::object());
  }
  std::ifstream in(dir.path() / RunLog::kFileName);
  for (std::string line; std::getline(in, line);) {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << "metrics.jsonl line does not parse: " << line;
    result.records.push_back(std::move(j));
  }
  return result;
}

// An epoch record without the fields that depend on the clock or the machine's memory.
inline nlohmann::json without_timing(nlohmann::json record) {
  for (const char* key : {"epoch_time_s", "eval_time_s", "samples_per_s", "cpu_share", "phases_s",
                           "peak_rss_bytes"})
    record.erase(key);
  return record;
}

}  // namespace mixprec::testing
