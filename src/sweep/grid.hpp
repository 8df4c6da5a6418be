#pragma once
// The run grid of `mixprec sweep`: precisions x seeds x the values of each --set, expanded
// in a fixed order, and the deterministic folder name of each run. Pure functions: no
// files, no config loading (the sweep command validates every run with load_config).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace mixprec {

// One --set of the sweep: key=v1,v2,... A single value applies to every run.
struct SweepAxis {
  std::string key;
  std::vector<std::string> values;
};

// One point of the grid.
struct GridRun {
  std::string name;        // folder name, unique within the grid
  std::string precision;   // canonical name
  std::uint64_t seed = 0;
  // The swept settings (axes with two or more values), in --set order: they name the run.
  std::vector<std::pair<std::string, std::string>> parameters;
  // Every --set the run gets, in order: precision, seed, then each axis (swept or fixed).
  std::vector<std::string> overrides;
};

// Splits "a,b,[1,2],{"x":1,"y":2}" on commas outside brackets, braces and double quotes:
// {"a", "b", "[1,2]", "{"x":1,"y":2}"}. Empty pieces and unbalanced brackets are
// UserErrors naming `where` (the flag) and the text.
std::vector<std::string> split_values(const std::string& text, const std::string& where);

// "key=v1,v2" -> {key, {v1, v2}}; UserError without '=' or with an empty key.
SweepAxis parse_axis(const std::string& assignment);

// "0-4" -> 0..4; "0,3,7"; "0-2,5"; duplicates and descending ranges are UserErrors.
std::vector<std::uint64_t> parse_seeds(const std::string& text);

// "fp32,bf16-mixed" -> canonical names (aliases accepted); duplicates are UserErrors.
std::vector<std::string> parse_precisions(const std::string& text);

// Keeps [A-Za-z0-9._+=-]; a comma or other byte becomes '_', brackets, braces, quotes and
// spaces are dropped, a leading '.' becomes '_'. "model.hidden=[256,128]" ->
// "model.hidden=256_128".
std::string sanitize_for_filename(const std::string& text);

// "<precision>-seed<k>[-<key>=<value>...]" over the swept parameters, sanitised.
std::string run_name(const std::string& precision, std::uint64_t seed,
                     const std::vector<std::pair<std::string, std::string>>& parameters);

// The full grid: seed outermost, then each axis in order, then the precision innermost.
// The runs a comparison puts side by side follow each other, so a machine whose speed
// drifts during the sweep (a shared host: 30-40% between quiet and busy periods here)
// biases no precision against another. Names that collide after sanitising get
// "-2", "-3", ... in grid order. Axes on "precision" or "seed" are UserErrors (use
// --precision / --seeds), as is the same key twice.
std::vector<GridRun> expand_grid(const std::vector<std::string>& precisions,
                                 const std::vector<std::uint64_t>& seeds,
                                 const std::vector<SweepAxis>& axes);

}  // namespace mixprec
