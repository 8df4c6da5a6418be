#pragma once
// JSON config file -> typed Config (config.hpp), with `--set key=value` overrides and strict
// validation: unknown keys, wrong types, out-of-range values and unknown names are all
// UserErrors of one line that name the file or --set, the key, the value and what was
// expected. Keys and defaults are documented in docs/config.md.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.hpp"
#include "config/config_enums.hpp"

namespace mixprec {

// The one entry point: read the file, apply the overrides in order, parse and validate
// (including require_data_source), return the typed config.
Config load_config(const std::string& path, const std::vector<std::string>& overrides = {});

// What load_config does with the file's text; `source` names it in messages as the path
// would (the fuzz target, tests/fuzz/config_fuzz.cpp, calls it with text in memory).
Config load_config_text(const std::string& text, const std::string& source,
                        const std::vector<std::string>& overrides = {});

// Parses and validates a JSON document; `source` names it in messages (a file name).
// Every key is optional. Does not require a data source, so that
// parse_config(to_json(Config{}), ...) works; load_config adds that check.
Config parse_config(const nlohmann::json& j, const std::string& source);

// Sets one "dotted.key=value" in `j` (an object), creating absent objects on the way.
// The value is parsed as JSON; if that fails (or the key holds free text such as "name"
// or "data.dir") it is taken as a string, so `precision=bf16-mixed` works unquoted.
// Throws UserError ("--set <assignment>: ...") for a key that is not in the schema, even
// if the file does not mention it.
nlohmann::json apply_override(nlohmann::json j, const std::string& assignment);

// Fails unless the data section names its input: data.dir for "idx", data.train for "csv".
void require_data_source(const Config& c, const std::string& source);

// Every key, fully resolved, with canonical names: parse_config(to_json(c)) equals c.
// loss_scale is always written in object form, with mode "auto" when unset.
nlohmann::json to_json(const Config& c);

}  // namespace mixprec
