#pragma once
// Internal to src/config: parse_config with the knowledge of which keys came from which
// --set, so that an error in an overridden value blames the --set and not the file.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.hpp"

namespace mixprec {

struct OverrideOrigin {
  std::string path;        // "optimizer.lr"
  std::string assignment;  // "optimizer.lr=0" as the user typed it
};

Config parse_config_with_origins(const nlohmann::json& j, const std::string& source,
                                 const std::vector<OverrideOrigin>& overrides);

// The dotted key of an assignment ("optimizer.lr" of "optimizer.lr=0.1"); throws
// UserError when the assignment has no '=' or a malformed key.
std::string override_key(const std::string& assignment);

}  // namespace mixprec
