// Checkpoints: every section survives a write/read round trip in each precision mode, the
// bytes follow docs/checkpoint.md (checked against an independent CRC32), and each kind of
// damage or mismatch is a one-line UserError that names the file.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "checkpoint/checkpoint.hpp"
#include "checkpoint/run_resume.hpp"
#include "common/error.hpp"
#include "precision/precision.hpp"

namespace mixprec {
namespace {

namespace fs = std::filesystem;

// A 3-4-2 model: 3*4 + 4 + 4*2 + 2 = 26 parameters.
constexpr std::uint64_t kParams = 26;

StoredValues values(Format f, std::uint64_t n, int salt) {
  StoredValues v;
  v.format = f;
  v.bytes.resize(n * bytes_per_value(f));
  // Distinct, non-trivial bytes, so a section swapped with another would show.
  for (std::size_t i = 0; i < v.bytes.size(); ++i) v.bytes[i] = std::byte((i * 37 + salt * 11 + 5) & 0xff);
  return v;
}

Checkpoint sample(Precision p, bool adam) {
  const PrecisionPolicy policy = policy_for(p);
  Checkpoint c;
  c.shape = {p, 3, {4}, 2, Activation::kGelu};
  c.num_params = kParams;
  c.weights = values(policy.update_format(), kParams, 1);
  c.optimizer_steps = 987;
  if (adam) {
    c.optimizer_state.push_back({"exp_avg", values(policy.optimizer_state, kParams, 2)});
    c.optimizer_state.push_back({"exp_avg_sq", values(policy.optimizer_state, kParams, 3)});
  } else {
    c.optimizer_state.push_back({"momentum_buffer", values(policy.optimizer_state, kParams, 4)});
  }
  c.loss_scale = 1024.5f;
  c.loss_scale_streak = 17;
  c.skipped_steps = 3;
  c.global_step = 1234;
  c.epochs_completed = 2;
  std::mt19937_64 rng(42);
  rng.discard(1000);
  std::ostringstream text;
  text << rng;
  c.shuffle_rng = text.str();
  c.shuffle_order = {4, 0, 3, 1, 2, -7};  // -7: the codec must not care about the values
  c.config_json = R"({"name": "x", "seed": 3})";
  c.run_totals_json = R"({"train_s": 1.5})";
  c.data_encoding_json = R"({"format": "csv"})";
  // Scaling state as FP8's delayed scaling keeps it: layer 0's weight with a 3-value amax
  // history whose next slot is 2, layer 1's output gradient with a scale only.
  c.scaling.resize(2);
  c.scaling[0][TensorRole::kWeight] = {0.5f, {1.5f, 3.0f, 0.25f}, 2};
  c.scaling[1][TensorRole::kOutputGrad].scale = 1024.0f;
  return c;
}

void expect_equal(const Checkpoint& a, const Checkpoint& b) {
  EXPECT_EQ(a.shape, b.shape);
  EXPECT_EQ(a.num_params, b.num_params);
  EXPECT_EQ(a.weights.format, b.weights.format);
  EXPECT_EQ(a.weights.bytes, b.weights.bytes);
  EXPECT_EQ(a.optimizer_steps, b.optimizer_steps);
  ASSERT_EQ(a.optimizer_state.size(), b.optimizer_state.size());
  for (std::size_t i = 0; i < a.optimizer_state.size(); ++i) {
    EXPECT_EQ(a.optimizer_state[i].name, b.optimizer_state[i].name);
    EXPECT_EQ(a.optimizer_state[i].values.format, b.optimizer_state[i].values.format);
    EXPECT_EQ(a.optimizer_state[i].values.bytes, b.optimizer_state[i].values.bytes);
  }
  EXPECT_EQ(a.loss_scale, b.loss_scale);
  EXPECT_EQ(a.loss_scale_streak, b.loss_scale_streak);
  EXPECT_EQ(a.skipped_steps, b.skipped_steps);
  EXPECT_EQ(a.global_step, b.global_step);
  EXPECT_EQ(a.epochs_completed, b.epochs_completed);
  EXPECT_EQ(a.shuffle_rng, b.shuffle_rng);
  EXPECT_EQ(a.shuffle_order, b.shuffle_order);
  EXPECT_EQ(a.config_json, b.config_json);
  EXPECT_EQ(a.run_totals_json, b.run_totals_json);
  EXPECT_EQ(a.data_encoding_json, b.data_encoding_json);
  ASSERT_EQ(a.scaling.size(), b.scaling.size());
  for (std::size_t l = 0; l < a.scaling.size(); ++l) {
    for (TensorRole role : kAllTensorRoles) {
      SCOPED_TRACE(fmt::format("layer {} {}", l, to_string(role)));
      EXPECT_EQ(a.scaling[l][role].scale, b.scaling[l][role].scale);
      EXPECT_EQ(a.scaling[l][role].amax_history, b.scaling[l][role].amax_history);
      EXPECT_EQ(a.scaling[l][role].amax_next, b.scaling[l][role].amax_next);
    }
  }
}

// Bitwise CRC-32 (reflected polynomial 0xEDB88320), independent of zlib.
std::uint32_t reference_crc32(std::string_view s) {
  std::uint32_t crc = 0xffffffffu;
  for (char ch : s) {
    crc ^= std::uint8_t(ch);
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

std::uint64_t le(std::string_view s, std::size_t at, int n) {
  std::uint64_t v = 0;
  for (int i = 0; i < n; ++i) v |= std::uint64_t(std::uint8_t(s[at + std::size_t(i)])) << (8 * i);
  return v;
}

class TempDir {
 public:
  TempDir() : path_(fs::temp_directory_path() / ("mixprec-ckpt-" + std::to_string(::getpid()))) {
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  fs::path file(const std::string& name, const std::string& bytes) const {
    const fs::path p = path_ / name;
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// The message of the UserError that reading `path` throws ("" if none).
std::string read_error(const fs::path& path) {
  try {
    read_checkpoint(path);
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

TEST(Checkpoint, RoundTripsEverySectionInEachPrecision) {
  TempDir tmp;
  for (Precision p : all_precisions()) {
    for (bool adam : {false, true}) {
      SCOPED_TRACE(to_string(p) + (adam ? " adam" : " sgd"));
      const Checkpoint c = sample(p, adam);
      expect_equal(decode_checkpoint(encode_checkpoint(c), "mem"), c);
      const fs::path path = tmp.path() / (to_string(p) + ".ckpt");
      write_checkpoint(path, c);
      expect_equal(read_checkpoint(path), c);
    }
  }
  // Atomic write: only the final files are left, no temporaries.
  int files = 0;
  for (const auto& e : fs::directory_iterator(tmp.path())) {
    EXPECT_EQ(e.path().extension(), ".ckpt") << e.path();
    ++files;
  }
  EXPECT_EQ(files, 5);  // one per precision: the adam file replaced the sgd one
}

TEST(Checkpoint, RestoredShuffleStateDrawsTheSameNumbers) {
  const Checkpoint c = decode_checkpoint(encode_checkpoint(sample(Precision::kFp32, false)), "mem");
  std::mt19937_64 original(42), restored;
  original.discard(1000);
  std::istringstream(c.shuffle_rng) >> restored;
  for (int i = 0; i < 100; ++i) ASSERT_EQ(original(), restored());
}

TEST(Checkpoint, BytesFollowTheDocumentedLayout) {
  const Checkpoint c = sample(Precision::kBf16True, false);
  const std::string b = encode_checkpoint(c);
  EXPECT_EQ(b.substr(0, 8), "MIXPRECK");
  EXPECT_EQ(le(b, 8, 4), 3u);                 // version
  EXPECT_EQ(le(b, 12, 8), b.size());          // file length, CRC included
  EXPECT_EQ(le(b, 20, 4), 4u);                // precision code of bf16-true
  EXPECT_EQ(le(b, 24, 4), 1u);                // activation code of gelu
  EXPECT_EQ(le(b, 28, 4), 3u);                // input dimension
  EXPECT_EQ(le(b, 32, 4), 2u);                // classes
  EXPECT_EQ(le(b, 36, 4), 1u);                // one hidden layer...
  EXPECT_EQ(le(b, 40, 4), 4u);                // ...of width 4
  EXPECT_EQ(le(b, 44, 8), kParams);
  EXPECT_EQ(le(b, 52, 4), 9u);                // sections
  EXPECT_EQ(b.substr(56, 4), "WGHT");
  EXPECT_EQ(le(b, 60, 8), 4u + 8u + 2u * kParams);  // format, count, 26 bf16 values
  EXPECT_EQ(le(b, 68, 4), 2u);                // format code of bf16
  EXPECT_EQ(le(b, 72, 8), kParams);
  EXPECT_EQ(b.substr(80, 2 * kParams), std::string(reinterpret_cast<const char*>(c.weights.bytes.data()), 2 * kParams));
  EXPECT_EQ(b.substr(80 + 2 * kParams, 4), "OPTM");
  // The last section, TSCL: u32 layers, u32 roles, then per layer and role f32 scale,
  // u64 history length, the history, u64 next index: 8 + 10 * 20 + 3 * 4 bytes here.
  const std::size_t tscl = b.size() - 4 - 12 - 220;
  EXPECT_EQ(b.substr(tscl, 4), "TSCL");
  EXPECT_EQ(le(b, tscl + 4, 8), 220u);
  EXPECT_EQ(le(b, tscl + 12, 4), 2u);          // layers
  EXPECT_EQ(le(b, tscl + 16, 4), 5u);          // roles
  EXPECT_EQ(le(b, tscl + 20, 4), 0x3f800000u); // layer 0 input: scale 1,
  EXPECT_EQ(le(b, tscl + 24, 8), 0u);          // no history,
  EXPECT_EQ(le(b, tscl + 32, 8), 0u);          // next index 0
  EXPECT_EQ(le(b, tscl + 40, 4), 0x3f000000u); // layer 0 weight: scale 0.5,
  EXPECT_EQ(le(b, tscl + 44, 8), 3u);          // 3 amaxes
  EXPECT_EQ(le(b, tscl + 52, 4), 0x3fc00000u); // 1.5
  EXPECT_EQ(le(b, tscl + 56, 4), 0x40400000u); // 3
  EXPECT_EQ(le(b, tscl + 60, 4), 0x3e800000u); // 0.25
  EXPECT_EQ(le(b, tscl + 64, 8), 2u);          // next index 2
  EXPECT_EQ(le(b, b.size() - 4, 4), reference_crc32(std::string_view(b).substr(0, b.size() - 4)));
  EXPECT_EQ(reference_crc32("123456789"), 0xcbf43926u);  // the reference is the standard CRC-32
}

TEST(Checkpoint, EachKindOfDamageIsRejectedNamingTheFile) {
  TempDir tmp;
  const std::string good = encode_checkpoint(sample(Precision::kFp16Mixed, true));
  struct Case {
    std::string name, bytes, expected;
  };
  std::string magic = good, version = good, flipped = good, header_cut = good.substr(0, 11);
  magic[0] = 'X';
  version[8] = 4;
  flipped[100] = char(flipped[100] ^ 0x10);  // inside the weights
  const Case cases[] = {
      {"magic.ckpt", magic, "not a mixprec checkpoint: the first 8 bytes are \"XIXPRECK\""},
      {"version.ckpt", version, "checkpoint format version 4 at byte offset 8, this mixprec reads versions 1 to 3"},
      {"cut.ckpt", good.substr(0, good.size() - 10),
       "truncated checkpoint: the file has " + std::to_string(good.size() - 10) + " bytes, its header"},
      {"header-cut.ckpt", header_cut, "truncated checkpoint: the file has 11 bytes"},
      {"crc.ckpt", flipped, "damaged checkpoint: CRC32 mismatch"},
      {"trailing.ckpt", good + "xyz", "damaged checkpoint: the file has " + std::to_string(good.size() + 3)},
      {"empty.ckpt", "", "not a mixprec checkpoint"},
  };
  for (const Case& k : cases) {
    const fs::path p = tmp.file(k.name, k.bytes);
    const std::string msg = read_error(p);
    SCOPED_TRACE(msg);
    EXPECT_EQ(msg.rfind(p.string() + ": ", 0), 0u) << k.name;  // starts with the file
    EXPECT_NE(msg.find(k.expected), std::string::npos) << k.name;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << k.name;
  }
  EXPECT_NE(read_error(tmp.path() / "absent.ckpt").find("cannot open checkpoint " +
                                                         (tmp.path() / "absent.ckpt").string()),
            std::string::npos);
  EXPECT_NE(read_error(tmp.path()).find("it is a folder"), std::string::npos);
}

TEST(Checkpoint, ACorruptSectionWithAValidCrcIsStillRejected) {
  // A file written by another program (or a bug) with a correct CRC: the sections are
  // checked too, never read out of bounds.
  std::string b = encode_checkpoint(sample(Precision::kFp32, false));
  b[68] = 9;  // the weights' format code
  const std::uint32_t crc = reference_crc32(std::string_view(b).substr(0, b.size() - 4));
  for (int i = 0; i < 4; ++i) b[b.size() - 4 + std::size_t(i)] = char((crc >> (8 * i)) & 0xff);
  try {
    decode_checkpoint(b, "forged.ckpt");
    FAIL() << "accepted";
  } catch (const UserError& e) {
    EXPECT_NE(std::string(e.what()).find("forged.ckpt section WGHT: malformed checkpoint: weights "
                                         "format code 9"), std::string::npos) << e.what();
  }
}

TEST(Checkpoint, AMismatchedShapeIsRejectedSayingWhatDiffers) {
  const ModelShape stored{Precision::kFp32, 784, {64}, 10, Activation::kRelu};
  EXPECT_NO_THROW(require_same_shape(stored, stored, "a.ckpt", "the config"));
  auto message = [&](ModelShape expected) {
    try {
      require_same_shape(stored, expected, "run/model.ckpt", "config run/config.json");
    } catch (const UserError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  ModelShape wider = stored;
  wider.hidden = {128, 32};
  EXPECT_EQ(message(wider),
            "run/model.ckpt: the checkpoint holds a 784-64-10 relu, fp32 model, but config "
            "run/config.json describes a 784-128-32-10 relu, fp32 model (model.hidden [64] vs "
            "[128,32]) (hint: use the config and data the checkpoint was trained with)");
  ModelShape other = stored;
  other.precision = Precision::kBf16Mixed;
  other.num_classes = 26;
  other.activation = Activation::kTanh;
  other.input_dim = 10;
  const std::string m = message(other);
  for (const char* part : {"precision fp32 vs bf16-mixed", "input dimension 784 vs 10",
                           "classes 10 vs 26", "model.activation relu vs tanh"})
    EXPECT_NE(m.find(part), std::string::npos) << part << " in " << m;
}

TEST(Checkpoint, EncodingWeightsOfTheWrongFormatIsAProgrammingError) {
  Checkpoint c = sample(Precision::kFp16True, false);
  c.weights = values(Format::kF32, kParams, 1);  // -true modes store 16-bit weights
  EXPECT_THROW(encode_checkpoint(c), std::logic_error);
}

TEST(Checkpoint, EncodingScalingStateForOtherLayersIsAProgrammingError) {
  Checkpoint c = sample(Precision::kFp32, false);
  c.scaling.resize(3);  // the 3-4-2 model has 2 linear layers
  EXPECT_THROW(encode_checkpoint(c), std::logic_error);
}

TEST(Checkpoint, AnyNumberOfNamedOptimizerBuffersRoundTrips) {
  // None (SGD without momentum), and four, one of them in another format than the rest
  // (as a Kahan compensation in the weights' format would be): names, order, formats and
  // bytes come back as written.
  for (std::size_t count : {0u, 4u}) {
    SCOPED_TRACE(count);
    Checkpoint c = sample(Precision::kBf16Mixed, false);
    c.optimizer_state.clear();
    const char* names[] = {"exp_avg", "exp_avg_sq", "max_exp_avg_sq", "kahan_compensation"};
    for (std::size_t i = 0; i < count; ++i) {
      const Format f = i == 3 ? Format::kBf16 : Format::kF32;
      c.optimizer_state.push_back({names[i], values(f, kParams, int(10 + i))});
    }
    expect_equal(decode_checkpoint(encode_checkpoint(c), "mem"), c);
  }
}

}  // namespace
}  // namespace mixprec
