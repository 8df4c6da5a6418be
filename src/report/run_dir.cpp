#include "report/run_dir.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <system_error>
#include <utility>

#include <fmt/format.h>

#include "common/error.hpp"

namespace mixprec {
namespace {

namespace fs = std::filesystem;

constexpr int kMaxSuffix = 10000;

fs::path use_explicit_dir(const fs::path& dir) {
  std::error_code ec;
  const fs::file_status st = fs::status(dir, ec);
  if (fs::exists(st)) {
    if (!fs::is_directory(st)) {
      fail("output folder {} exists and is not a folder; hint: pick another --out or delete it",
           dir.string());
    }
    if (!fs::is_empty(dir, ec) || ec) {
      fail("output folder {} already exists and is not empty; "
           "hint: pick another --out or delete it", dir.string());
    }
    return dir;
  }
  fs::create_directories(dir, ec);
  if (ec) {
    fail("cannot create output folder {}: {}; hint: pick another --out in a writable location",
         dir.string(), ec.message());
  }
  return dir;
}

}  // namespace

std::string utc_compact_timestamp(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm utc{};
  gmtime_r(&secs, &utc);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", &utc);
  return buf;
}

fs::path make_run_dir(const std::string& out_root, const std::string& name,
                      const std::string& precision, std::optional<std::string> explicit_dir,
                      std::chrono::system_clock::time_point now) {
  if (explicit_dir) return use_explicit_dir(*explicit_dir);

  if (name.empty() || name.find('/') != std::string::npos) {
    fail("config key name: '{}' cannot be part of a folder name (expected non-empty, no '/'); "
         "hint: use letters, digits, '-' or '_'", name);
  }
  std::error_code ec;
  fs::create_directories(out_root, ec);
  if (ec) {
    fail("cannot create output root {}: {}; hint: choose an output root in a writable location",
         out_root, ec.message());
  }
  const fs::path base =
      fs::path(out_root) / fmt::format("{}-{}-{}", name, precision, utc_compact_timestamp(now));
  for (int suffix = 1; suffix <= kMaxSuffix; ++suffix) {
    fs::path candidate = base;
    // fmt, not "-" + std::to_string: that trips a GCC 12 -Wrestrict false positive.
    if (suffix > 1) candidate += fmt::format("-{}", suffix);
    // mkdir, not exists()+create: claiming the name must be one step (two runs may race).
    if (::mkdir(candidate.c_str(), 0755) == 0) return candidate;
    if (errno != EEXIST) {
      fail("cannot create run folder {}: {}; hint: choose an output root in a writable location",
           candidate.string(), std::strerror(errno));
    }
  }
  fail("run folders {} to -{} all exist; hint: clean up {} or pass --out", base.string(),
       kMaxSuffix, out_root);
}

fs::path make_run_dir(const std::string& out_root, const std::string& name,
                      const std::string& precision, std::optional<std::string> explicit_dir) {
  return make_run_dir(out_root, name, precision, std::move(explicit_dir),
                      std::chrono::system_clock::now());
}

}  // namespace mixprec
