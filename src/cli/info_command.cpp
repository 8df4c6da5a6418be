#include "cli/info_command.hpp"

#include <iostream>

#include <fmt/format.h>

#include "cli/kernel_paths.hpp"
#include "cli/precision_tables.hpp"
#include "cli/threads.hpp"
#include "metrics/environment.hpp"

namespace mixprec {

void setup_info_command(CLI::App& app, InfoOptions& options, int& exit_code,
                        const std::string& command_line) {
  CLI::App* cmd = app.add_subcommand("info", "Show the machine, the build, the matmul path of each precision and the format and mode tables");
  cmd->add_flag("--json", options.json, "Print JSON instead of text");
  cmd->add_option("--threads", options.threads, "Thread count to report (0: all cores)")
      ->check(CLI::NonNegativeNumber);
  cmd->callback([&options, &exit_code, &command_line]() {
    exit_code = run_info(options, command_line);
  });
}

int run_info(const InfoOptions& options, const std::string& command_line) {
  const int threads = apply_thread_count(options.threads);
  nlohmann::json info = {{"environment", environment_json(threads, command_line)},
                         {"kernels", kernel_paths_json()},
                         {"formats", formats_json()},
                         {"modes", modes_json()}};
  if (options.json) {
    std::cout << info.dump(2) << "\n";
    return 0;
  }
  const auto& env = info["environment"];
  std::cout << fmt::format("CPU        {}\n", env["cpu"]["model"].get<std::string>());
  std::string flags;
  for (const auto& [name, present] : env["cpu"]["isa_flags"].items())
    flags += fmt::format("{}{} ", present.get<bool>() ? "+" : "-", name);
  std::cout << fmt::format("ISA flags  {}\n", flags);
  std::cout << fmt::format("oneDNN     {} (ISA {})\n", env["libraries"]["onednn"].get<std::string>(),
                           env["onednn_isa"].get<std::string>());
  std::cout << fmt::format("threads    {}\n", threads);
  std::cout << "\nprecision    matmul  path      subnormal inputs  weights  implementation\n";
  bool any_flush = false;
  for (const auto& [name, k] : info["kernels"].items()) {
    const bool flush = k["subnormal_inputs_as_zero"].get<bool>();
    any_flush = any_flush || flush;
    std::cout << fmt::format("{:<12} {:<7} {:<9} {:<17} {:<8} {}\n", name,
                             k["matmul_format"].get<std::string>(), k["path"].get<std::string>(),
                             flush ? "read as zero" : "kept",
                             k["packed_weights"].get<bool>() ? "packed" : "plain",
                             k["implementation"].get<std::string>());
  }
  std::cout << "\n\"emulated\": the 16-bit operands are converted exactly to fp32 and multiplied "
               "there;\nresults are identical to a native product, timings are not a hardware result.\n"
               "\"packed\": the weights are rearranged once per step into the blocked layout "
               "oneDNN's kernel\nreads, instead of being copied into it block by block in "
               "every product (where that\nmeasured faster: bf16, except a layer as narrow as "
               "the 10-class one, whose packed\nlayout would be mostly padding).\n";
  std::cout << "\n" << formats_text(info["formats"]) << "\n" << modes_text(info["modes"]);
  if (any_flush)
    std::cout << "\"read as zero\": measured by a probe product; the native instruction treats "
                 "subnormal\ninputs (bf16: below 2^-126 = 1.2e-38) as zero, as the hardware does "
                 "for any user of it.\n";
  return 0;
}

}  // namespace mixprec
