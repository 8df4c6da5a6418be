#pragma once
// What `mixprec bench` measures on: the training config (found next to the binary when
// --config is not given) and the MLP it trains, whose input width and class count are those
// of the data the config names, loaded as `train` loads it (one-hot columns included).
#include <string>
#include <vector>

#include "config/config.hpp"
#include "nn/param_layout.hpp"

namespace mixprec {

struct BenchSetup {
  std::string config_path;  // as given, or the repository's configs/ for the default
  Config config;            // with the overrides applied and its data paths made absolute
  // The overrides again, then the absolute data paths: what the training children get, so
  // that they read the same files from any folder.
  std::vector<std::string> child_overrides;
  std::string data;         // the loaded data in one line (load_data's description)
  ParamLayout layout;       // (data's input width, config's hidden widths..., data's classes)
};

// The running binary (/proc/self/exe); "mixprec" if it cannot be read.
std::string self_path();

// Finds and loads the config, applies `overrides` in order, loads its data for the
// layout. `config_given`: --config was on the command line (relative to the working
// folder); otherwise `config_path` is the default and may be found next to the binary.
// Throws UserError for a config not found or invalid, or data that cannot be loaded.
BenchSetup load_bench_setup(const std::string& config_path, bool config_given,
                            const std::vector<std::string>& overrides);

}  // namespace mixprec
