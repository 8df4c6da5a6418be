#include "cli/sweep_command.hpp"

#include <filesystem>
#include <iostream>
#include <map>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/error.hpp"
#include "config/config_loader.hpp"
#include "data/load_data.hpp"
#include "report/run_lock.hpp"
#include "sweep/run_status.hpp"
#include "sweep/sweep_index.hpp"
#include "sweep/sweep_runner.hpp"

namespace mixprec {

namespace fs = std::filesystem;

void setup_sweep_command(CLI::App& app, SweepOptions& options, int& exit_code) {
  CLI::App* cmd = app.add_subcommand(
      "sweep", "Train every combination of precisions, seeds and --set values, one child process per run");
  SweepRequest& r = options.request;
  cmd->add_option("config", r.config_path, "JSON config file (see docs/config.md)")->required();
  cmd->add_option("--precision", r.precisions,
                  "Comma-separated precisions, e.g. fp32,fp16-mixed,bf16-mixed (default: the config's)");
  cmd->add_option("--seeds", r.seeds, "Seeds: 0-4, 0,3,7 or 0-2,5 (default: the config's)");
  cmd->add_option("--set", r.sets,
                  "key=value or key=v1,v2,... (commas inside [] split nothing: "
                  "model.hidden=[256,128],[512] is two values); repeatable");
  // No CLI::PositiveNumber: its message printed the range up to DBL_MAX (309 digits);
  // plan_sweep says "--jobs 0: expected 1 or more".
  cmd->add_option("--jobs", r.jobs, "Runs at once; each gets threads=max(1, cores/N) unless --set threads");
  cmd->add_option("--out", r.out_dir,
                  "Sweep folder; give an existing one to resume it (default runs/sweep-<name>-<UTC time>)");
  cmd->add_option("--out-root", r.out_root, "Parent of the default sweep folder");
  cmd->add_flag("--dry-run", options.dry_run,
                "Print one `mixprec train` command per line for the runs still to do; run nothing");
  cmd->callback([&options, &exit_code]() { exit_code = run_sweep(options); });
}

namespace {

// Every run of a sweep reads the same data unless a --set changes data.*: each distinct
// data section is loaded once here, so that unreadable data fails the sweep at once with
// its reason, not every child with the reason hidden in its log.
void check_data_once(const SweepPlan& plan, const std::vector<ResumeAction>& actions) {
  std::set<std::string> checked;
  for (std::size_t i = 0; i < plan.runs.size(); ++i) {
    if (actions[i] == ResumeAction::kSkip) continue;
    const nlohmann::json& resolved = plan.runs[i].resolved_config;
    if (!checked.insert(resolved["data"].dump()).second) continue;
    const Config cfg = parse_config(resolved, plan.config.string());
    spdlog::info("checking the data of {}", plan.runs[i].grid.name);
    load_data(cfg.data, cfg.seed);
  }
}

std::string overall_status(const std::vector<RunRecord>& records, bool interrupted) {
  if (interrupted) return "interrupted";
  for (const RunRecord& r : records)
    if (r.status != "completed") return "failed";
  return "completed";
}

}  // namespace

int run_sweep(const SweepOptions& options) {
  const SweepPlan plan = plan_sweep(options.request, current_executable(), available_cores(),
                                    fs::current_path(), std::chrono::system_clock::now());
  std::vector<std::string> names;
  for (const PlannedRun& run : plan.runs) names.push_back(run.grid.name);
  const std::vector<ResumeAction> actions = plan_resume(plan.dir, names);

  if (options.dry_run) {
    std::size_t skipped = 0;
    for (std::size_t i = 0; i < plan.runs.size(); ++i) {
      if (actions[i] == ResumeAction::kSkip) { ++skipped; continue; }
      if (actions[i] == ResumeAction::kRerun)
        spdlog::warn("{} holds an incomplete run; delete it before running its command "
                     "(train --out needs an empty or new folder)", plan.runs[i].dir.string());
      std::cout << plan.runs[i].command << "\n";
    }
    if (skipped) spdlog::info("{} completed run(s) in {} left out", skipped, plan.dir.string());
    return 0;
  }

  check_data_once(plan, actions);
  fs::create_directories(plan.dir / "logs");
  const RunLock lock(plan.dir);  // one sweep per folder; each child locks its own run folder
  std::string created = check_existing_index(plan);
  if (created.empty()) created = utc_iso_now();
  std::vector<RunRecord> records(plan.runs.size());
  std::size_t reused = 0;
  for (std::size_t i = 0; i < plan.runs.size(); ++i) {
    if (actions[i] == ResumeAction::kSkip) {
      records[i].status = "completed";
      records[i].reused = true;
      ++reused;
    } else if (actions[i] == ResumeAction::kRerun) {
      if (const auto holder = run_lock_holder(plan.runs[i].dir))
        fail("{} is being written by process {}; one writer per folder (hint: wait for it to "
             "end, or stop it, then resume the sweep)", plan.runs[i].dir.string(), *holder);
      spdlog::info("{}: {} before, running it again", plan.runs[i].grid.name,
                   read_run_status(plan.runs[i].dir));
      fs::remove_all(plan.runs[i].dir);
    }
  }
  write_sweep_index(plan, records, "running", created);
  spdlog::info("sweep of {} run(s) in {} ({} already completed), {} at once{}", plan.runs.size(),
               plan.dir.string(), reused, plan.jobs,
               plan.threads_per_run ? fmt::format(", {} thread(s) each", plan.threads_per_run) : "");

  std::size_t done = reused;
  const bool interrupted = run_pending(plan, records, [&](std::size_t i) {
    const RunRecord& r = records[i];
    if (r.status == "running") {
      spdlog::info("start {} (log {})", plan.runs[i].grid.name, plan.runs[i].log.string());
    } else {
      ++done;
      const auto level = r.status == "completed" ? spdlog::level::info : spdlog::level::warn;
      spdlog::log(level, "[{}/{}] {} {} in {:.1f}s", done, plan.runs.size(), plan.runs[i].grid.name,
                  r.status, r.duration_s.value_or(0.0));
    }
    write_sweep_index(plan, records, "running", created);
  });
  const std::string status = overall_status(records, interrupted);
  write_sweep_index(plan, records, status, created);

  std::map<std::string, int> counts;
  for (const RunRecord& r : records) ++counts[r.status];
  std::string tally;
  for (const auto& [s, n] : counts) tally += fmt::format("{}{} {}", tally.empty() ? "" : ", ", n, s);
  spdlog::info("sweep {}: {} -> {}", status, tally, (plan.dir / "sweep.json").string());
  std::cout << plan.dir.string() << std::endl;
  if (interrupted) return 130;
  return status == "completed" ? 0 : 3;
}

}  // namespace mixprec
