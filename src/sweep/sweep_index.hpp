#pragma once
// sweep.json: the index of a sweep folder, rewritten atomically after every state change
// so that a reader (or a resumed sweep) always sees a whole file. Schema in README.md,
// "Sweeps and comparison".
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sweep/sweep_plan.hpp"

namespace mixprec {

// What happened to one planned run. status: pending, running, completed, failed,
// interrupted, diverged (the last four from the run's summary.json; none means failed).
struct RunRecord {
  std::string status = "pending";
  bool reused = false;             // completed by an earlier invocation, not re-run
  std::optional<int> exit_code;
  std::string started_utc;         // empty: not started by this invocation
  std::string finished_utc;
  std::optional<double> duration_s;
};

// status: running, completed, failed (a run failed or diverged) or interrupted.
nlohmann::json sweep_index_json(const SweepPlan& plan, const std::vector<RunRecord>& records,
                                const std::string& status, const std::string& created_utc);

void write_sweep_index(const SweepPlan& plan, const std::vector<RunRecord>& records,
                       const std::string& status, const std::string& created_utc);

// Fails (UserError) if <plan.dir>/sweep.json exists and describes another sweep: a run
// whose resolved config (its folder's config.json, else the index's resolved_config)
// differs from the planned one, naming the keys that changed, or a run of the same name
// with other overrides. Returns its created_utc
// (empty when there is none) so that a resumed sweep keeps it.
std::string check_existing_index(const SweepPlan& plan);

// ISO-8601 UTC, seconds: 2024-05-01T12:00:00Z.
std::string utc_iso_now();

}  // namespace mixprec
