#include "cli/compare_command.hpp"

#include <iostream>

#include <spdlog/spdlog.h>

#include "common/error.hpp"
#include "sweep/compare.hpp"
#include "sweep/compare_format.hpp"
#include "sweep/run_collection.hpp"

namespace mixprec {

void setup_compare_command(CLI::App& app, CompareOptions& options, int& exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "compare", "Compare runs: mean and std over seeds per setting, speed-up and accuracy vs a baseline");
  cmd->add_option("dirs", options.dirs, "Run folders, sweep folders, or folders holding them (runs/)")
      ->required();
  cmd->add_option("--format", options.format, "table (default), markdown, csv or json");
  cmd->add_option("--baseline", options.baseline, "Precision to compare against (default fp32)");
  cmd->add_option("--resolve", options.resolve_points,
                  "Test-accuracy difference in points that the seeds-needed estimate is for (default 0.25)");
  cmd->callback([&options, &exit_code]() { exit_code = run_compare(options); });
}

int run_compare(const CompareOptions& options) {
  const CompareFormat format = parse_compare_format(options.format);
  if (!(options.resolve_points > 0 && options.resolve_points < 100))
    fail("--resolve {}: expected a test-accuracy difference in points, above 0 and below 100 "
         "(hint: --resolve 0.1 for a tenth of a point)", options.resolve_points);
  const Comparison cmp = compare_runs(collect_runs(options.dirs), options.baseline, options.resolve_points / 100);
  // CSV has no place for notes: say on stderr what the table would say under it.
  if (format == CompareFormat::kCsv) {
    for (const std::string& f : cmp.footnotes) spdlog::info("{}", f);
    for (const SkippedRun& s : cmp.skipped) spdlog::warn("skipped {} ({})", s.dir, s.status);
    for (const CompareGroup& g : cmp.groups)
      for (const UnpairedRun& u : g.vs_baseline ? g.vs_baseline->unpaired : std::vector<UnpairedRun>{})
        spdlog::warn("unpaired {} ({}): {}", u.dir, u.in_baseline ? g.baseline_label.value_or("") : g.label, u.reason);
  }
  std::cout << format_comparison(cmp, format) << std::flush;
  return 0;
}

}  // namespace mixprec
