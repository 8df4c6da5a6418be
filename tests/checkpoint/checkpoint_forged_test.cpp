// Checkpoints forged byte by byte after docs/checkpoint.md, with a valid length and CRC32,
// whose header or section sizes are damaged in the ways tests/fuzz/checkpoint_fuzz.cpp
// found: counts that wrap around when multiplied by the value size, and layer widths that
// do not fit ModelShape's int; and version 3's scaling state and named optimizer buffers
// that do not fit the model or repeat a name. Each must be a UserError naming the field and
// offset, never std::length_error, a huge allocation, or a "valid" checkpoint with the wrong
// sizes. Older versions must still load.
#include <gtest/gtest.h>
#include <zlib.h>

#include <bit>
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

// One (layer, role) entry of section TSCL: f32 scale (as bits), u64 n, n f32, u64 next.
std::string scaling_entry(std::uint32_t scale_bits = 0x3f800000u, std::vector<float> history = {},
                          std::uint64_t next = 0) {
  std::string e;
  put(e, scale_bits, 4);
  put(e, history.size(), 8);
  for (float v : history) put(e, std::bit_cast<std::uint32_t>(v), 4);
  put(e, next, 8);
  return e;
}

// A TSCL payload: `layers` x 5 roles, every entry `first` for the first and the default after.
std::string scaling_section(std::uint32_t layers, const std::string& first = scaling_entry(),
                            std::uint32_t roles = 5) {
  std::string t;
  put(t, layers, 4);
  put(t, roles, 4);
  for (std::uint32_t i = 0; i < layers * roles; ++i) t += i == 0 ? first : scaling_entry();
  return t;
}

// One OPTM buffer of the 1-1 model: name, fp32, 2 values.
std::string optimizer_buffer(const std::string& name) {
  std::string b;
  put(b, name.size(), 4);
  b += name;
  put(b, 0, 4);  // fp32
  put(b, 2, 8);
  return b + std::string(8, '\0');
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
  std::uint32_t buffer_count = 0;
  std::string buffers;  // the OPTM buffers after their count
  std::string scaling;  // the TSCL payload; empty: the defaults for a one-layer model
  std::uint32_t version = 3;  // 2: without the TSCL section; 1: without DATA either

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
    put(b, version == 1 ? 7 : version == 2 ? 8 : 9, 4);   // sections
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
    put(o, buffer_count, 4);
    section("OPTM", o + buffers);
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
    if (version >= 3) section("TSCL", scaling.empty() ? scaling_section(1) : scaling);
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
  EXPECT_EQ(c.scaling, std::vector<LayerScaling>(1));
  EXPECT_EQ(encode_checkpoint(c), Forged{}.bytes());  // written back as version 3
}

TEST(ForgedCheckpoint, VersionTwoWithoutTheScalingSectionLoadsWithDefaultScaling) {
  Forged v2;
  v2.version = 2;
  v2.hidden = {3};
  v2.num_params = v2.weight_count = 1 * 3 + 3 + 3 * 1 + 1;
  v2.weight_bytes = std::string(4 * 10, '\0');
  const Checkpoint c = decode_checkpoint(v2.bytes(), "v2.ckpt");
  ASSERT_EQ(c.scaling.size(), 2u);  // one per linear layer
  for (const LayerScaling& layer : c.scaling) {
    for (const TensorScaling& t : layer.roles) {
      EXPECT_EQ(t.scale, 1.0f);
      EXPECT_TRUE(t.amax_history.empty());
      EXPECT_EQ(t.amax_next, 0u);
    }
  }
  Forged v3 = v2;
  v3.version = 3;
  v3.scaling = scaling_section(2);
  EXPECT_EQ(encode_checkpoint(c), v3.bytes());  // written back as version 3, default scaling
}

TEST(ForgedCheckpoint, ScalingStateIsReadAsWritten) {
  Forged f;
  f.scaling = scaling_section(1, scaling_entry(0x3f000000u, {1.5f, 3.0f, 0.25f}, 2));
  const Checkpoint c = decode_checkpoint(f.bytes(), "forged.ckpt");
  const TensorScaling& input = c.scaling.at(0)[TensorRole::kInput];
  EXPECT_EQ(input.scale, 0.5f);
  EXPECT_EQ(input.amax_history, (std::vector<float>{1.5f, 3.0f, 0.25f}));
  EXPECT_EQ(input.amax_next, 2u);
  EXPECT_EQ(encode_checkpoint(c), f.bytes());
}

TEST(ForgedCheckpoint, ScalingStateThatDoesNotFitIsRejected) {
  auto error = [](const std::string& scaling) {
    Forged f;
    f.scaling = scaling;
    return decode_error(f);
  };
  EXPECT_CONTAINS(error(scaling_section(2)),
                  "forged.ckpt section TSCL: malformed checkpoint: scaling state for 2 layers, the model has 1");
  EXPECT_CONTAINS(error(scaling_section(1, scaling_entry(), 4)),
                  "scaling state for 4 tensor roles per layer, this mixprec has 5");
  EXPECT_CONTAINS(error(scaling_section(1, scaling_entry(0))),
                  "layer 0 input scaling: scale 0 at byte offset 8, expected a positive finite number");
  EXPECT_CONTAINS(error(scaling_section(1, scaling_entry(0x7fc00000u))), "scale nan at byte offset 8");
  EXPECT_CONTAINS(error(scaling_section(1, scaling_entry(0xbf800000u))), "scale -1 at byte offset 8");
  EXPECT_CONTAINS(error(scaling_section(1, scaling_entry(0x3f800000u, {1.0f, 2.0f, 3.0f}, 3))),
                  "layer 0 input scaling: amax history index 3 at byte offset 32, expected below the "
                  "history's length 3");
  EXPECT_CONTAINS(error(scaling_section(1, scaling_entry(0x3f800000u, {}, 1))),
                  "amax history index 1 at byte offset 20");
  // A history length of 2^62 + 1 amaxes wraps to 4 bytes: rejected before allocating.
  std::string wraps;
  put(wraps, 1, 4);
  put(wraps, 5, 4);
  put(wraps, 0x3f800000u, 4);
  put(wraps, kTwo62 + 1, 8);
  wraps += std::string(8, '\0');
  EXPECT_CONTAINS(error(wraps), "layer 0 input scaling at byte offset 20 needs 4611686018427387905 values "
                                "of 4 bytes, only 8 bytes remain");
}

TEST(ForgedCheckpoint, OptimizerBuffersAreNamedOnceEach) {
  Forged three;  // any number of buffers, the names as given
  three.buffer_count = 3;
  three.buffers = optimizer_buffer("a") + optimizer_buffer("b_2") + optimizer_buffer("kahan_compensation");
  const Checkpoint c = decode_checkpoint(three.bytes(), "forged.ckpt");
  ASSERT_EQ(c.optimizer_state.size(), 3u);
  EXPECT_EQ(c.optimizer_state[2].name, "kahan_compensation");
  EXPECT_EQ(encode_checkpoint(c), three.bytes());

  Forged twice;
  twice.buffer_count = 2;
  twice.buffers = optimizer_buffer("exp_avg") + optimizer_buffer("exp_avg");
  EXPECT_CONTAINS(decode_error(twice), "forged.ckpt section OPTM: malformed checkpoint: optimizer buffer "
                                       "'exp_avg' appears twice (again at byte offset 43)");
  for (const std::string& name : {std::string(), std::string("exp avg"), std::string("a\nb"),
                                  std::string(65, 'x')}) {
    Forged bad;
    bad.buffer_count = 1;
    bad.buffers = optimizer_buffer(name);
    EXPECT_CONTAINS(decode_error(bad), "malformed checkpoint: optimizer buffer name '");
    EXPECT_CONTAINS(decode_error(bad), "' at byte offset 12 is not 1 to 64 letters, digits or underscores");
  }
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
