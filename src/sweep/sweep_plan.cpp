#include "sweep/sweep_plan.hpp"

#include <sched.h>

#include <algorithm>

#include "common/error.hpp"
#include "config/config_loader.hpp"
#include "report/run_dir.hpp"
#include "sweep/shell_words.hpp"

namespace mixprec {

namespace fs = std::filesystem;

namespace {

fs::path absolute_from(const fs::path& cwd, const fs::path& p) {
  return (p.is_absolute() ? p : cwd / p).lexically_normal();
}

// The overrides that turn relative data paths absolute (the child may run elsewhere:
// a Slurm node, a GNU parallel job started from another folder).
std::vector<std::string> absolute_data_paths(const Config& cfg, const fs::path& cwd) {
  std::vector<std::string> out;
  const std::pair<const char*, const std::string*> keys[] = {
      {"data.dir", &cfg.data.dir}, {"data.train", &cfg.data.train}, {"data.test", &cfg.data.test}};
  for (const auto& [key, value] : keys)
    if (!value->empty() && fs::path(*value).is_relative())
      out.push_back(std::string(key) + "=" + absolute_from(cwd, *value).string());
  return out;
}

}  // namespace

int available_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return 1;
}

fs::path current_executable() { return fs::read_symlink("/proc/self/exe"); }

SweepPlan plan_sweep(const SweepRequest& request, const fs::path& binary, int cores,
                     const fs::path& cwd, std::chrono::system_clock::time_point now) {
  if (request.jobs < 1) fail("--jobs {}: expected 1 or more (hint: --jobs 2)", request.jobs);
  SweepPlan plan;
  plan.config = absolute_from(cwd, request.config_path);
  plan.binary = binary;
  plan.jobs = request.jobs;
  for (const std::string& set : request.sets) plan.axes.push_back(parse_axis(set));

  // The config with the first precision and the first value of every axis: its name,
  // precision and seed are the defaults (a --set may supply the data folder the file lacks,
  // and a remedy such as optimizer.compensation=kahan may need a swept precision other than
  // the file's).
  std::vector<std::string> first_values;
  if (!request.precisions.empty()) {
    plan.precisions = parse_precisions(request.precisions);
    first_values.push_back("precision=" + plan.precisions.front());
  }
  for (const SweepAxis& axis : plan.axes) first_values.push_back(axis.key + "=" + axis.values[0]);
  const Config base = load_config(plan.config.string(), first_values);
  if (plan.precisions.empty()) plan.precisions = {to_string(base.precision)};
  plan.seeds = request.seeds.empty() ? std::vector<std::uint64_t>{base.seed}
                                     : parse_seeds(request.seeds);
  const std::vector<GridRun> grid = expand_grid(plan.precisions, plan.seeds, plan.axes);

  const bool user_threads = std::any_of(plan.axes.begin(), plan.axes.end(),
                                        [](const SweepAxis& a) { return a.key == "threads"; });
  if (plan.jobs > 1 && !user_threads) plan.threads_per_run = std::max(1, cores / plan.jobs);

  if (!request.out_dir.empty()) {
    plan.dir = absolute_from(cwd, request.out_dir);
  } else {
    const std::string name = sanitize_for_filename(base.name);
    plan.dir = absolute_from(cwd, fs::path(request.out_root) /
                                      ("sweep-" + name + "-" + utc_compact_timestamp(now)));
  }

  for (const GridRun& g : grid) {
    PlannedRun run;
    run.grid = g;
    if (plan.threads_per_run > 0)
      run.extra_overrides.push_back("threads=" + std::to_string(plan.threads_per_run));
    std::vector<std::string> overrides = g.overrides;
    overrides.insert(overrides.end(), run.extra_overrides.begin(), run.extra_overrides.end());
    const Config cfg = load_config(plan.config.string(), overrides);  // validates this run
    for (std::string& o : absolute_data_paths(cfg, cwd)) {
      run.extra_overrides.push_back(o);
      overrides.push_back(o);
    }
    run.resolved_config = to_json(load_config(plan.config.string(), overrides));
    run.dir = plan.dir / g.name;
    run.log = plan.dir / "logs" / (g.name + ".log");
    run.argv = {binary.string(), "train", plan.config.string()};
    for (const std::string& o : overrides) {
      run.argv.push_back("--set");
      run.argv.push_back(o);
    }
    run.argv.push_back("--out");
    run.argv.push_back(run.dir.string());
    run.command = shell_join(run.argv);
    plan.runs.push_back(std::move(run));
  }
  return plan;
}

}  // namespace mixprec
