#pragma once
// Append-only JSON-lines log of a run: <dir>/metrics.jsonl, one record per line.
// Each record is flushed and fsync'ed before write() returns, so a crash or a kill
// leaves every finished record readable (at most the line being written is lost).
//
// Non-finite numbers: JSON has no NaN or inf, and nlohmann/json dumps them as `null`.
// We keep that (the line stays valid JSON); readers must treat null in a numeric field
// as "not finite". Callers that need to tell NaN from inf should add a string field.
#include <cstdio>
#include <filesystem>

#include <nlohmann/json.hpp>

namespace mixprec {

class RunLog {
 public:
  static constexpr const char* kFileName = "metrics.jsonl";

  // Opens <dir>/metrics.jsonl for appending (creating it); throws UserError naming the
  // path if it cannot be opened. `dir` must exist (make_run_dir creates it).
  explicit RunLog(const std::filesystem::path& dir);
  ~RunLog();
  RunLog(const RunLog&) = delete;
  RunLog& operator=(const RunLog&) = delete;
  RunLog(RunLog&& other) noexcept;
  RunLog& operator=(RunLog&& other) noexcept;

  // Serialises `record` on one line (no embedded newlines: compact dump), then
  // fflush + fsync. Invalid UTF-8 in strings is replaced by U+FFFD rather than thrown,
  // so a stray byte in, say, a host name never loses a record. Throws IoError naming
  // the path if the write or the sync fails (disk full, file size limit: exit 74).
  void write(const nlohmann::json& record);

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  std::FILE* file_ = nullptr;
};

}  // namespace mixprec
