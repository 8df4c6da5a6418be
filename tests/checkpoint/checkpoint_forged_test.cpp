// Checkpoints forged byte by byte after docs/checkpoint.md, with a valid length and CRC32,
// whose header or section sizes are damaged in the ways tests/fuzz/checkpoint_fuzz.cpp
// found: counts that wrap around when multiplied by the value size, and layer widths that
// do not fit ModelShape's int. Each must be a UserError naming the field and offset, never
// std::length_error, a huge allocation, or a "valid" checkpoint with the wrong sizes.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <string>
#include <vector>

#include "checkpoint/checkpoint.hpp"
#include "common/error.hpp"

namespace mixprec {
namespace {

constexpr std::uint64_t kTwo62 = std::uint64_t{1} << 62;
constexpr std::uint32_t kIntMax = 2147483647u;

void put(std::string& s, std::uint64_t v, int n) {
  for (int i = 0; i < n; ++i) s.push_back(char((v >> (8 * i)) & 0xff));
}

// An fp32 model, SGD without momentum; every field settable, sizes as given (not derived).
struct Forged {
  std::uint32_t input = 1, classes = 1;
  std::vector<std::uint32_t> hidden;
  std::uint64_t num_params = 2;     // 1*1 + 1 for a 1-1 model
  std::uint64_t weight_count = 2;
  std::string weight_bytes = std::string(8, '\0');
  std::uint64_t order_count = 0;
  std::string order_bytes;
  std::uint32_t version = 2;  // 1: without the DATA section

  std::string bytes() const {
    std::string b = "MIXPRECK";
    put(b, version, 4);
    put(b, 0, 8);   // length, patched below
    put(b, 0, 4);   // precision fp32
    put(b, 0, 4);   // activation relu
    put(b, input, 4);
    put(b, classes, 4);
    put(b, hidden.size(), 4);
    for (auto h : hidden) put(b, h, 4);
    put(b, num_params, 8);
    put(b, version == 1 ? 7 : 8, 4);   // sections
    auto section = [&b](const char* tag, const std::string& payload) {
      b += tag;
      put(b, payload.size(), 8);
      b += payload;
    };
    std::string w;
    put(w, 0, 4);  // fp32
    put(w, weight_count, 8);
    section("WGHT", w + weight_bytes);
    std::string o;
    put(o, 0, 8);  // optimizer steps
    put(o, 0, 4);  // no buffers
    section("OPTM", o);
    std::string scal;
    put(scal, 0x3f800000, 4);  // 1.0f
    put(scal, 0, 8);
    put(scal, 0, 8);
    section("SCAL", scal);
    std::string prog;
    put(prog, 0, 8);
    put(prog, 0, 4);
    section("PROG", prog);
    std::string shuf;
    put(shuf, 3, 4);
    shuf += "1 2";
    put(shuf, order_count, 8);
    section("SHUF", shuf + order_bytes);
    section("CONF", "{}");
    section("TOTL", "{}");
    if (version >= 2) section("DATA", "");
    const std::uint64_t length = b.size() + 4;
    for (int i = 0; i < 8; ++i) b[12 + std::size_t(i)] = char((length >> (8 * i)) & 0xff);
    put(b, ::crc32_z(::crc32_z(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(b.data()), b.size()), 4);
    return b;
  }
};

std::string decode_error(const Forged& f) {
  try {
    decode_checkpoint(f.bytes(), "forged.ckpt");
  } catch (const UserError& e) {
    return e.what();
  }
  ADD_FAILURE() << "accepted";
  return "";
}

#define EXPECT_CONTAINS(text, part) \
  EXPECT_NE(std::string(text).find(part), std::string::npos) << "missing: " << (part) << "\nin: " << (text)

TEST(ForgedCheckpoint, TheForgeryItselfIsValid) {
  // An empty shuffle order: its copy must not pass a null pointer to memcpy (UBSan).
  const Checkpoint c = decode_checkpoint(Forged{}.bytes(), "forged.ckpt");
  EXPECT_EQ(c.shape.input_dim, 1);
  EXPECT_EQ(c.num_params, 2u);
  EXPECT_EQ(c.weights.count(), 2u);
  EXPECT_TRUE(c.shuffle_order.empty());
  EXPECT_EQ(encode_checkpoint(c), Forged{}.bytes());
}

TEST(ForgedCheckpoint, VersionOneWithoutTheDataSectionIsStillRead) {
  Forged v1;
  v1.version = 1;
  const Checkpoint c = decode_checkpoint(v1.bytes(), "v1.ckpt");
  EXPECT_EQ(c.num_params, 2u);
  EXPECT_TRUE(c.data_encoding_json.empty());
  EXPECT_EQ(encode_checkpoint(c), Forged{}.bytes());  // written back as version 2
}

TEST(ForgedCheckpoint, AShuffleOrderCountThatWrapsIsRejected) {
  // 2^62 + 1 rows of 4 bytes: the size wraps to 4, which the file has (offset 15 in the
  // section: after the state length, its 3 bytes and the row count). Before the fix this
  // passed the size check and then resized a vector to 2^62 + 1 (std::length_error).
  Forged f;
  f.order_count = kTwo62 + 1;
  f.order_bytes = std::string(4, '\0');
  const std::string e = decode_error(f);
  EXPECT_CONTAINS(e, "forged.ckpt section SHUF: malformed checkpoint: shuffle order at byte offset 15 "
                     "needs 4611686018427387905 values of 4 bytes, only 4 bytes remain");
}

TEST(ForgedCheckpoint, AWeightCountThatWrapsIsRejected) {
  // A (2^31-1)-(2^31-1)-1 model has (2^31-1)*2^31 + 2^31 = 2^62 parameters; 2^62 fp32 values
  // wrap to 0 bytes. Before the fix this decoded with no weight bytes at all.
  Forged f;
  f.input = kIntMax;
  f.hidden = {kIntMax};
  f.num_params = f.weight_count = kTwo62;
  f.weight_bytes.clear();
  EXPECT_CONTAINS(decode_error(f), "forged.ckpt section WGHT: malformed checkpoint: weights at byte "
                                   "offset 12 needs 4611686018427387904 values of 4 bytes, only 0 "
                                   "bytes remain");
}

TEST(ForgedCheckpoint, WidthsOutsideOneToIntMaxAreRejected) {
  // 0xffffffff read as an int is -1: a -1-1 model "has" (2^64-1)*1 + 1 = 0 mod 2^64
  // parameters, so before the fix a header with 0 parameters decoded as input dimension -1.
  Forged f;
  f.input = 0xffffffffu;
  f.num_params = f.weight_count = 0;
  f.weight_bytes.clear();
  EXPECT_CONTAINS(decode_error(f), "forged.ckpt: malformed checkpoint: input dimension 4294967295 at "
                                   "byte offset 28, expected 1 to 2147483647");
  Forged zero;
  zero.classes = 0;
  EXPECT_CONTAINS(decode_error(zero), "classes 0 at byte offset 32, expected 1 to 2147483647");
  Forged hidden;
  hidden.hidden = {4, 0};
  EXPECT_CONTAINS(decode_error(hidden), "hidden width 0 at byte offset 44, expected 1 to 2147483647");
}

TEST(ForgedCheckpoint, AParameterCountBeyond64BitsIsRejected) {
  // Five hidden layers of 2^31-1: about 5 * 2^62 parameters, more than 2^64.
  Forged f;
  f.input = kIntMax;
  f.hidden = {kIntMax, kIntMax, kIntMax, kIntMax, kIntMax};
  EXPECT_CONTAINS(decode_error(f), "forged.ckpt: malformed checkpoint: a 2147483647-2147483647-"
                                   "2147483647-2147483647-2147483647-2147483647-1 relu, fp32 model has "
                                   "more than 2^64 parameters");
}

}  // namespace
}  // namespace mixprec
