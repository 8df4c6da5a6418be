#pragma once
// Reading a JSON document with errors a person can act on: the file name, the line and
// column of a syntax error, and a hint for the usual mistakes (trailing comma, comment,
// single quotes, missing comma). Duplicate keys are rejected: JSON would keep the last.
#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

namespace mixprec {

struct TextPosition {
  std::size_t line;    // 1-based
  std::size_t column;  // 1-based, in bytes
};

// Deeper nesting of [ and { than any config needs (the schema goes three levels deep) is
// an error. nlohmann's parser is iterative, but dump(), which messages use to show a value,
// recurses: a value of 100000 nested '[' overflowed the stack.
inline constexpr int kMaxJsonDepth = 100;

// The line and column of a 0-based byte offset into `text`.
TextPosition position_of(const std::string& text, std::size_t offset);

// Parses `text`; `source` names it in errors ("<source>:<line>:<col>: invalid JSON: ...").
nlohmann::json parse_json_text(const std::string& text, const std::string& source);

// Reads a config file's text; a missing or unreadable file is a UserError naming it.
std::string read_config_file(const std::string& path);

}  // namespace mixprec
