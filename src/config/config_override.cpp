// apply_override: `--set dotted.key=value`. The key must exist in the schema (checked here,
// before the file is consulted, so a typo fails even when the file omits the key); the
// value is checked later by parse_config like any value from the file.
#include <string_view>

#include "common/error.hpp"
#include "config/config_loader.hpp"
#include "config/config_parse.hpp"
#include "config/config_schema.hpp"

namespace mixprec {

using nlohmann::json;

namespace {

// The value text as JSON; text that is not JSON is a string (precision=bf16-mixed).
// Text that starts like a list, object or quoted string but does not parse is a mistake
// worth reporting rather than a string.
json parse_value(const std::string& text, const KeySpec& key, const std::string& assignment) {
  json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    auto first = text.find_first_not_of(' ');
    if (first != std::string::npos && (text[first] == '[' || text[first] == '{' ||
                                       text[first] == '"')) {
      try {
        json ignored = json::parse(text);  // throws: we want its message
      } catch (const json::exception& e) {
        std::string what = e.what();
        auto colon = what.find("column ");
        colon = what.find(": ", colon == std::string::npos ? 0 : colon);
        fail("--set {}: invalid JSON value {}: {} (hint: quote the whole assignment for the "
             "shell, e.g. --set 'model.hidden=[256,128]')",
             assignment, text, colon == std::string::npos ? what : what.substr(colon + 2));
      }
    }
    return json(text);
  }
  // Free-text keys keep the text as typed: name=2024 is the name "2024", not a number.
  if (key.kind == KeyKind::kString && !value.is_string()) return json(text);
  return value;
}

// loss_scale accepts "dynamic" or 1024 as shorthands; a --set inside it needs the object.
json expand_loss_scale(const json& v) {
  if (v.is_string()) return v.get<std::string>() == "auto" ? json::object()
                                                           : json{{"mode", v}};
  return json{{"mode", "static"}, {"init", v}};
}

}  // namespace

json apply_override(json j, const std::string& assignment) {
  std::string key = override_key(assignment);
  const KeySpec* spec = find_key(key);
  if (spec == nullptr) fail("--set {}: {}", assignment, unknown_key_message(key));
  json value = parse_value(assignment.substr(assignment.find('=') + 1), *spec, assignment);

  if (!j.is_object())
    fail("--set {}: the config is {}, not a JSON object", assignment, j.type_name());
  json* node = &j;
  std::size_t start = 0;
  for (std::size_t dot = key.find('.'); dot != std::string::npos; dot = key.find('.', start)) {
    std::string part = key.substr(start, dot - start);
    std::string prefix = key.substr(0, dot);
    json& child = (*node)[part];  // absent objects are created (null becomes an object)
    if (prefix == "loss_scale" && (child.is_string() || child.is_number()))
      child = expand_loss_scale(child);
    if (!child.is_null() && !child.is_object())
      fail("--set {}: cannot set a key inside \"{}\", which is {} rather than an object",
           assignment, prefix, child.dump());
    node = &child;
    start = dot + 1;
  }
  (*node)[key.substr(start)] = std::move(value);
  return j;
}

}  // namespace mixprec
