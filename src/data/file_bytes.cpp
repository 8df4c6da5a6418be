#include "data/file_bytes.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <new>

#include <zlib.h>

#include "common/error.hpp"

namespace mixprec {
namespace {

constexpr const char* kMissingHint =
    "hint: check the path in the config (relative paths are relative to the working "
    "directory); Fashion-MNIST is downloaded into data/fashion-mnist/ by scripts/fetch_data.sh";

std::vector<std::uint8_t> read_raw(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    fail("cannot read '{}': it is a directory, expected a file ({})", path, kMissingHint);
  }
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) {
    int err = errno;
    fail("cannot open '{}': {} ({})", path, std::strerror(err), kMissingHint);
  }
  std::vector<std::uint8_t> bytes;
  auto size = std::filesystem::file_size(path, ec);
  if (!ec) bytes.reserve(size);
  // Read in large chunks until EOF, so that a file whose size changes (or a pipe) is still read whole.
  constexpr std::size_t kChunk = std::size_t{1} << 20;
  std::size_t used = 0;
  for (;;) {
    bytes.resize(used + kChunk);
    std::size_t got = std::fread(bytes.data() + used, 1, kChunk, file.get());
    used += got;
    if (got < kChunk) break;
  }
  bytes.resize(used);
  if (std::ferror(file.get())) {
    int err = errno;
    fail("error reading '{}' after {} bytes: {} (hint: check the file's permissions and the disk)",
         path, used, std::strerror(err));
  }
  return bytes;
}

bool has_gzip_magic(std::span<const std::uint8_t> data, std::size_t at = 0) {
  return data.size() >= at + 2 && data[at] == 0x1f && data[at + 1] == 0x8b;
}

}  // namespace

std::string describe_file(const std::string& path, bool gzipped) {
  return gzipped ? fmt::format("'{}' (after gunzip)", path) : fmt::format("'{}'", path);
}

std::vector<std::uint8_t> gunzip(std::span<const std::uint8_t> in, const std::string& name) {
  z_stream zs{};
  // 16 + MAX_WBITS: expect a gzip wrapper (header, deflate data, CRC32 + length trailer).
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) throw std::bad_alloc();
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, &inflateEnd);

  // The trailer's ISIZE (uncompressed size mod 2^32) sizes the buffer for the usual
  // single-member file; a little slack lets inflate see the end without regrowing. In a
  // damaged file those 4 bytes are arbitrary, so the guess is capped by deflate's maximum
  // ratio (1032:1) and by 256 MiB; beyond that the buffer doubles as needed.
  std::size_t guess = std::size_t{1} << 16;
  if (in.size() >= 18) {
    const std::uint8_t* t = in.data() + in.size() - 4;
    std::size_t isize = t[0] | (t[1] << 8) | (t[2] << 16) | (std::size_t{t[3]} << 24);
    guess = std::min({isize + 64, in.size() * 1032, std::size_t{256} << 20});
  }
  std::vector<std::uint8_t> out(guess);

  std::size_t fed = 0;   // input bytes handed to zlib so far
  std::size_t used = 0;  // output bytes produced so far
  constexpr std::size_t kMaxFeed = std::size_t{1} << 30;  // avail_in is 32-bit
  for (;;) {
    if (zs.avail_in == 0 && fed < in.size()) {
      zs.next_in = const_cast<Bytef*>(in.data() + fed);
      zs.avail_in = static_cast<uInt>(std::min(in.size() - fed, kMaxFeed));
      fed += zs.avail_in;
    }
    if (used == out.size()) out.resize(std::max<std::size_t>(out.size() * 2, 1 << 16));
    zs.next_out = out.data() + used;
    zs.avail_out = static_cast<uInt>(std::min<std::size_t>(out.size() - used, UINT_MAX));
    int rc = inflate(&zs, Z_NO_FLUSH);
    used = static_cast<std::size_t>(zs.next_out - out.data());
    std::size_t at = fed - zs.avail_in;  // compressed bytes consumed so far
    if (rc == Z_STREAM_END) {
      if (at == in.size()) break;
      if (has_gzip_magic(in, at)) {  // another gzip member follows (as `cat a.gz b.gz` makes)
        inflateReset(&zs);
        continue;
      }
      bool zero_padding = std::all_of(in.begin() + static_cast<std::ptrdiff_t>(at), in.end(),
                                      [](std::uint8_t b) { return b == 0; });
      if (zero_padding) break;
      fail("'{}': {} unexpected bytes after the end of the gzip stream at compressed byte offset {} "
           "(hint: the file is damaged; fetch it again)", name, in.size() - at, at);
    }
    if (rc == Z_OK) continue;
    // Z_BUF_ERROR only means "no progress": fine while there is more room or input to give.
    if (rc == Z_BUF_ERROR && (zs.avail_out == 0 || zs.avail_in > 0 || fed < in.size())) continue;
    if (rc == Z_BUF_ERROR) {
      fail("'{}': truncated gzip file: the compressed data ends at byte {} before the end of the "
           "stream ({} bytes decompressed so far) (hint: the download was probably interrupted; "
           "fetch the file again)", name, in.size(), used);
    }
    if (rc == Z_MEM_ERROR) throw std::bad_alloc();
    fail("'{}': corrupt gzip data near compressed byte offset {}: {} (hint: the file is damaged; "
         "fetch it again, or check it with `gzip -t`)", name, at, zs.msg ? zs.msg : "inflate failed");
  }
  out.resize(used);
  return out;
}

FileBytes decode_file_bytes(std::vector<std::uint8_t> raw, const std::string& name) {
  FileBytes result;
  result.bytes = std::move(raw);
  if (has_gzip_magic(result.bytes)) {
    result.bytes = gunzip(result.bytes, name);
    result.gzipped = true;
  }
  return result;
}

FileBytes read_file_bytes(const std::string& path) { return decode_file_bytes(read_raw(path), path); }

}  // namespace mixprec
