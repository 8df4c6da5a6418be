#pragma once
// `mixprec validate CONFIG [--set key=value]...`: checks a config and its data without
// training: the config parses and validates, and the data files exist and parse. Prints
// one OK paragraph (rows, classes, parameters) on stdout; problems are UserErrors (exit 2).
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace mixprec {

struct ValidateOptions {
  std::string config_path;
  std::vector<std::string> overrides;
};

void setup_validate_command(CLI::App& app, ValidateOptions& options, int& exit_code);
// Returns 0; throws UserError for a bad config or bad data.
int run_validate(const ValidateOptions& options);

}  // namespace mixprec
