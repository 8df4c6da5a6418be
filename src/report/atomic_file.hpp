#pragma once
// Whole-file writes that a reader never sees half done: the content goes to
// <path>.tmp.<pid>, is fsync'ed, then renamed over <path> (rename is atomic within one
// file system). After a crash there is either the old file or the new one, plus at worst
// a stray .tmp.<pid> file.
#include <filesystem>
#include <string_view>

#include <nlohmann/json.hpp>

namespace mixprec {

// Pretty-printed, indent 2, trailing newline. Non-finite numbers become null (as in
// RunLog); invalid UTF-8 is replaced by U+FFFD.
void write_json_atomically(const std::filesystem::path& path, const nlohmann::json& j);

// Writes `text` exactly as given. Throws UserError naming the path if the temporary file
// cannot be created (missing or read-only folder), IoError naming the path if writing or
// syncing fails (disk full, file too large, I/O error: exit 74), std::runtime_error if
// renaming fails; the temporary file is removed in every case.
void write_text_atomically(const std::filesystem::path& path, std::string_view text);

}  // namespace mixprec
