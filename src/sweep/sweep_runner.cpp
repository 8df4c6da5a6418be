#include "sweep/sweep_runner.hpp"

#include <signal.h>
#include <time.h>

#include <chrono>
#include <csignal>
#include <exception>
#include <map>

#include "sweep/child_process.hpp"
#include "sweep/run_status.hpp"

namespace mixprec {
namespace {

volatile std::sig_atomic_t g_signal = 0;  // the last SIGINT/SIGTERM received, 0 if none
extern "C" void on_stop_signal(int sig) { g_signal = sig; }

// Installs the stop handlers for the lifetime of the object, then restores the old ones.
// No SA_RESTART: a signal wakes the polling sleep at once.
class StopSignals {
 public:
  StopSignals() {
    g_signal = 0;
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
  }
  ~StopSignals() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

void sleep_briefly() {
  timespec ts{0, 50'000'000};  // 50 ms: a run takes seconds, polling costs nothing
  nanosleep(&ts, nullptr);
}

}  // namespace

bool run_pending(const SweepPlan& plan, std::vector<RunRecord>& records,
                 const std::function<void(std::size_t)>& on_change) {
  using Clock = std::chrono::steady_clock;
  StopSignals signals;
  std::map<pid_t, std::pair<std::size_t, Clock::time_point>> running;  // pid -> run, start
  std::size_t next = 0;
  bool interrupted = false;

  while (true) {
    if (g_signal != 0) {
      // Each signal is passed on once. Children started from a terminal also get Ctrl-C
      // directly; a second SIGINT only sets their stop flag again.
      interrupted = true;
      const int sig = g_signal;
      g_signal = 0;
      for (const auto& [pid, run] : running) ::kill(pid, sig);
    }
    while (!interrupted && running.size() < static_cast<std::size_t>(plan.jobs) &&
           next < plan.runs.size()) {
      const std::size_t i = next++;
      if (records[i].status != "pending") continue;
      records[i].started_utc = utc_iso_now();
      try {
        const pid_t pid = spawn_logged(plan.runs[i].argv, plan.runs[i].log);
        running[pid] = {i, Clock::now()};
        records[i].status = "running";
      } catch (const std::exception&) {  // could not exec: the run failed, the others go on
        records[i].status = "failed";
        records[i].exit_code = 127;
        records[i].finished_utc = records[i].started_utc;
      }
      on_change(i);
    }
    if (running.empty()) break;
    if (const auto ended = poll_child()) {
      auto it = running.find(ended->pid);
      if (it == running.end()) continue;  // not ours
      const auto [i, start] = it->second;
      running.erase(it);
      RunRecord& rec = records[i];
      const std::string status = read_run_status(plan.runs[i].dir);
      rec.status = status == "missing" ? "failed" : status;
      rec.exit_code = ended->exit_code;
      rec.finished_utc = utc_iso_now();
      rec.duration_s = std::chrono::duration<double>(Clock::now() - start).count();
      on_change(i);
      continue;
    }
    sleep_briefly();
  }
  return interrupted;
}

}  // namespace mixprec
