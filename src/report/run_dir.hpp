#pragma once
// Where a run writes its log, summary and config copy.
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

namespace mixprec {

// Default (no explicit_dir): <out_root>/<name>-<precision>-<YYYYmmdd-HHMMSS UTC>, and if
// that already exists, the first free of ...-2, ...-3, ... The folder is claimed with
// mkdir, so two runs started in the same second never share it. out_root is created
// if missing.
// explicit_dir: used exactly as given and created if missing; an existing empty folder
// is accepted, a non-empty one (or a file) is a UserError naming it.
// Throws UserError for a name containing '/' or empty, and for folders that cannot be
// created (naming them).
std::filesystem::path make_run_dir(const std::string& out_root, const std::string& name,
                                   const std::string& precision,
                                   std::optional<std::string> explicit_dir);

// The same with the clock injected, for tests.
std::filesystem::path make_run_dir(const std::string& out_root, const std::string& name,
                                   const std::string& precision,
                                   std::optional<std::string> explicit_dir,
                                   std::chrono::system_clock::time_point now);

// "YYYYmmdd-HHMMSS" in UTC, as used in default run folder names.
std::string utc_compact_timestamp(std::chrono::system_clock::time_point t);

}  // namespace mixprec
