// libFuzzer target: bytes -> decode_checkpoint, the reader behind `eval`, `train --resume`
// and `info` (magic, version, length, CRC32, header, the sections: nine in version 3).
// Each input is decoded twice: as it is (the CRC check rejects nearly every mutation),
// and with its length field and CRC32 trailer repaired, so that the fuzzer reaches the
// header and section parsing behind the CRC.
// A UserError is the expected answer to bad input; anything else is a finding, and so is
// a checkpoint that decodes but does not encode back to the same bytes.
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "checkpoint/checkpoint.hpp"
#include "common/error.hpp"

namespace {

constexpr std::size_t kLengthOffset = 12;  // docs/checkpoint.md
constexpr std::size_t kCrcBytes = 4;

void put_le(std::string& s, std::size_t at, std::uint64_t v, int n) {
  for (int i = 0; i < n; ++i) s[at + std::size_t(i)] = char((v >> (8 * i)) & 0xff);
}

// `bytes` with the header's length field and the CRC32 trailer made to fit.
std::string repaired(std::string bytes) {
  put_le(bytes, kLengthOffset, bytes.size(), 8);
  const std::size_t body = bytes.size() - kCrcBytes;
  const auto crc = ::crc32_z(::crc32_z(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(bytes.data()), body);
  put_le(bytes, body, crc, 4);
  return bytes;
}

void decode(const std::string& bytes) {
  mixprec::Checkpoint c;
  try {
    c = mixprec::decode_checkpoint(bytes, "fuzz.ckpt");
  } catch (const mixprec::UserError&) {
    return;
  }
  // What was accepted must be what the writer writes: same bytes (so no field was
  // misread) and consistent counts (encode_checkpoint throws std::logic_error if not).
  // An older version is written back in the current one (version 1 gains an empty DATA
  // section, versions 1 and 2 a TSCL section of default scaling state): that must read
  // back to the same bytes again.
  const std::string written = mixprec::encode_checkpoint(c);
  const bool current = bytes.size() > 12 && static_cast<unsigned char>(bytes[8]) == mixprec::Checkpoint::kVersion;
  if (current ? written != bytes
              : mixprec::encode_checkpoint(mixprec::decode_checkpoint(written, "rewritten.ckpt")) != written)
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  decode(bytes);
  if (size >= kLengthOffset + 8 + kCrcBytes) {
    const std::string fixed = repaired(bytes);
    if (fixed != bytes) decode(fixed);
  }
  return 0;
}
