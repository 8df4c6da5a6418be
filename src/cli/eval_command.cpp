#include "cli/eval_command.hpp"

#include <algorithm>
#include <iostream>
#include <optional>

#include <nlohmann/json.hpp>

#include "train/inference_comparison.hpp"
#include <spdlog/spdlog.h>

#include "checkpoint/checkpoint.hpp"
#include "cli/threads.hpp"
#include "common/error.hpp"
#include "config/config_loader.hpp"
#include "config/json_file.hpp"
#include "config/config_parse.hpp"
#include "data/load_data.hpp"
#include "precision/convert.hpp"
#include "kernels/matmul.hpp"
#include "metrics/stopwatch.hpp"
#include "nn/loss.hpp"
#include "nn/mlp.hpp"

namespace mixprec {
namespace {

// The run's config as stored in the checkpoint, with the data settings the flags give.
Config eval_config(const EvalOptions& o, const Checkpoint& ckpt) {
  // parse_json_text: a forged section with deep nesting is a UserError, not a stack overflow.
  nlohmann::json j = parse_json_text(ckpt.config_json, o.model_path + " (stored config)");
  if (!j.is_object())
    fail("{}: the stored config (section CONF) is not a JSON object (hint: the file is damaged)", o.model_path);
  j = to_json(parse_config(j, o.model_path + " (stored config)"));
  if (!o.config_path.empty()) {
    const Config other = load_config(o.config_path);
    j["data"] = to_json(other)["data"];
    j["seed"] = other.seed;  // it picks the held-out rows of a csv without a test file
  }
  nlohmann::json& d = j["data"];
  if (!o.data_format.empty()) d["format"] = o.data_format;
  // Only the source keys of the chosen format may be set (the config loader insists).
  const bool idx = d["format"] == "idx";
  if (!o.data_format.empty() || !o.data.empty()) {
    if (idx) d["train"] = d["test"] = "";
    else d["dir"] = "";
  }
  if (!o.data.empty()) d[idx ? "dir" : "train"] = o.data;
  if (!o.test_file.empty()) d["test"] = o.test_file;
  for (const std::string& assignment : o.overrides) {
    // eval runs the stored weights: only what says which data to read and how applies.
    const std::string key = override_key(assignment);
    const bool used = key == "data" || key.rfind("data.", 0) == 0 || key == "seed" ||
                      key == "threads" || key == "train.eval_batch_size";
    if (!used)
      fail("--set {}: eval does not use {}: it evaluates the stored weights, and only data.*, "
           "seed, threads and train.eval_batch_size apply (hint: drop it; to train with it, "
           "use mixprec train)", assignment, key);
    j = apply_override(j, assignment);
  }
  const Config cfg = parse_config(j, o.model_path + " (stored config with the eval flags)");
  require_data_source(cfg, "eval");
  return cfg;
}


// `value` as the new flag would take it, or the flag's choices where it would not.
std::string suggestion(const std::string& value, const std::vector<std::string>& choices) {
  std::string listed;
  for (const std::string& c : choices) {
    if (value == c) return value;
    listed += (listed.empty() ? "" : "|") + c;
  }
  return listed;
}

// The names of the format table's rows that the kernels run in: what --inference-format
// takes (the FP8 rows have no kernels of their own: has_storage_type).
std::vector<std::string> format_names() {
  std::vector<std::string> names;
  for (Format f : all_formats())
    if (has_storage_type(f)) names.push_back(to_string(f));
  return names;
}

void reject_former_flag_names(const CLI::App& cmd, const EvalOptions& o) {
  if (cmd.count("--format") > 0)
    fail("eval --format {}: the data files' format is --data-format now (data.format: idx or "
         "csv), as --format is the output format of compare (hint: --data-format {})",
         o.renamed_format, suggestion(o.renamed_format, {"idx", "csv"}));
  if (cmd.count("--precision") > 0)
    fail("eval --precision {}: the format the weights run in is --inference-format now ({}), "
         "as --precision is a training mode in train, sweep and bench (hint: "
         "--inference-format {})",
         o.renamed_precision, suggestion("", format_names()),
         suggestion(o.renamed_precision, format_names()));
}

}  // namespace

void setup_eval_command(CLI::App& app, EvalOptions& options, int& exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "eval", "Evaluate a saved model (train --save-model) on the test split; prints JSON");
  cmd->add_option("model", options.model_path, "Checkpoint: RUN_DIR/model.ckpt or RUN_DIR/checkpoint.ckpt")
      ->required();
  cmd->add_option("--config", options.config_path,
                  "Take the data settings (data.* and seed) from this config instead of the "
                  "checkpoint's stored one");
  cmd->add_option("--data", options.data,
                  "idx: the folder of the MNIST-style files (data.dir); csv: the training file "
                  "(data.train), needed only when the test rows are held out of it");
  cmd->add_option("--test", options.test_file, "csv: the test file (data.test)");
  cmd->add_option("--data-format", options.data_format, "Format of the data files (data.format)")
      ->check(CLI::IsMember({"idx", "csv"}));
  cmd->add_option("--set", options.overrides, "Override a config value, e.g. data.normalize=standardize");
  cmd->add_option("--inference-format", options.inference_format,
                  "Format the weights and activations run in (default: the run's mode's)")
      ->check(CLI::IsMember(format_names()));
  // Hidden: the former names, so that they fail naming the new flag (CLI11 alone would
  // only say that the argument was not expected).
  cmd->add_option("--format", options.renamed_format)->group("");
  cmd->add_option("--precision", options.renamed_precision)->group("");
  cmd->callback([cmd, &options, &exit_code]() {
    reject_former_flag_names(*cmd, options);
    exit_code = run_eval(options);
  });
}

int run_eval(const EvalOptions& options) {
  const Checkpoint ckpt = read_checkpoint(options.model_path);
  const Config cfg = eval_config(options, ckpt);
  // The run's thread count: oneDNN's blocking, and so the sums, can depend on it.
  apply_thread_count(cfg.threads);
  spdlog::info("loading data");
  // The encoding the run fitted (columns, classes, normalisation) is applied as stored;
  // checkpoints of version 1 have none, and the data is fitted again as the run did.
  std::optional<DataEncoding> stored;
  if (!ckpt.data_encoding_json.empty() && options.config_path.empty()) {
    stored = data_encoding_from_json(parse_json_text(ckpt.data_encoding_json, options.model_path + " (data encoding)"),
                                     options.model_path + " (stored data encoding)");
  }
  const DataSplits data = load_data(cfg.data, cfg.seed, stored ? &*stored : nullptr);
  for (const std::string& warning : data.warnings) spdlog::warn("{}", warning);
  const ModelShape& s = ckpt.shape;
  require_same_shape(s, {s.precision, data.test.dim(), s.hidden, data.encoding.num_classes(), s.activation},
                     options.model_path, "the data (" + data.description + ")");

  // The format inference runs in: the run's compute format unless --inference-format says
  // otherwise.
  const Format format = options.inference_format.empty()
                            ? policy_for(s.precision).format(TensorRole::kWeight)
                            : parse_format(options.inference_format, "--inference-format");
  const ParamLayout layout(s.input_dim, s.hidden, s.num_classes);
  std::vector<float> widened(ckpt.num_params);
  convert_to_float(ckpt.weights.format, ckpt.weights.bytes.data(), widened.data(), widened.size());

  // One evaluation per storage format (the same loop as Trainer::evaluate); the row of the
  // chosen format is the headline result.
  Stopwatch watch;
  const nlohmann::json comparison =
      compare_inference(layout, s.activation, widened, data.test,
                        int(std::max<std::int64_t>(1, std::min<std::int64_t>(
                                                          cfg.train.eval_batch_size, data.test.rows()))));
  nlohmann::json chosen;
  for (const auto& row : comparison)
    if (row["format"] == to_string(format)) chosen = row;
  const Dataset& test = data.test;
  const nlohmann::json out = {
      {"model", options.model_path},
      {"model_shape", describe(s)},
      {"epochs_completed", ckpt.epochs_completed},
      {"format", to_string(format)},
      {"matmul_path", matmul().path(format).native ? "native" : "emulated"},
      {"data", data.description},
      {"split", "test"},
      {"classes", data.encoding.classes.class_names()},
      {"data_encoding", stored ? "stored in the checkpoint" : "fitted again on the training data"},
      {"rows", test.rows()},
      {"test", {{"loss", chosen["loss"]}, {"accuracy", chosen["accuracy"]}}},
      {"seconds", watch.seconds()},
      // The same weights stored in fp32, bf16, fp16 and E4M3, side by side (summary.json's
      // "inference" block): accuracy, time per sample, weight bytes, agreement with fp32.
      {"inference_comparison", comparison},
  };
  std::cout << out.dump(2) << std::endl;
  return 0;
}

}  // namespace mixprec
