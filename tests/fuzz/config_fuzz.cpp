// libFuzzer target: config text -> load_config_text, the path `mixprec validate` and
// `train` take before they touch any data file (JSON syntax, duplicate keys, --set
// overrides, schema, ranges, require_data_source).
// Input: the JSON text, optionally followed by NUL-separated --set assignments
// ("{...}\0optimizer.lr=0.1\0precision=bf16"), so the override path is fuzzed too.
// A UserError is the expected answer to bad input; anything else is a finding, and so is
// a config that does not survive to_json -> parse_config unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "config/config_loader.hpp"
#include "config/json_file.hpp"

namespace {

// Aborts (a finding) unless a JSON form of a config reads back to the same JSON.
void check_round_trip(const nlohmann::json& j) {
  using mixprec::parse_config;
  using mixprec::to_json;
  if (to_json(parse_config(j, "round trip")) != j) std::abort();
  // And through text, as config.json and the checkpoint store it.
  if (to_json(parse_config(mixprec::parse_json_text(j.dump(), "round trip text"), "")) != j) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t nul = input.find('\0');
  const std::string text(input.substr(0, nul));
  std::vector<std::string> overrides;
  for (std::size_t at = nul; at != std::string_view::npos && overrides.size() < 8;) {
    const std::size_t next = input.find('\0', at + 1);
    overrides.emplace_back(input.substr(at + 1, next == std::string_view::npos ? next : next - at - 1));
    at = next;
  }
  mixprec::Config config;
  try {
    config = mixprec::load_config_text(text, "fuzz.json", overrides);
  } catch (const mixprec::UserError&) {
    return 0;  // bad input, rejected with a message: what should happen
  }
  check_round_trip(mixprec::to_json(config));
  return 0;
}
