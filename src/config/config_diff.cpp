#include "config/config_diff.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace mixprec {
namespace {

using nlohmann::json;

std::string shown(const json* v) {
  if (v == nullptr) return "(absent)";
  std::string text = v->dump();
  return text.size() <= 40 ? text : text.substr(0, 37) + "...";
}

void collect(const json* a, const json* b, const std::string& path,
             std::vector<std::string>& out) {
  if (a != nullptr && b != nullptr && a->is_object() && b->is_object()) {
    std::vector<std::string> keys;  // the union, in key order (json objects are sorted)
    for (const auto& [k, v] : a->items()) keys.push_back(k);
    for (const auto& [k, v] : b->items())
      if (!a->contains(k)) keys.push_back(k);
    std::sort(keys.begin(), keys.end());
    for (const std::string& k : keys) {
      const json* x = a->contains(k) ? &(*a)[k] : nullptr;
      const json* y = b->contains(k) ? &(*b)[k] : nullptr;
      collect(x, y, path.empty() ? k : path + "." + k, out);
    }
    return;
  }
  const bool same = a != nullptr && b != nullptr && *a == *b;
  if (!same) out.push_back(fmt::format("{}: {} -> {}", path.empty() ? "(config)" : path, shown(a), shown(b)));
}

}  // namespace

std::vector<std::string> changed_keys(const json& before, const json& after) {
  std::vector<std::string> out;
  collect(&before, &after, "", out);
  return out;
}

std::string describe_changes(const json& before, const json& after, std::size_t limit) {
  const std::vector<std::string> keys = changed_keys(before, after);
  std::string text;
  for (std::size_t i = 0; i < keys.size() && i < limit; ++i) text += (i ? "; " : "") + keys[i];
  if (keys.size() > limit) text += fmt::format(", and {} more", keys.size() - limit);
  return text;
}

}  // namespace mixprec
