#pragma once
// The words /bin/sh makes of a command line, for the tests of the commands a sweep prints
// (src/sweep/shell_words.hpp): those lines are pasted into sh, so sh itself is the
// reference, not a second parser written for the test.
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace mixprec::testing {

// The argv `line` gives: sh runs `printf '%s\0' LINE` and each NUL ends a word. A line
// that sh rejects (an unterminated quote) is a test failure, with no words.
inline std::vector<std::string> sh_words(const std::string& line) {
  int out[2];
  if (::pipe(out) != 0) {
    ADD_FAILURE() << "pipe failed";
    return {};
  }
  const std::string script = "printf '%s\\0' " + line;
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::close(out[0]);
    ::close(out[1]);
    ::execl("/bin/sh", "sh", "-c", script.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(out[1]);
  std::string printed;
  char buffer[4096];
  for (ssize_t n; (n = ::read(out[0], buffer, sizeof buffer)) > 0;) printed.append(buffer, std::size_t(n));
  ::close(out[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    ADD_FAILURE() << "sh rejected the line (status " << status << "): " << line;
    return {};
  }
  std::vector<std::string> words;
  for (std::size_t start = 0, end; (end = printed.find('\0', start)) != std::string::npos; start = end + 1)
    words.push_back(printed.substr(start, end - start));
  return words;
}

}  // namespace mixprec::testing
