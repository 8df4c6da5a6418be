#include "cli/data_summary.hpp"

#include <fmt/format.h>

namespace mixprec {
namespace {

using nlohmann::json;

// Lists at most `limit` items, then how many more.
std::string limited(const std::vector<std::string>& items, std::size_t limit = 12) {
  std::string out;
  for (std::size_t i = 0; i < items.size() && i < limit; ++i) out += (i ? ", " : "") + items[i];
  if (items.size() > limit) out += fmt::format(", ... ({} more)", items.size() - limit);
  return out;
}

std::int64_t total(const json& counts) {
  std::int64_t n = 0;
  for (const auto& [split, count] : counts.items()) n += count.get<std::int64_t>();
  return n;
}

}  // namespace

std::string data_summary_text(const DataSplits& data) {
  const json& r = data.report;
  std::string out = fmt::format("Data: {}\n", data.description);
  out += fmt::format("  rows: {} train / {} validation / {} test\n", r["rows"]["train"].get<std::int64_t>(),
                     r["rows"]["validation"].get<std::int64_t>(), r["rows"]["test"].get<std::int64_t>());
  out += fmt::format("  inputs after encoding: {}\n", r["inputs"].get<int>());
  std::vector<std::string> classes;
  const auto& names = r["classes"];
  for (std::size_t c = 0; c < names.size(); ++c)
    classes.push_back(fmt::format("{} {}", names[c].get<std::string>(), r["class_counts"]["train"][c].get<std::int64_t>()));
  out += fmt::format("  classes ({}, training rows each): {}\n", r["class_labels"].get<std::string>(), limited(classes));
  std::vector<std::string> categorical, missing, ranges;
  for (const json& col : r["columns"]) {
    const std::string name = col["name"].get<std::string>();
    if (col["kind"] == "categorical") {
      categorical.push_back(fmt::format("{} ({}: {})", name, col["categories"].size(),
                                        limited(col["categories"].get<std::vector<std::string>>(), 5)));
    } else if (col.contains("train_min")) {
      ranges.push_back(fmt::format("{} {:.3g}..{:.3g}", name, col["train_min"].get<double>(), col["train_max"].get<double>()));
    }
    if (const std::int64_t n = total(col["missing"]); n > 0) {
      std::string fill = col.contains("fill") ? fmt::format(", filled with the training mean {:.4g}", col["fill"].get<double>())
                         : col["kind"] == "categorical" ? ", a category of their own" : "";
      missing.push_back(fmt::format("{} {}{}", name, n, fill));
    }
  }
  if (r["columns"].empty()) out += "  columns: images (IDX), no per-column encoding\n";
  out += fmt::format("  categorical columns (one-hot): {}\n", categorical.empty() ? "none" : limited(categorical, 8));
  out += fmt::format("  missing cells: {}\n", missing.empty() ? "none" : limited(missing, 8));
  if (!ranges.empty())
    out += fmt::format("  numeric columns on the training split after normalize {} (min..max): {}\n",
                       r["normalize"].get<std::string>(), limited(ranges));
  for (const std::string& w : data.warnings) out += "  warning: " + w + "\n";
  return out;
}

}  // namespace mixprec
