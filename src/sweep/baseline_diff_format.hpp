#pragma once
// How compare shows a group's differences against its baseline (sweep/baseline_diff.hpp):
// the JSON object "vs_baseline", the CSV columns, the table cell and the notes under the
// table. Field by field in docs/compare.md.
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "sweep/compare.hpp"

namespace mixprec {

nlohmann::json baseline_diff_json(const BaselineDiff& d);

// "+0.24 [-0.11, +0.60]" in points for test accuracy; "-" when there is nothing.
std::string accuracy_diff_cell(const MetricDiff& d);
// "paired 10, r=0.87", "Welch", or "n<2".
std::string method_cell(const MetricDiff& d);

// Lines under the table, each with its depth (0: a heading, 1: a group, 2: its detail):
// every metric's difference with its method, the unpaired runs, and the seeds needed.
std::vector<std::pair<int, std::string>> baseline_diff_notes(const Comparison& cmp);

std::vector<std::string> baseline_diff_csv_header();
std::vector<std::string> baseline_diff_csv_fields(const CompareGroup& g);  // as many as the header

}  // namespace mixprec
