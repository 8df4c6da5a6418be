#pragma once
// Write failures: the errno values that mean "the system refused the write" become IoError
// (exit 74) naming the file; and a test hook that injects such failures without root.
//
// MIXPREC_FAULT=<kind>@<n> (environment, read once): the n-th write to a run folder (each
// metrics.jsonl record and each whole-file write counts one, from 1) is
//   kill   -> half written, then the process kills itself with SIGKILL;
//   enospc -> not written, and fails as a full disk would (errno ENOSPC);
//   pause  -> the process stops itself (SIGSTOP) before the write, holding its folder's
//             lock, until a SIGCONT: a second writer can be started at that exact point.
// Unset: no effect. tests/fault/ uses it to stop a run at exact points of its writes.
#include <string>

namespace mixprec {

enum class WriteFault { kNone, kKill, kNoSpace };

// Counts this write and says what to do with it; a pause is done here and counts as kNone.

WriteFault next_write_fault();

// Throws IoError "cannot write <what>: <strerror(err)> (hint: ...)"; the hint says to free
// space for ENOSPC/EDQUOT, to raise the limit for EFBIG.
[[noreturn]] void throw_write_error(const std::string& what, int err);

// ENOSPC, EDQUOT, EFBIG, EIO, EROFS: the system, not the user's input, refused the write.
bool is_io_errno(int err);

}  // namespace mixprec
