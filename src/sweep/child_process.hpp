#pragma once
// Starting a run as a child process with its output in a log file, and waiting for it.
#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace mixprec {

// Starts argv[0] with argv (no shell), stdin from /dev/null, stdout and stderr appended
// to `log` (created with its folder). Throws std::runtime_error naming the program if it
// cannot be started.
pid_t spawn_logged(const std::vector<std::string>& argv, const std::filesystem::path& log);

struct ChildExit {
  pid_t pid;
  int exit_code;  // the exit status, or 128 + signal number for a killed child
};

// A child that has ended, without blocking; nullopt if none has. EINTR is retried.
std::optional<ChildExit> poll_child();

}  // namespace mixprec
