#include "sweep/sweep_index.hpp"

#include <chrono>
#include <ctime>
#include <fstream>
#include <map>

#include "common/error.hpp"
#include "config/config_diff.hpp"
#include "report/atomic_file.hpp"

namespace mixprec {

using nlohmann::json;
namespace fs = std::filesystem;

std::string utc_iso_now() {
  const std::time_t secs = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&secs, &utc);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buf;
}

json sweep_index_json(const SweepPlan& plan, const std::vector<RunRecord>& records,
                      const std::string& status, const std::string& created_utc) {
  json sets = json::array();
  for (const SweepAxis& axis : plan.axes) sets.push_back({{"key", axis.key}, {"values", axis.values}});
  std::map<std::string, int> counts;
  json runs = json::array();
  for (std::size_t i = 0; i < plan.runs.size(); ++i) {
    const PlannedRun& run = plan.runs[i];
    const RunRecord& rec = records.at(i);
    ++counts[rec.status];
    json parameters = json::object();
    for (const auto& [key, value] : run.grid.parameters) parameters[key] = value;
    auto or_null = [](const auto& v) { return v ? json(*v) : json(nullptr); };
    runs.push_back({
        {"name", run.grid.name},
        {"precision", run.grid.precision},
        {"seed", run.grid.seed},
        {"parameters", parameters},
        {"overrides", run.grid.overrides},
        {"extra_overrides", run.extra_overrides},
        {"dir", run.grid.name},
        {"log", "logs/" + run.grid.name + ".log"},
        {"command", run.command},
        {"status", rec.status},
        {"reused", rec.reused},
        {"exit_code", or_null(rec.exit_code)},
        {"started_utc", rec.started_utc.empty() ? json(nullptr) : json(rec.started_utc)},
        {"finished_utc", rec.finished_utc.empty() ? json(nullptr) : json(rec.finished_utc)},
        {"duration_s", or_null(rec.duration_s)},
        {"resolved_config", run.resolved_config},
    });
  }
  return json{
      {"format", "mixprec-sweep/1"},
      {"status", status},
      {"config", plan.config.string()},
      {"binary", plan.binary.string()},
      {"precisions", plan.precisions},
      {"seeds", plan.seeds},
      {"sets", sets},
      {"jobs", plan.jobs},
      {"threads_per_run", plan.threads_per_run > 0 ? json(plan.threads_per_run) : json(nullptr)},
      {"created_utc", created_utc},
      {"updated_utc", utc_iso_now()},
      {"counts", counts},
      {"runs", runs},
  };
}

void write_sweep_index(const SweepPlan& plan, const std::vector<RunRecord>& records,
                       const std::string& status, const std::string& created_utc) {
  write_json_atomically(plan.dir / "sweep.json", sweep_index_json(plan, records, status, created_utc));
}

namespace {

json read_json_or_discarded(const fs::path& path) {
  std::ifstream in(path);
  return in ? json::parse(in, nullptr, /*allow_exceptions=*/false) : json(json::value_t::discarded);
}

}  // namespace

std::string check_existing_index(const SweepPlan& plan) {
  const fs::path path = plan.dir / "sweep.json";
  std::ifstream in(path);
  if (!in) return "";
  const json old = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!old.is_object() || !old.contains("runs") || !old["runs"].is_array())
    fail("{}: not a readable sweep index (hint: pick another --out, or delete the file to start "
         "over in this folder)", path.string());
  std::map<std::string, json> by_name;
  for (const json& r : old["runs"])
    if (r.is_object() && r.contains("name") && r["name"].is_string())
      by_name[r["name"].get<std::string>()] = r;
  // The resolved config of every run, not the config file's path: the file may have been
  // edited (or a --set changed) between the stopped sweep and this one (issue 20).
  for (const PlannedRun& run : plan.runs) {
    json before = read_json_or_discarded(run.dir / "config.json");  // what it was trained with
    auto it = by_name.find(run.grid.name);
    if (before.is_discarded() && it != by_name.end() && it->second.contains("resolved_config"))
      before = it->second["resolved_config"];
    if (!before.is_discarded() && before != run.resolved_config)
      fail("{}: run {} was trained with another config than this sweep would use ({}) (hint: "
           "one folder holds one sweep; resume it with the config and flags it was started "
           "with, or pick another --out)", path.string(), run.grid.name,
           describe_changes(before, run.resolved_config));
    if (it != by_name.end() &&
        it->second.value("overrides", json::array()) != json(run.grid.overrides))
      fail("{}: run {} was planned with --set {} and would now get --set {} (hint: the same "
           "folder must hold the same sweep; pick another --out)",
           path.string(), run.grid.name, it->second.value("overrides", json::array()).dump(),
           json(run.grid.overrides).dump());
  }
  return old.value("created_utc", "");
}

}  // namespace mixprec
