#pragma once
// A training run small enough to start dozens of times in a test (a 300-row CSV written by
// the test, 8 features, 3 classes, a 16-unit hidden layer), and real `mixprec` processes
// started in the background, for the tests of run-folder integrity (tests/fault/ and
// tests/cli/run_integrity_test.cpp). Needs MIXPREC_BINARY.
#include <signal.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace mixprec::testing {

// Three well separated blobs in 8 dimensions, header "f0,...,f7,label", deterministic.
inline void write_tiny_csv(const std::filesystem::path& file, int rows = 300) {
  std::ofstream out(file);
  for (int f = 0; f < 8; ++f) out << "f" << f << ",";
  out << "label\n";
  unsigned state = 12345;
  auto noise = [&state] {
    state = state * 1103515245u + 12345u;
    return double((state >> 16) & 0x7fff) / 32768.0 - 0.5;
  };
  for (int r = 0; r < rows; ++r) {
    const int label = r % 3;
    for (int f = 0; f < 8; ++f) out << fmt::format("{:.4f},", (f % 3 == label ? 2.0 : 0.0) + noise());
    out << label << "\n";
  }
}

// The config of the tiny run, reading `csv`; `epochs` epochs of 8 steps.
inline nlohmann::json tiny_config(const std::filesystem::path& csv, int epochs = 3) {
  return {{"name", "tiny"},
          {"seed", 1},
          {"threads", 1},
          {"data", {{"format", "csv"}, {"train", csv.string()}, {"test_fraction", 0.2}}},
          {"model", {{"hidden", {16}}}},
          {"optimizer", {{"name", "sgd"}, {"lr", 0.1}}},
          {"train", {{"epochs", epochs}, {"batch_size", 32}, {"eval_batch_size", 64}}}};
}

inline void write_file(const std::filesystem::path& file, const std::string& text) {
  std::ofstream(file) << text;
}

// A `mixprec` process started in the background, stdout and stderr in files.
struct Background {
  pid_t pid = -1;
  std::filesystem::path out, err;
};

inline Background start_mixprec(const std::vector<std::string>& args, const std::filesystem::path& scratch,
                                const std::string& env = "") {
  static int counter = 0;
  Background b;
  b.out = scratch / fmt::format("bg-out-{}.txt", counter);
  b.err = scratch / fmt::format("bg-err-{}.txt", counter++);
  const char* other = std::getenv("MIXPREC_TEST_BINARY");  // as cli_test_util.hpp
  std::vector<std::string> argv = {other != nullptr && *other != '\0' ? other : MIXPREC_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  b.pid = ::fork();
  if (b.pid == 0) {
    const int o = ::open(b.out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int e = ::open(b.err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(o, 1);
    ::dup2(e, 2);
    if (!env.empty()) ::putenv(const_cast<char*>(env.c_str()));
    std::vector<char*> cargv;
    for (auto& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    ::execv(cargv[0], cargv.data());
    ::_exit(127);
  }
  return b;
}

// The exit status, or 128 + signal for a killed process.
inline int wait_exit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// The exit status of `pid` if it ends within `seconds`; otherwise it is killed and the
// result is -1 (a writer that should have been refused at once but went on running).
inline int wait_exit_within(pid_t pid, double seconds) {
  for (int i = 0; i < int(seconds * 100); ++i) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid)
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGKILL);
  wait_exit(pid);
  return -1;
}

// Waits (up to `seconds`) until `pid` has stopped itself (SIGSTOP): true. False if it
// exited instead (reaped here), or did neither in time (then it is killed and reaped).
inline bool wait_stopped(pid_t pid, int seconds = 60) {
  for (int i = 0; i < seconds * 100; ++i) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WUNTRACED | WNOHANG);
    if (r == pid) return WIFSTOPPED(status);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGKILL);
  wait_exit(pid);
  return false;
}

}  // namespace mixprec::testing
