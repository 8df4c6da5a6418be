#include "report/run_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "common/error.hpp"

namespace mixprec {
namespace {

namespace fs = std::filesystem;

// Who holds a flock on the file with this device and inode, from /proc/locks lines such as
// "3: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF" (proc(5)). 0 when no line says.
pid_t holder_from_proc_locks(dev_t dev, ino_t ino) {
  std::ifstream in("/proc/locks");
  const std::string wanted = fmt::format("{:02x}:{:02x}:{}", major(dev), minor(dev), ino);
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::string id, kind, mode, access, pid, where;
    words >> id >> kind;
    if (kind == "->") words >> kind;  // a waiter's line: "3: -> FLOCK ..."
    words >> mode >> access >> pid >> where;
    if (kind == "FLOCK" && where == wanted) return pid_t(std::atoi(pid.c_str()));
  }
  return 0;
}

int open_folder(const fs::path& dir) {
  return ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

std::string holder_text(pid_t pid) {
  return pid > 0 ? fmt::format("process {}", pid) : std::string("another process");
}

}  // namespace

RunLock::RunLock(const fs::path& dir) {
  fd_ = open_folder(dir);
  if (fd_ < 0)
    fail("cannot open folder {} to lock it: {} (hint: check that it exists and is readable)",
         dir.string(), std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) == 0) return;
  const int err = errno;
  struct stat st {};
  ::fstat(fd_, &st);
  ::close(fd_);
  fd_ = -1;
  if (err != EWOULDBLOCK)
    fail("cannot lock folder {}: {} (hint: use a local file system)", dir.string(),
         std::strerror(err));
  fail("{} is being written by {} (a train, train --resume or sweep still running); one "
       "writer per folder (hint: wait for it to end, or stop it, then retry)",
       dir.string(), holder_text(holder_from_proc_locks(st.st_dev, st.st_ino)));
}

RunLock::~RunLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the flock
}

std::optional<pid_t> run_lock_holder(const fs::path& dir) {
  // Read /proc/locks rather than probing with flock: a reader's probe, however short,
  // could make a writer starting at that instant fail to take its lock.
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return std::nullopt;
  const pid_t pid = holder_from_proc_locks(st.st_dev, st.st_ino);
  return pid > 0 ? std::optional<pid_t>(pid) : std::nullopt;
}

void remove_stale_temp_files(const fs::path& dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file(ec) && name.find(".tmp.") != std::string::npos)
      fs::remove(entry.path(), ec);
  }
}

}  // namespace mixprec
