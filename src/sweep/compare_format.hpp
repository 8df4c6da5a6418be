#pragma once
// The four renderings of a Comparison. JSON schema ("mixprec-compare/1") in README.md,
// "Sweeps and comparison"; the table and markdown carry the same numbers rounded for
// reading, CSV and JSON carry them unrounded.
#include <string>

#include <nlohmann/json.hpp>

#include "sweep/compare.hpp"

namespace mixprec {

enum class CompareFormat { kTable, kMarkdown, kCsv, kJson };

// "table", "markdown" (or "md"), "csv", "json"; UserError otherwise.
CompareFormat parse_compare_format(const std::string& name);

nlohmann::json comparison_json(const Comparison& cmp);
std::string format_comparison(const Comparison& cmp, CompareFormat format);

// RFC 4180: the field as is, or in double quotes (doubled inside) if it holds a comma,
// a quote or a line break.
std::string csv_field(const std::string& text);

}  // namespace mixprec
