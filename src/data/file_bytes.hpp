#pragma once
// Whole-file reads that gunzip transparently: data sets ship as .gz and the loaders
// should not care which form they were given.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace mixprec {

struct FileBytes {
  std::vector<std::uint8_t> bytes;  // the contents, decompressed when gzipped
  bool gzipped = false;             // the file started with the gzip magic 1f 8b
};

// Reads all of `path`. Throws UserError for a missing or unreadable file and for a
// corrupt or truncated gzip stream (naming the file and the compressed byte offset).
FileBytes read_file_bytes(const std::string& path);

// The same for bytes already in memory (`name` stands for the file in messages): gunzipped
// when they start with the gzip magic. read_file_bytes is read + decode_file_bytes.
FileBytes decode_file_bytes(std::vector<std::uint8_t> raw, const std::string& name);

// Decompresses one or more concatenated gzip members; `name` appears in error messages.
std::vector<std::uint8_t> gunzip(std::span<const std::uint8_t> compressed, const std::string& name);

// "'path'" or "'path' (after gunzip)", for messages that quote decompressed offsets.
std::string describe_file(const std::string& path, bool gzipped);

}  // namespace mixprec
