#include "report/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "common/error.hpp"
#include "report/write_fault.hpp"

namespace mixprec {
namespace {

// Writes all of `text`, retrying on short writes and EINTR.
bool write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Best effort: makes the rename itself durable. A failure here loses nothing that a
// reader could see, so it is not an error.
void sync_parent_folder(const std::filesystem::path& path) {
  std::filesystem::path dir = path.parent_path();
  if (dir.empty()) dir = ".";
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

}  // namespace

void write_text_atomically(const std::filesystem::path& path, std::string_view text) {
  std::filesystem::path tmp = path;
  tmp += ".tmp." + std::to_string(::getpid());

  const WriteFault fault = next_write_fault();
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    if (is_io_errno(errno)) throw_write_error(tmp.string(), errno);
    fail("cannot create {}: {}; hint: check that the folder exists and is writable",
         tmp.string(), std::strerror(errno));
  }
  if (fault == WriteFault::kKill) {  // test hook: die in the middle of the write
    write_all(fd, text.substr(0, text.size() / 2));
    ::raise(SIGKILL);
  }
  if (fault == WriteFault::kNoSpace) errno = ENOSPC;
  const bool written = fault == WriteFault::kNone && write_all(fd, text) && ::fsync(fd) == 0;
  const int saved_errno = errno;
  const bool closed = ::close(fd) == 0;
  if (!written || !closed) {
    const int err = written ? errno : saved_errno;
    ::unlink(tmp.c_str());
    // The file is named, not its temporary: the user knows path, not path.tmp.<pid>.
    throw_write_error(path.string(), err);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int rename_errno = errno;
    ::unlink(tmp.c_str());
    throw std::runtime_error(fmt::format("cannot rename {} to {}: {}", tmp.string(),
                                         path.string(), std::strerror(rename_errno)));
  }
  sync_parent_folder(path);
}

void write_json_atomically(const std::filesystem::path& path, const nlohmann::json& j) {
  std::string text = j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  text.push_back('\n');
  write_text_atomically(path, text);
}

}  // namespace mixprec
