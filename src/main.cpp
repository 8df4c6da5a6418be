// mixprec: train small MLPs in several precision modes and report what each costs.
// main() alone chooses exit codes: 0 success, 1 internal error, 2 user error (bad config,
// data or flags), 3 diverged or untrained run, 74 a write failed (disk full: IoError),
// 130 interrupted run. docs/failures.md has the table.
#include <cstdio>
#include <exception>
#include <new>
#include <iostream>

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "cli/bench_command.hpp"
#include "cli/eval_command.hpp"
#include "cli/compare_command.hpp"
#include "cli/info_command.hpp"
#include "cli/sweep_command.hpp"
#include "cli/train_command.hpp"
#include "cli/validate_command.hpp"
#include "common/error.hpp"
#include "config/config_schema.hpp"

namespace {

void reject_unknown_verb(CLI::App& app, int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') return;
  const std::string word = argv[1];
  std::vector<std::string> verbs;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->get_name() == word) return;
    verbs.push_back(sub->get_name());
  }
  const auto close = mixprec::closest_words(word, verbs);
  std::string verb_list;
  for (const std::string& v : verbs) verb_list += (verb_list.empty() ? "" : ", ") + v;
  mixprec::fail("unknown command \"{}\"{}; expected one of {} (hint: mixprec --help)", word,
                close.empty() ? "" : "; did you mean \"" + close.front() + "\"?", verb_list);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace mixprec;
  // Progress goes to stderr; stdout stays clean for scripts (it gets the run directory).
  auto logger = spdlog::stderr_color_mt("mixprec");
  logger->set_pattern("[%H:%M:%S] %^%l%$ %v");
  spdlog::set_default_logger(logger);

  std::string command_line;
  for (int i = 0; i < argc; ++i) command_line += (i ? " " : "") + std::string(argv[i]);

  CLI::App app{"mixprec: what each precision mode costs and gains when training an MLP on this CPU"};
  app.require_subcommand(1);
  int exit_code = 0;
  TrainOptions train;
  InfoOptions info;
  setup_train_command(app, train, exit_code, command_line);
  setup_info_command(app, info, exit_code, command_line);
  SweepOptions sweep;
  CompareOptions compare;
  setup_sweep_command(app, sweep, exit_code);
  setup_compare_command(app, compare, exit_code);
  BenchOptions bench;
  setup_bench_command(app, bench, exit_code);
  ValidateOptions validate;
  setup_validate_command(app, validate, exit_code);
  EvalOptions eval;
  setup_eval_command(app, eval, exit_code);

  try {
    // CLI11 says "A subcommand is required" for `mixprec trian`: name the word instead.
    reject_unknown_verb(app, argc, argv);
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "mixprec: error: " << e.what() << " (hint: mixprec --help)\n";
    return 2;
  } catch (const UserError& e) {
    std::cerr << "mixprec: error: " << e.what() << "\n";
    return 2;
  } catch (const std::bad_alloc&) {
    // validate and train estimate a run's memory first (train/memory_estimate.hpp); this is
    // what is left: the machine had less free memory than it has in all.
    std::cerr << "mixprec: error: out of memory (hint: close other programs, or use a smaller "
                 "model.hidden or train.batch_size)\n";
    return 2;
  } catch (const IoError& e) {
    std::cerr << "mixprec: I/O error: " << e.what() << "\n";
    return 74;  // EX_IOERR (sysexits.h)
  } catch (const std::exception& e) {
    std::cerr << "mixprec: internal error: " << e.what() << "\n";
    return 1;
  }
  return exit_code;
}
