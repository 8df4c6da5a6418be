#include "sweep/shell_words.hpp"

namespace mixprec {

std::string shell_quote(const std::string& word) {
  static const char* kSafe =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_@%+=:,./-";
  if (!word.empty() && word.find_first_not_of(kSafe) == std::string::npos) return word;
  std::string out = "'";
  for (char c : word) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

std::string shell_join(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& word : argv) {
    // Two appends, not " " + temporary: GCC 12 warns falsely on the latter (-Wrestrict,
    // GCC bug 105329).
    if (!out.empty()) out += ' ';
    out += shell_quote(word);
  }
  return out;
}

}  // namespace mixprec
