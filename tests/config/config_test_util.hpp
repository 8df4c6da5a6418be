#pragma once
// Helpers shared by the config tests: field-by-field equality (config.hpp has no
// operator==), capturing a UserError's message, and throwaway files.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <tuple>

#include "common/error.hpp"
#include "config/config.hpp"

namespace mixprec::testing {

inline auto fields(const DataConfig& d) {
  return std::tie(d.format, d.dir, d.train, d.test, d.test_fraction, d.label_column_name,
                  d.label_column_index, d.header, d.normalize, d.validation_fraction,
                  d.max_train_samples);
}
inline auto fields(const ModelConfig& m) { return std::tie(m.hidden, m.activation, m.init); }
inline auto fields(const OptimizerConfig& o) {
  return std::tie(o.kind, o.lr, o.momentum, o.dampening, o.nesterov, o.weight_decay, o.beta1,
                  o.beta2, o.eps, o.clip_grad_norm, o.compensation);
}
inline auto fields(const RoundingConfig& r) { return std::tie(r.weights, r.gradients); }
inline auto fields(const ScheduleConfig& s) {
  return std::tie(s.kind, s.warmup_epochs, s.step_epochs, s.gamma, s.min_lr);
}
inline auto fields(const LossScaleConfig& l) {
  return std::tie(l.mode, l.init, l.growth_factor, l.growth_interval, l.backoff_factor, l.min);
}
inline auto fields(const TrainConfig& t) {
  return std::tie(t.epochs, t.batch_size, t.eval_batch_size, t.shuffle);
}

inline bool same_config(const Config& a, const Config& b) {
  return std::tie(a.name, a.precision, a.seed, a.threads) ==
             std::tie(b.name, b.precision, b.seed, b.threads) &&
         fields(a.data) == fields(b.data) && fields(a.model) == fields(b.model) &&
         fields(a.optimizer) == fields(b.optimizer) && fields(a.schedule) == fields(b.schedule) &&
         fields(a.loss_scale) == fields(b.loss_scale) && fields(a.rounding) == fields(b.rounding) &&
         fields(a.train) == fields(b.train);
}

// The UserError message `fn` throws; a test failure (and "") if it throws nothing.
template <typename Fn>
std::string error_of(Fn&& fn) {
  try {
    fn();
  } catch (const UserError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a UserError, nothing was thrown";
  return "";
}

#define EXPECT_CONTAINS(text, part) \
  EXPECT_NE(std::string(text).find(part), std::string::npos) << "missing: " << (part) << "\nin: " << (text)

// A file under the temp folder, removed when the object dies.
class TempFile {
 public:
  TempFile(const std::string& name, const std::string& contents)
      : path_(std::filesystem::temp_directory_path() /
              ("mixprec_config_" + std::to_string(::getpid()) + "_" + name)) {
    std::ofstream(path_, std::ios::binary) << contents;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace mixprec::testing
