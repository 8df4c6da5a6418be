#include "report/run_log.hpp"

#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "common/error.hpp"
#include "report/write_fault.hpp"

namespace mixprec {

RunLog::RunLog(const std::filesystem::path& dir) : path_(dir / kFileName) {
  file_ = std::fopen(path_.c_str(), "a");
  if (file_ == nullptr) {
    if (is_io_errno(errno)) throw_write_error("run log " + path_.string(), errno);
    fail("cannot open run log {} for appending: {}; "
         "hint: check that the folder exists and is writable",
         path_.string(), std::strerror(errno));
  }
}

RunLog::~RunLog() {
  if (file_ != nullptr) std::fclose(file_);
}

RunLog::RunLog(RunLog&& other) noexcept
    : path_(std::move(other.path_)), file_(std::exchange(other.file_, nullptr)) {}

RunLog& RunLog::operator=(RunLog&& other) noexcept {
  if (this != &other) {
    if (file_ != nullptr) std::fclose(file_);
    path_ = std::move(other.path_);
    file_ = std::exchange(other.file_, nullptr);
  }
  return *this;
}

void RunLog::write(const nlohmann::json& record) {
  if (file_ == nullptr) throw std::logic_error("RunLog::write on a moved-from log");
  // indent -1: compact, so one record is exactly one line.
  std::string line = record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  line.push_back('\n');
  const WriteFault fault = next_write_fault();
  if (fault == WriteFault::kKill) {  // test hook: die with half a line written
    std::fwrite(line.data(), 1, line.size() / 2, file_);
    std::fflush(file_);
    ::raise(SIGKILL);
  }
  if (fault == WriteFault::kNoSpace) {
    std::clearerr(file_);
    throw_write_error("run log " + path_.string(), ENOSPC);
  }
  const bool ok = std::fwrite(line.data(), 1, line.size(), file_) == line.size() &&
                  std::fflush(file_) == 0 && ::fsync(::fileno(file_)) == 0;
  if (!ok) {
    // What stdio buffered is dropped: a later write must not resend a half record.
    const int err = errno;
    std::clearerr(file_);
    throw_write_error("run log " + path_.string(), err);
  }
}

}  // namespace mixprec
