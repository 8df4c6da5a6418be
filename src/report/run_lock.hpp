#pragma once
// One writer per run folder (and per sweep folder): the writer holds an exclusive flock on
// the folder itself, so nothing is added to the folder and the kernel releases the lock
// when the process ends, however it ends (kill -9 included). Readers do not lock.
#include <sys/types.h>

#include <filesystem>
#include <optional>

namespace mixprec {

class RunLock {
 public:
  // Locks `dir` (which must exist) or throws UserError naming the folder and the process
  // that holds it ("... is being written by process 1234 ...").
  explicit RunLock(const std::filesystem::path& dir);
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

 private:
  int fd_ = -1;
};

// The process holding the lock on `dir`, if one does (from /proc/locks; nothing where
// that file is missing). For readers: `compare` and `sweep` show such a run as "running".
std::optional<pid_t> run_lock_holder(const std::filesystem::path& dir);

// Removes the <file>.tmp.<pid> files that a killed writer left (write_text_atomically).
// Call only while holding the folder's RunLock: then no other writer is using them.
void remove_stale_temp_files(const std::filesystem::path& dir);

}  // namespace mixprec
