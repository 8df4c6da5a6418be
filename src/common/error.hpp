#pragma once
// Error types that main() maps to exit codes: UserError -> 2 (bad config, data or
// flags: the user can fix it), anything else -> 1 (a bug or an environment fault).
#include <stdexcept>
#include <string>

#include <fmt/format.h>

namespace mixprec {

// A one-line message that names the file/key/position, what was expected, and a hint.
class UserError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) {
  throw UserError(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace mixprec
