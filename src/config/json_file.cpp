#include "config/json_file.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include "common/error.hpp"

namespace mixprec {

TextPosition position_of(const std::string& text, std::size_t offset) {
  offset = std::min(offset, text.size());
  TextPosition pos{1, 1};
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++pos.line;
      pos.column = 1;
    } else {
      ++pos.column;
    }
  }
  return pos;
}

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// nlohmann's what() reads "[json.exception.parse_error.101] parse error at line 3,
// column 5: syntax error while parsing ..."; keep the part after the position.
std::string strip_position(const std::string& what) {
  auto column = what.find("column ");
  auto colon = what.find(": ", column == std::string::npos ? 0 : column);
  if (colon == std::string::npos) return what;
  return what.substr(colon + 2);
}

// "[json.exception.out_of_range.406] number overflow ..." -> "number overflow ...".
std::string strip_exception_id(const std::string& what) {
  auto bracket = what.find("] ");
  return bracket == std::string::npos ? what : what.substr(bracket + 2);
}

std::string hint_for(const std::string& text, std::size_t offset, const std::string& what) {
  if (text.find_first_not_of(" \t\r\n") == std::string::npos)
    return "the file is empty; write {} to use every default";
  if (offset >= text.size())
    return "the document ends early: a closing } or ] or a quote is missing";
  char here = text[offset];
  std::size_t before = offset;
  while (before > 0 && is_space(text[before - 1])) --before;
  char previous = before > 0 ? text[before - 1] : '\0';
  if ((here == '}' || here == ']') && previous == ',')
    return "JSON allows no comma after the last entry; remove it";
  if (here == '/' || here == '#') return "JSON has no comments; remove them";
  if (here == '\'') return "JSON strings use double quotes";
  if (here == '\n' || here == '\r')
    return "a string must end on the line it starts; is a closing quote missing?";
  if (here == '"' && previous != ',' && previous != '{' && previous != '[' && previous != ':')
    return "a comma is probably missing before this entry";
  if (what.find("expected end of input") != std::string::npos)
    return "the document ends here: is there an extra } or ], or a second document?";
  if (what.find("expected ':'") != std::string::npos)
    return "a colon is missing between the key and its value";
  if (what.find("invalid literal") != std::string::npos)
    return "a value is a number, a \"string\", true, false, null, a [list] or an {object}";
  return "look here for a missing comma, quote or brace";
}

// The offset where the offending token starts. nlohmann reports where it ends; for a
// string token (the usual "missing comma" case) walk back to its opening quote.
std::size_t token_start(const std::string& text, std::size_t end) {
  if (end >= text.size() || text[end] != '"' || end == 0) return end;
  for (std::size_t i = end; i-- > 0;) {
    if (text[i] == '"' && (i == 0 || text[i - 1] != '\\')) return i;
    if (text[i] == '\n') break;
  }
  return end;
}

// The offset of the first '[' or '{' (outside strings) that opens level `limit` + 1.
std::size_t nesting_offset(const std::string& text, int limit) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return i;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return text.size();
}

}  // namespace

nlohmann::json parse_json_text(const std::string& text, const std::string& source) {
  // One set of seen keys per open object (nlohmann keeps the last of duplicate keys).
  std::vector<std::set<std::string>> seen;
  std::vector<std::string> path;  // the key being read at each open object level
  std::string duplicate;
  auto callback = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using E = nlohmann::json::parse_event_t;
    if ((event == E::object_start || event == E::array_start) &&
        depth >= kMaxJsonDepth) {  // depth: the levels around this one
      TextPosition pos = position_of(text, nesting_offset(text, kMaxJsonDepth));
      fail("{}:{}:{}: JSON nested more than {} levels deep (hint: a config nests at most 3 "
           "levels: {{\"loss_scale\": {{...}}}}, {{\"model\": {{\"hidden\": [...]}}}})",
           source, pos.line, pos.column, kMaxJsonDepth);
    }
    if (event == E::object_start) {
      seen.emplace_back();
      path.emplace_back();
    } else if (event == E::object_end) {
      seen.pop_back();
      path.pop_back();
    } else if (event == E::key) {
      const std::string& key = parsed.get_ref<const std::string&>();
      path.back() = key;
      if (!seen.back().insert(key).second && duplicate.empty()) {
        for (const auto& part : path) duplicate += (duplicate.empty() ? "" : ".") + part;
      }
    }
    return true;
  };
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text, callback);
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is the 1-based index of the last character read, i.e. the end of the
    // offending token (or one past the end of the text).
    std::string what = strip_position(e.what());
    std::size_t offset = e.byte > 0 ? e.byte - 1 : 0;
    if (what.find("unexpected string literal") != std::string::npos)
      offset = token_start(text, offset);
    std::size_t shown = offset;
    if (shown >= text.size()) {  // end of input: point just after the last real character
      shown = text.size();
      while (shown > 0 && is_space(text[shown - 1])) --shown;
    }
    TextPosition pos = position_of(text, shown);
    fail("{}:{}:{}: invalid JSON: {} (hint: {})", source, pos.line, pos.column, what,
         hint_for(text, offset, what));
  } catch (const nlohmann::json::exception& e) {
    // Number overflow (1e400) is not a parse_error and carries no position: find the
    // number named in the message ("number overflow parsing '1e400'").
    std::string what = strip_exception_id(e.what());
    auto open = what.find('\'');
    auto close = what.rfind('\'');
    std::size_t offset = text.size();
    if (open != std::string::npos && close > open)
      offset = text.find(what.substr(open + 1, close - open - 1));
    TextPosition pos = position_of(text, offset);
    fail("{}:{}:{}: invalid JSON: {} (hint: a number must fit a double, about 1.8e308)",
         source, pos.line, pos.column, what);
  }
  if (!duplicate.empty())
    fail("{}: duplicate key \"{}\" (hint: JSON would silently keep only the last one; remove "
         "the other)",
         source, duplicate);
  return j;
}

std::string read_config_file(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    fail("{}: config file not found (hint: relative paths are resolved against the current "
         "directory, {})",
         path, fs::current_path(ec).string());
  }
  if (fs::is_directory(path, ec))
    fail("{}: is a directory, expected a JSON config file", path);
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("{}: cannot open config file: {}", path, std::strerror(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) fail("{}: cannot read config file: {}", path, std::strerror(errno));
  return buffer.str();
}

}  // namespace mixprec
