#pragma once
// Runs a planned sweep's pending runs as child processes, at most plan.jobs at once.
// SIGINT/SIGTERM: stop launching, forward the signal to the running children (which finish
// their step and write status "interrupted"), wait for them, and report the interruption.
#include <cstddef>
#include <functional>
#include <vector>

#include "sweep/sweep_index.hpp"
#include "sweep/sweep_plan.hpp"

namespace mixprec {

// Runs every run whose record is "pending", in plan order. A started run becomes
// "running"; an ended one takes the status of its summary.json ("failed" without one).
// on_change(i) is called after each change of records[i]. Returns true if interrupted
// (the runs not started stay "pending").
bool run_pending(const SweepPlan& plan, std::vector<RunRecord>& records,
                 const std::function<void(std::size_t)>& on_change);

}  // namespace mixprec
