#pragma once
// The set of valid dotted keys ("optimizer.lr") and the "did you mean" suggestions for the
// ones that are not. config_loader.cpp parses each key by hand; this table is what it
// checks unknown keys against, and a test keeps the two in step with to_json().
#include <string>
#include <string_view>
#include <vector>

namespace mixprec {

enum class KeyKind {
  kObject,  // holds sub-keys
  kString,  // free text (a name or a path): an unparsable --set value is taken verbatim
  kValue,   // anything else: number, integer, bool, enum name, list
};

struct KeySpec {
  std::string_view path;  // dotted, e.g. "optimizer.lr"
  KeyKind kind;
};

// Every valid key, parents before their children. loss_scale is listed as an object
// although it also accepts a string or number shorthand.
const std::vector<KeySpec>& config_keys();

// nullptr when `path` is not a valid key.
const KeySpec* find_key(std::string_view path);

// The valid sub-keys of an object ("" for the top level), in schema order.
std::vector<std::string> child_keys(std::string_view object_path);

// `unknown key "optimizer.lrr"; did you mean "optimizer.lr"?`, or, when nothing is close,
// the list of valid keys of the nearest enclosing object. No file prefix.
std::string unknown_key_message(std::string_view path);

// Levenshtein distance, case-insensitive, '-' equal to '_'.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidates closest to `word` (at most 3), or none when nothing is close enough.
std::vector<std::string> closest_words(std::string_view word,
                                       const std::vector<std::string>& candidates);

}  // namespace mixprec
