// Trainer::checkpoint / restore: the training state at an epoch boundary, in the form of
// src/checkpoint (docs/checkpoint.md). Everything a step reads that survives an epoch is
// here: weights as stored, optimizer state (by buffer name) and step count, loss scaler,
// each layer's per-tensor scaling state, global step (the LR schedule's position), the
// shuffle RNG and the row order it shuffles in place. The 16-bit working copy, gradients
// and workspaces are rewritten before they are read.
#include <algorithm>
#include <cstring>
#include <numeric>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/error.hpp"
#include "config/config_loader.hpp"
#include "train/trainer.hpp"

namespace mixprec {
namespace {

nlohmann::json evaluation_to_json(const Evaluation& e) {
  return {{"loss", e.loss}, {"accuracy", e.accuracy}, {"seconds", e.seconds}};
}
Evaluation evaluation_from_json(const nlohmann::json& j) {
  return {j.at("loss").get<double>(), j.at("accuracy").get<double>(), j.at("seconds").get<double>()};
}

// nlohmann/json writes doubles with 17 significant digits, so the totals round-trip exactly.
nlohmann::json totals_to_json(const RunTotals& t) {
  nlohmann::json j = {{"epochs_completed", t.epochs_completed},
                      {"seconds", t.seconds},
                      {"train_seconds", t.train_seconds},
                      {"eval_seconds", t.eval_seconds},
                      {"skipped_steps", t.skipped_steps},
                      {"epoch_times", t.epoch_times},
                      {"epoch_rates", t.epoch_rates},
                      {"last_train", evaluation_to_json(t.last_train)},
                      {"last_test", evaluation_to_json(t.last_test)}};
  if (t.last_validation) j["last_validation"] = evaluation_to_json(*t.last_validation);
  return j;
}

RunTotals totals_from_json(const std::string& text, const std::string& file) {
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    RunTotals t;
    t.epochs_completed = j.at("epochs_completed").get<int>();
    t.seconds = j.at("seconds").get<double>();
    t.train_seconds = j.at("train_seconds").get<double>();
    t.eval_seconds = j.at("eval_seconds").get<double>();
    t.skipped_steps = j.at("skipped_steps").get<std::int64_t>();
    t.epoch_times = j.at("epoch_times").get<std::vector<double>>();
    t.epoch_rates = j.at("epoch_rates").get<std::vector<double>>();
    t.last_train = evaluation_from_json(j.at("last_train"));
    t.last_test = evaluation_from_json(j.at("last_test"));
    if (j.contains("last_validation")) t.last_validation = evaluation_from_json(j["last_validation"]);
    return t;
  } catch (const nlohmann::json::exception& e) {
    fail("{}: the run totals section (TOTL) is not what mixprec writes: {} (hint: the file is "
         "damaged)", file, e.what());
  }
}

// The checkpoint's optimizer buffers as the optimizer reads them back.
std::vector<SavedOptimizerBuffer> saved_buffers(const Checkpoint& c) {
  std::vector<SavedOptimizerBuffer> out;
  for (const StoredOptimizerBuffer& b : c.optimizer_state)
    out.push_back({b.name, b.values.format, b.values.bytes});
  return out;
}

}  // namespace

Checkpoint Trainer::checkpoint() {
  Checkpoint c;
  const ParamLayout& layout = mlp_.layout();
  c.shape = {cfg_.precision, layout.input_dim(), cfg_.model.hidden, layout.num_classes(),
             cfg_.model.activation};
  c.num_params = params_.size();
  c.weights.format = params_.update_format();
  c.weights.bytes.resize(params_.size() * bytes_per_value(c.weights.format));
  std::memcpy(c.weights.bytes.data(), params_.update_weights(), c.weights.bytes.size());

  c.optimizer_steps = optimizer_.steps_taken();
  for (const OptimizerStateBuffer& b : optimizer_.state_buffers()) {
    StoredOptimizerBuffer s{std::string(b.name), {b.format, {}}};
    s.values.bytes.assign(b.bytes.begin(), b.bytes.end());
    c.optimizer_state.push_back(std::move(s));
  }
  c.scaling.assign(mlp_.scaling().begin(), mlp_.scaling().end());
  c.loss_scale = scaler_.scale();
  c.loss_scale_streak = scaler_.finite_streak();
  c.skipped_steps = scaler_.skipped_steps();
  c.global_step = global_step_;
  c.epochs_completed = totals_.epochs_completed;
  std::ostringstream rng;
  rng << shuffle_rng_;
  c.shuffle_rng = rng.str();
  c.shuffle_order = order_;
  c.config_json = to_json(cfg_).dump(2);
  RunTotals totals = totals_;
  totals.seconds = seconds_before_ + (totals_.epochs_completed > 0 ? run_watch_.seconds() : 0.0);
  c.run_totals_json = totals_to_json(totals).dump();
  c.data_encoding_json = to_json(data_.encoding).dump();
  return c;
}

void Trainer::restore(const Checkpoint& c, const std::string& file) {
  const ParamLayout& layout = mlp_.layout();
  require_same_shape(c.shape,
                     {cfg_.precision, layout.input_dim(), cfg_.model.hidden, layout.num_classes(),
                      cfg_.model.activation},
                     file, "this run's config and data");
  // The data must be encoded as it was when the checkpoint was written (version 1 files
  // carry no encoding): a changed file would silently change what the model reads.
  if (!c.data_encoding_json.empty() && c.data_encoding_json != to_json(data_.encoding).dump()) {
    fail("{}: the data encoding stored in the checkpoint differs from the one the data gives now (its "
         "columns, classes, categories or normalisation statistics changed) (hint: resume with the data "
         "files the run was trained on; compare them with RUN_DIR/data_encoding.json)", file);
  }
  // The codec checked formats and counts against the shape; these guard the trainer.
  if (c.weights.format != params_.update_format() || c.weights.count() != params_.size())
    throw std::logic_error("Trainer::restore: weights do not match the parameter store");

  const std::vector<SavedOptimizerBuffer> saved = saved_buffers(c);
  optimizer_.check_saved_state(saved, file);
  // The codec read one LayerScaling per layer of the shape checked above.
  if (c.scaling.size() != mlp_.scaling().size())
    throw std::logic_error("Trainer::restore: scaling state does not match the layers");
  std::istringstream rng_text(c.shuffle_rng);
  std::mt19937_64 rng;
  rng_text >> rng;
  if (rng_text.fail()) {
    fail("{}: the shuffle state (section SHUF) is not a std::mt19937_64 state (hint: the file is "
         "damaged)", file);
  }
  // The order must be a permutation of this data set's training rows: it indexes them.
  std::vector<char> seen(order_.size(), 0);
  bool permutation = c.shuffle_order.size() == order_.size();
  for (std::size_t i = 0; permutation && i < c.shuffle_order.size(); ++i) {
    const std::int32_t row = c.shuffle_order[i];
    permutation = row >= 0 && std::size_t(row) < seen.size() && !seen[std::size_t(row)];
    if (permutation) seen[std::size_t(row)] = 1;
  }
  if (!permutation) {
    fail("{}: the shuffle order holds {} rows that are not a permutation of this run's {} training "
         "rows (hint: resume with the data the checkpoint was trained with)", file,
         c.shuffle_order.size(), order_.size());
  }
  RunTotals totals = totals_from_json(c.run_totals_json, file);
  if (totals.epochs_completed != c.epochs_completed || c.epochs_completed < 0 || c.global_step < 0) {
    fail("{}: the progress section says {} epochs and the run totals {} (hint: the file is damaged)",
         file, c.epochs_completed, totals.epochs_completed);
  }

  // All checks passed: now change the state.
  std::memcpy(params_.update_weights(), c.weights.bytes.data(), c.weights.bytes.size());
  params_.cast_working_copy();
  optimizer_.restore_state(saved, c.optimizer_steps);
  std::copy(c.scaling.begin(), c.scaling.end(), mlp_.scaling().begin());
  scaler_.restore(c.loss_scale, c.loss_scale_streak, c.skipped_steps);
  global_step_ = c.global_step;
  shuffle_rng_ = rng;
  order_ = c.shuffle_order;
  totals_ = std::move(totals);
  resumed_ = true;
}

}  // namespace mixprec
