#pragma once
// `mixprec eval MODEL [--config CONFIG] [--data PATH] [--data-format idx|csv] [--test FILE]
//                     [--set key=value]... [--inference-format fp32|bf16|fp16]`
// Loads a checkpoint (docs/checkpoint.md), loads the data the way training did (the
// checkpoint stores its resolved config: normalisation, split seed, eval batch size) and
// prints the test-split loss and accuracy as JSON on stdout. By default the weights run in
// the format the run's mode runs inference in, so the accuracy equals the run's own
// final test accuracy exactly.
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace mixprec {

struct EvalOptions {
  std::string model_path;
  std::string config_path;  // optional: take data.* and seed from this config instead
  std::string data;         // idx: data.dir; csv: data.train (fits the normalisation)
  std::string test_file;    // csv: data.test
  std::string data_format;  // "idx" | "csv": data.format
  std::vector<std::string> overrides;
  std::string inference_format;  // "fp32" | "bf16" | "fp16"; empty: the run's compute format
  // What the flags' former names were given: they fail, naming the new flag (--precision
  // is a training mode in the other verbs, --format compare's output format).
  std::string renamed_format, renamed_precision;
};

void setup_eval_command(CLI::App& app, EvalOptions& options, int& exit_code);
// Returns 0; throws UserError for a damaged checkpoint, bad data, or data that does not
// fit the model.
int run_eval(const EvalOptions& options);

}  // namespace mixprec
