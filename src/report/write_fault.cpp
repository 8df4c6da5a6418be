#include "report/write_fault.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "common/error.hpp"

namespace mixprec {
namespace {

struct FaultPlan {
  WriteFault kind = WriteFault::kNone;
  bool pause = false;
  long at = 0;
};

FaultPlan read_plan() {
  FaultPlan plan;
  const char* env = std::getenv("MIXPREC_FAULT");
  if (env == nullptr) return plan;
  const std::string text = env;
  const auto at = text.find('@');
  if (at == std::string::npos) return plan;
  const std::string kind = text.substr(0, at);
  plan.at = std::atol(text.c_str() + at + 1);
  if (kind == "kill") plan.kind = WriteFault::kKill;
  if (kind == "enospc") plan.kind = WriteFault::kNoSpace;
  plan.pause = kind == "pause";
  return plan;
}

}  // namespace

WriteFault next_write_fault() {
  static const FaultPlan plan = read_plan();
  static long writes = 0;
  if (plan.kind == WriteFault::kNone && !plan.pause) return WriteFault::kNone;
  if (++writes != plan.at) return WriteFault::kNone;
  if (plan.pause) ::raise(SIGSTOP);
  return plan.kind;
}

bool is_io_errno(int err) {
  return err == ENOSPC || err == EDQUOT || err == EFBIG || err == EIO || err == EROFS;
}

void throw_write_error(const std::string& what, int err) {
  const char* hint = "check the disk and the folder's permissions, then resume";
  if (err == ENOSPC || err == EDQUOT)
    hint = "free disk space, then continue with `mixprec train --resume RUN_DIR` if the run "
           "was started with --save-model";
  if (err == EFBIG) hint = "the file size limit (ulimit -f) was reached; raise it, then resume";
  throw IoError(fmt::format("cannot write {}: {} (hint: {})", what, std::strerror(err), hint));
}

}  // namespace mixprec
