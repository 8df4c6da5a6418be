// The checkpoint fuzzer's seeds (tests/fuzz/corpus/checkpoint: real version-1 files and the
// version-2 and -3 files tests/fuzz/make_corpus.py derives from them) meet the invariants
// tests/fuzz/checkpoint_fuzz.cpp checks, without needing clang: a current-version file
// encodes back to its own bytes; an older one is written as the current version, which
// reads back and encodes to the same bytes again. Older versions get default scaling.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include "checkpoint/checkpoint.hpp"

namespace mixprec {
namespace {

namespace fs = std::filesystem;

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(CheckpointFuzzSeeds, EachReadsAndWritesBackAsTheFuzzerRequires) {
  const fs::path folder = fs::path(MIXPREC_SOURCE_DIR) / "tests/fuzz/corpus/checkpoint";
  std::set<std::uint32_t> versions;
  bool some_history = false, some_third_buffer = false;
  for (const auto& entry : fs::directory_iterator(folder)) {
    SCOPED_TRACE(entry.path().filename().string());
    const std::string bytes = read_bytes(entry.path());
    const Checkpoint c = decode_checkpoint(bytes, entry.path().string());
    const auto version = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes.at(8)));
    versions.insert(version);
    const std::string written = encode_checkpoint(c);
    if (version == Checkpoint::kVersion) {
      EXPECT_EQ(written, bytes);
    } else {
      EXPECT_EQ(encode_checkpoint(decode_checkpoint(written, "rewritten")), written);
      for (const LayerScaling& layer : c.scaling) EXPECT_EQ(layer, LayerScaling{});
    }
    for (const LayerScaling& layer : c.scaling)
      for (const TensorScaling& t : layer.roles) some_history |= !t.amax_history.empty();
    some_third_buffer |= c.optimizer_state.size() > 2;
  }
  EXPECT_EQ(versions, (std::set<std::uint32_t>{1, 2, 3}));
  // Without these the fuzzer starts far from the version-3 reading code.
  EXPECT_TRUE(some_history) << "no seed has an amax history: rerun tests/fuzz/make_corpus.py";
  EXPECT_TRUE(some_third_buffer) << "no seed has a third optimizer buffer";
}

}  // namespace
}  // namespace mixprec
