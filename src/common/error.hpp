#pragma once
// Error types that main() maps to exit codes: UserError -> 2 (bad config, data or
// flags: the user can fix it), IoError -> 74 (a write failed: disk full, file too large,
// I/O error; EX_IOERR of sysexits.h), anything else -> 1 (a bug). docs/failures.md lists
// every exit code.
#include <stdexcept>
#include <string>

#include <fmt/format.h>

namespace mixprec {

// A one-line message that names the file/key/position, what was expected, and a hint.
class UserError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A write that the system refused (ENOSPC, EFBIG, EIO, EDQUOT...): the message names the
// file. The run folder keeps what was whole before the failure (docs/failures.md).
class IoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> format, Args&&... args) {
  throw UserError(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace mixprec
