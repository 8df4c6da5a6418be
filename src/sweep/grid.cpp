#include "sweep/grid.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include "common/error.hpp"
#include "precision/precision.hpp"

namespace mixprec {

std::vector<std::string> split_values(const std::string& text, const std::string& where) {
  std::vector<std::string> out;
  std::string current;
  std::vector<char> open;  // expected closing brackets, innermost last
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      current += c;
      if (c == '\\' && i + 1 < text.size()) current += text[++i];
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      open.push_back(c == '[' ? ']' : '}');
    } else if (c == ']' || c == '}') {
      if (open.empty() || open.back() != c)
        fail("{} {}: unbalanced '{}' at position {} (hint: values are split on commas outside "
             "brackets, e.g. model.hidden=[256,128],[512])", where, text, c, i + 1);
      open.pop_back();
    } else if (c == ',' && open.empty()) {
      out.push_back(current);
      current.clear();
      continue;
    }
    current += c;
  }
  if (in_string) fail("{} {}: unterminated '\"' (hint: close the quoted string)", where, text);
  if (!open.empty())
    fail("{} {}: missing '{}' at the end (hint: values are split on commas outside brackets)",
         where, text, open.back());
  out.push_back(current);
  for (std::size_t k = 0; k < out.size(); ++k)
    if (out[k].empty())
      fail("{} {}: value {} of {} is empty (hint: remove the stray comma)", where, text, k + 1,
           out.size());
  return out;
}

SweepAxis parse_axis(const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    fail("--set {}: expected key=value or key=v1,v2,... (hint: --set optimizer.lr=0.1,0.05)",
         assignment);
  SweepAxis axis{assignment.substr(0, eq), {}};
  axis.values = split_values(assignment.substr(eq + 1), "--set " + axis.key + "=");
  return axis;
}

namespace {

std::uint64_t parse_seed(const std::string& piece, const std::string& text) {
  std::uint64_t value = 0;
  const char* end = piece.data() + piece.size();
  auto [ptr, ec] = std::from_chars(piece.data(), end, value);
  if (piece.empty() || ec != std::errc() || ptr != end)
    fail("--seeds {}: '{}' is not a non-negative integer (hint: --seeds 0-4 or --seeds 0,3,7)",
         text, piece);
  return value;
}

}  // namespace

std::vector<std::uint64_t> parse_seeds(const std::string& text) {
  std::vector<std::uint64_t> seeds;
  std::set<std::uint64_t> seen;
  for (const std::string& piece : split_values(text, "--seeds")) {
    const auto dash = piece.find('-');
    std::uint64_t first = 0, last = 0;
    if (dash == std::string::npos) {
      first = last = parse_seed(piece, text);
    } else {
      first = parse_seed(piece.substr(0, dash), text);
      last = parse_seed(piece.substr(dash + 1), text);
      if (last < first)
        fail("--seeds {}: range {} runs backwards (hint: write the smaller seed first)", text,
             piece);
      if (last - first >= 100000)
        fail("--seeds {}: range {} holds more than 100000 seeds", text, piece);
    }
    for (std::uint64_t s = first;; ++s) {
      if (!seen.insert(s).second)
        fail("--seeds {}: seed {} is listed twice (hint: each seed once)", text, s);
      seeds.push_back(s);
      if (s == last) break;
    }
  }
  return seeds;
}

std::vector<std::string> parse_precisions(const std::string& text) {
  std::vector<std::string> out;
  for (const std::string& piece : split_values(text, "--precision")) {
    const std::string name = to_string(parse_precision(piece, "--precision"));
    if (std::find(out.begin(), out.end(), name) != out.end())
      fail("--precision {}: {} is listed twice (aliases count: 16 is fp16-mixed)", text, name);
    out.push_back(name);
  }
  return out;
}

std::string sanitize_for_filename(const std::string& text) {
  std::string out;
  for (char c : text) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '_' || c == '+' || c == '=' || c == '-';
    if (keep) out += c;
    else if (c == '[' || c == ']' || c == '{' || c == '}' || c == '"' || c == '\'' || c == ' ')
      continue;
    else out += '_';
  }
  if (!out.empty() && out.front() == '.') out.front() = '_';
  return out;
}

std::string run_name(const std::string& precision, std::uint64_t seed,
                     const std::vector<std::pair<std::string, std::string>>& parameters) {
  std::string name = precision + "-seed" + std::to_string(seed);
  for (const auto& [key, value] : parameters) name += "-" + key + "=" + value;
  // A file name is at most 255 bytes; leave room for a collision suffix.
  name = sanitize_for_filename(name);
  if (name.size() > 200) name.resize(200);
  return name;
}

std::vector<GridRun> expand_grid(const std::vector<std::string>& precisions,
                                 const std::vector<std::uint64_t>& seeds,
                                 const std::vector<SweepAxis>& axes) {
  std::set<std::string> keys;
  for (const SweepAxis& axis : axes) {
    if (axis.key == "precision" || axis.key == "seed")
      fail("--set {}=...: sweep {} with --{} instead (hint: --precision fp32,bf16-mixed "
           "--seeds 0-4)", axis.key, axis.key == "seed" ? "seeds" : "precisions",
           axis.key == "seed" ? "seeds" : "precision");
    if (!keys.insert(axis.key).second)
      fail("--set {}: the key is given twice (hint: list all its values in one --set, "
           "{}=v1,v2)", axis.key, axis.key);
    if (axis.values.empty()) fail("--set {}: no values", axis.key);
  }
  if (precisions.empty() || seeds.empty()) fail("sweep: no precisions or no seeds to run");

  std::vector<GridRun> runs;
  // Odometer over the axes' value indices; the last axis turns fastest.
  std::vector<std::size_t> index(axes.size(), 0);
  for (std::uint64_t seed : seeds) {
    std::fill(index.begin(), index.end(), 0);
    while (true) {
      for (const std::string& precision : precisions) {
        GridRun run;
        run.precision = precision;
        run.seed = seed;
        run.overrides = {"precision=" + precision, "seed=" + std::to_string(seed)};
        for (std::size_t a = 0; a < axes.size(); ++a) {
          const std::string& value = axes[a].values[index[a]];
          run.overrides.push_back(axes[a].key + "=" + value);
          if (axes[a].values.size() > 1) run.parameters.emplace_back(axes[a].key, value);
        }
        run.name = run_name(precision, seed, run.parameters);
        runs.push_back(std::move(run));
      }
      std::size_t a = axes.size();
      while (a > 0 && ++index[a - 1] == axes[a - 1].values.size()) index[--a] = 0;
      if (a == 0) break;
    }
  }

  // Distinct settings may sanitise to one name ("a/b" and "a_b"): number the repeats.
  std::map<std::string, int> count;
  std::set<std::string> taken;
  for (const GridRun& run : runs) taken.insert(run.name);
  std::set<std::string> seen;
  for (GridRun& run : runs) {
    if (seen.insert(run.name).second) continue;
    int& n = count[run.name];
    std::string candidate;
    do candidate = run.name + "-" + std::to_string(++n + 1);
    while (taken.count(candidate));
    taken.insert(candidate);
    seen.insert(candidate);
    run.name = candidate;
  }
  return runs;
}

}  // namespace mixprec
