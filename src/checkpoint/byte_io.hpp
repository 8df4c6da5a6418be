#pragma once
// Little-endian byte encoding for checkpoints (docs/checkpoint.md). Integers are written
// byte by byte so the file is the same on every machine; value arrays (weights, optimizer
// state) are copied as they lie in memory, which is little-endian on every CPU mixprec
// builds for (checked at compile time below).
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace mixprec {

static_assert(std::endian::native == std::endian::little,
              "checkpoint value arrays are stored little-endian and copied as they lie in memory");

class ByteWriter {
 public:
  void u32(std::uint32_t v) { put_le(v, 4); }
  void u64(std::uint64_t v) { put_le(v, 8); }
  void i64(std::int64_t v) { put_le(std::uint64_t(v), 8); }
  void f32(float v) { u32(std::bit_cast<std::uint32_t>(v)); }
  void bytes(const void* p, std::size_t n) { out_.append(static_cast<const char*>(p), n); }
  void text(std::string_view s) { out_.append(s); }
  // Overwrites 8 bytes at `at` (for sizes known only at the end).
  void patch_u64(std::size_t at, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) out_[at + std::size_t(i)] = char((v >> (8 * i)) & 0xff);
  }
  std::size_t size() const { return out_.size(); }
  std::string& str() { return out_; }

 private:
  void put_le(std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out_.push_back(char((v >> (8 * i)) & 0xff));
  }
  std::string out_;
};

// Reads within [0, end) of `data`; reading past `end` is a UserError naming the file, the
// byte offset and the field, so a malformed file never reads out of bounds.
class ByteReader {
 public:
  ByteReader(std::string_view data, std::string name) : data_(data), name_(std::move(name)) {}

  std::uint32_t u32(std::string_view field) { return std::uint32_t(get_le(4, field)); }
  std::uint64_t u64(std::string_view field) { return get_le(8, field); }
  std::int64_t i64(std::string_view field) { return std::int64_t(get_le(8, field)); }
  float f32(std::string_view field) { return std::bit_cast<float>(u32(field)); }
  std::string_view bytes(std::uint64_t n, std::string_view field) {
    need(n, field);
    std::string_view s = data_.substr(pos_, std::size_t(n));
    pos_ += std::size_t(n);
    return s;
  }
  // `count` values of `width` bytes each. The count is checked against what remains
  // before multiplying, so a damaged count cannot wrap around to a small size.
  std::string_view array(std::uint64_t count, std::size_t width, std::string_view field) {
    if (count > remaining() / width) {
      fail("{}: malformed checkpoint: {} at byte offset {} needs {} values of {} bytes, only {} "
           "bytes remain (hint: the file is damaged; use an earlier checkpoint)", name_, field,
           pos_, count, width, remaining());
    }
    return bytes(count * width, field);
  }
  std::size_t pos() const { return pos_; }
  std::size_t remaining() const { return data_.size() - pos_; }
  const std::string& name() const { return name_; }

 private:
  void need(std::uint64_t n, std::string_view field) const {
    if (n > data_.size() - pos_) {
      fail("{}: malformed checkpoint: {} at byte offset {} needs {} bytes, only {} remain "
           "(hint: the file is damaged; use an earlier checkpoint)", name_, field, pos_, n,
           data_.size() - pos_);
    }
  }
  std::uint64_t get_le(int n, std::string_view field) {
    need(std::uint64_t(n), field);
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= std::uint64_t(std::uint8_t(data_[pos_ + std::size_t(i)])) << (8 * i);
    pos_ += std::size_t(n);
    return v;
  }

  std::string_view data_;
  std::string name_;
  std::size_t pos_ = 0;
};

}  // namespace mixprec
