#pragma once
// The name of a group of runs in `compare` (and in scripts/plot_runs.py, which mirrors this):
// its precision, then "+sr", "+sr-grad" and "+kahan" for each remedy of NUMERICS.md "Beyond
// nearest rounding" that the runs' recorded config turns on, in that order:
// "bf16-true+sr+kahan". Read from config.json, never from folder names.
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace mixprec {

// A flattened config: dotted key -> value (compare.hpp flatten_config).
using FlatConfig = std::map<std::string, nlohmann::json>;

struct Remedy {
  std::string key;     // dotted config key
  std::string off;     // the default, which runs recorded before the key existed ran with
  std::string on;      // the value that turns it on
  std::string suffix;  // in the name, after a '+'
};

// In name order.
const std::vector<Remedy>& remedies();

// Gives every remedy key that `settings` lacks its `off` value, so that a run recorded
// before the keys existed groups with the runs that write the defaults.
void fill_absent_remedies(FlatConfig& settings);

// "bf16-true+sr" for settings with precision "bf16-true" and rounding.weights "stochastic".
std::string group_name(const FlatConfig& settings);

// Sorts a precision's groups: plain first, then one remedy in name order, then two, ...
std::pair<int, int> remedy_order(const FlatConfig& settings);

}  // namespace mixprec
