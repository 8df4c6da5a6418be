#pragma once
// `mixprec compare DIR... [--format table|markdown|csv|json] [--baseline fp32] [--resolve 0.25]`
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace mixprec {

struct CompareOptions {
  std::vector<std::string> dirs;  // run folders, sweep folders, or folders holding them
  std::string format = "table";
  std::string baseline = "fp32";
  double resolve_points = 0.25;  // test-accuracy difference (points) the seeds-needed line is for
};

void setup_compare_command(CLI::App& app, CompareOptions& options, int& exit_code);
// Prints the comparison on stdout; returns 0.
int run_compare(const CompareOptions& options);

}  // namespace mixprec
