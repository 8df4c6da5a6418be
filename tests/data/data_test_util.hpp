#pragma once
// Helpers for the data tests: a private temp folder, and writers for plain, gzip and IDX
// files, so that every test builds exactly the bytes it needs.
#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/error.hpp"
#include "support/temp_dir.hpp"

namespace mixprec::testing {

using Bytes = std::vector<std::uint8_t>;

// The shared TempDir (tests/support) with the string paths the data loaders take.
class DataTempDir {
 public:
  std::string file(const std::string& name) const { return (dir_ / name).string(); }
  std::string path() const { return dir_.path().string(); }

 private:
  TempDir dir_;
};

// "'path'", as messages quote files. A function rather than "'" + path() + "'": GCC 12
// warns falsely (-Wrestrict, GCC bug 105329) on a literal plus a temporary std::string.
inline std::string quote_path(const std::string& s) { return fmt::format("'{}'", s); }

inline Bytes to_bytes(const std::string& s) { return Bytes(s.begin(), s.end()); }

inline void write_file(const std::string& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << path;
}
inline void write_file(const std::string& path, const std::string& text) { write_file(path, to_bytes(text)); }

inline void write_gzip(const std::string& path, const Bytes& bytes) {
  gzFile gz = gzopen(path.c_str(), "wb");
  ASSERT_NE(gz, nullptr) << path;
  if (!bytes.empty()) {
    ASSERT_EQ(gzwrite(gz, bytes.data(), static_cast<unsigned>(bytes.size())), static_cast<int>(bytes.size()));
  }
  ASSERT_EQ(gzclose(gz), Z_OK);
}
inline void write_gzip(const std::string& path, const std::string& text) { write_gzip(path, to_bytes(text)); }

inline Bytes read_raw(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void put_be32(Bytes& b, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) b.push_back(static_cast<std::uint8_t>(v >> shift));
}

inline Bytes idx_images(std::uint32_t count, std::uint32_t rows, std::uint32_t cols, const Bytes& pixels) {
  Bytes b;
  put_be32(b, 0x00000803);
  put_be32(b, count);
  put_be32(b, rows);
  put_be32(b, cols);
  b.insert(b.end(), pixels.begin(), pixels.end());
  return b;
}

inline Bytes idx_labels(const Bytes& labels) {
  Bytes b;
  put_be32(b, 0x00000801);
  put_be32(b, static_cast<std::uint32_t>(labels.size()));
  b.insert(b.end(), labels.begin(), labels.end());
  return b;
}

// The message of the UserError that fn throws; a test failure if it throws nothing.
inline std::string user_error(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const UserError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a UserError, nothing was thrown";
  return "";
}

}  // namespace mixprec::testing
