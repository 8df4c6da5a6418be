// A write the system refuses is an IoError (exit 74) naming the file, not a bare
// runtime_error ("internal error"). The full disk is simulated without root: a child
// process lowers its file-size limit (RLIMIT_FSIZE) with SIGXFSZ ignored, so that the
// write past the limit fails with EFBIG, as it would with ENOSPC on a full disk.
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include <gtest/gtest.h>

#include "common/error.hpp"
#include "report/atomic_file.hpp"
#include "report/run_log.hpp"
#include "support/temp_dir.hpp"

namespace mixprec {
namespace {

// Runs `body` in a child with a 4 KiB file-size limit; returns its exit status: 0 when
// body threw IoError with a message containing `expected`, 1 when it threw something
// else, 2 when the message differs, 3 when nothing was thrown.
template <typename Body>
int in_limited_child(const std::string& expected, Body body) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{4096, 4096};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    try {
      body();
    } catch (const IoError& e) {
      ::_exit(std::string(e.what()).find(expected) == std::string::npos ? 2 : 0);
    } catch (...) {
      ::_exit(1);
    }
    ::_exit(3);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(WriteFailure, AtomicWriteOverTheLimitIsAnIoErrorNamingTheFile) {
  testing::TempDir tmp;
  const auto path = tmp.path() / "summary.json";
  const int code = in_limited_child("cannot write " + path.string() + ": File too large",
                                    [&] { write_text_atomically(path, std::string(10000, 'x')); });
  EXPECT_EQ(code, 0);
  EXPECT_FALSE(std::filesystem::exists(path)) << "no half-written file";
  EXPECT_TRUE(std::filesystem::is_empty(tmp.path())) << "no temporary file left";
}

TEST(WriteFailure, RunLogOverTheLimitIsAnIoErrorNamingTheFile) {
  testing::TempDir tmp;
  const int code = in_limited_child("cannot write run log " + (tmp.path() / "metrics.jsonl").string(), [&] {
    RunLog log(tmp.path());
    for (int i = 0; i < 100; ++i) log.write({{"type", "epoch"}, {"pad", std::string(200, 'x')}});
  });
  EXPECT_EQ(code, 0);
}

}  // namespace
}  // namespace mixprec
