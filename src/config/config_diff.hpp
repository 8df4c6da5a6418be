#pragma once
// What changed between two resolved configs (to_json(Config)), key by key, for messages
// that refuse to mix runs of different configs (sweep resume, train --resume).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mixprec {

// "optimizer.lr: 0.1 -> 0.05", one per changed leaf key (a list such as model.hidden is
// one key), in key order. Empty when the configs are equal.
std::vector<std::string> changed_keys(const nlohmann::json& before, const nlohmann::json& after);

// The first `limit` of changed_keys joined by "; ", with ", and N more" after them.
std::string describe_changes(const nlohmann::json& before, const nlohmann::json& after,
                             std::size_t limit = 4);

}  // namespace mixprec
