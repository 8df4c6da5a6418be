// apply_override: `--set dotted.key=value`. The key must exist in the schema (checked here,
// before the file is consulted, so a typo fails even when the file omits the key); the
// value is checked later by parse_config like any value from the file.
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "common/error.hpp"
#include "config/config_loader.hpp"
#include "config/config_parse.hpp"
#include "config/config_schema.hpp"
#include "config/json_file.hpp"

namespace mixprec {

using nlohmann::json;

namespace {

// The value text as JSON; text that is not JSON is a string (precision=bf16-mixed).
// Text that starts like a list, object or quoted string but does not parse is a mistake
// worth reporting rather than a string.
json parse_value(const std::string& text, const KeySpec& key, const std::string& assignment) {
  auto depth_guard = [&](int depth, json::parse_event_t event, json&) {
    using E = json::parse_event_t;
    if ((event == E::object_start || event == E::array_start) &&
        depth >= kMaxJsonDepth) {  // depth: the levels around this one
      fail("--set {}: the value is nested more than {} levels deep (hint: a list such as "
           "model.hidden=[256,128] needs one)", assignment, kMaxJsonDepth);
    }
    return true;
  };
  json value = json::parse(text, depth_guard, /*allow_exceptions=*/false);
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

// The offset of the first byte that does not belong to well-formed UTF-8 (RFC 3629: no
// overlong forms, no surrogates, nothing above U+10FFFF), or npos. A file's JSON text is
// checked by the JSON parser; a --set value taken verbatim is not, and nlohmann's dump()
// throws on such bytes when config.json is written.
std::size_t invalid_utf8_at(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t more = 0;            // continuation bytes
    unsigned char lo = 0x80, hi = 0xbf;  // the allowed range of the first of them
    if (c >= 0xc2 && c <= 0xdf) more = 1;
    else if (c == 0xe0) more = 2, lo = 0xa0;
    else if (c == 0xed) more = 2, hi = 0x9f;
    else if (c >= 0xe1 && c <= 0xef) more = 2;
    else if (c == 0xf0) more = 3, lo = 0x90;
    else if (c == 0xf4) more = 3, hi = 0x8f;
    else if (c >= 0xf1 && c <= 0xf3) more = 3;
    else return i;
    for (std::size_t k = 1; k <= more; ++k) {
      if (i + k >= s.size()) return i;
      const auto b = static_cast<unsigned char>(s[i + k]);
      if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xbf)) return i;
    }
    i += more + 1;
  }
  return std::string_view::npos;
}

// `s` with every byte outside printable ASCII as \xNN, so a message can show it.
std::string escaped(std::string_view s) {
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7f) out.push_back(ch);
    else out += fmt::format("\\x{:02x}", c);
  }
  return out;
}

// loss_scale accepts "dynamic" or 1024 as shorthands; a --set inside it needs the object.
json expand_loss_scale(const json& v) {
  if (v.is_string()) return v.get<std::string>() == "auto" ? json::object()
                                                           : json{{"mode", v}};
  return json{{"mode", "static"}, {"init", v}};
}

}  // namespace

json apply_override(json j, const std::string& assignment) {
  if (std::size_t at = invalid_utf8_at(assignment); at != std::string_view::npos) {
    fail("--set {}: byte {} (0x{:02x}) is not valid UTF-8 (hint: config values are UTF-8 text; "
         "for a path with other bytes in its name, use a symlink whose name is UTF-8)",
         escaped(assignment), at, static_cast<unsigned char>(assignment[at]));
  }
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
