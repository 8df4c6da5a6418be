#pragma once
// `mixprec info`: the environment block of run_start and, per precision, which matmul path
// runs on this machine.
#include <string>

#include <CLI/CLI.hpp>

namespace mixprec {

struct InfoOptions {
  bool json = false;
  int threads = 0;
};

void setup_info_command(CLI::App& app, InfoOptions& options, int& exit_code,
                        const std::string& command_line);
int run_info(const InfoOptions& options, const std::string& command_line);

}  // namespace mixprec
