#pragma once
// A training checkpoint: everything a run needs to continue bit-identically from an epoch
// boundary (weights as stored, optimizer state, loss scaler, per-tensor scaling state,
// step counters, shuffle state), plus the resolved config so that `mixprec eval` can rebuild the data pipeline.
// The binary layout is specified in docs/checkpoint.md.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "checkpoint/model_shape.hpp"
#include "precision/format.hpp"
#include "precision/tensor_scaling.hpp"

namespace mixprec {

// num_params values of `format`, little-endian, as the run stored them.
struct StoredValues {
  Format format = Format::kF32;
  std::vector<std::byte> bytes;

  std::size_t count() const { return bytes.size() / bytes_per_value(format); }
};

// One named optimizer state buffer. A checkpoint holds any number of them, each name once;
// the optimizer matches them to its own by name when a run resumes.
struct StoredOptimizerBuffer {
  std::string name;  // PyTorch's state key: momentum_buffer, exp_avg, exp_avg_sq
  StoredValues values;  // num_params values, in the format the optimizer keeps it
};

struct Checkpoint {
  static constexpr std::uint32_t kVersion = 3;  // written; 1 and 2 are read too

  ModelShape shape;
  std::uint64_t num_params = 0;
  // fp32 master weights (fp32 and mixed modes) or the 16-bit weights (-true modes).
  StoredValues weights;
  // Optimizer: completed updates (PyTorch's state["step"]) and the state buffers.
  std::int64_t optimizer_steps = 0;
  std::vector<StoredOptimizerBuffer> optimizer_state;
  // Loss scaler.
  float loss_scale = 1.0f;
  std::int64_t loss_scale_streak = 0;  // consecutive finite steps since the last change
  std::int64_t skipped_steps = 0;
  // Progress: steps taken (the LR schedule's position) and epochs finished; a resumed run
  // starts with epoch epochs_completed + 1.
  std::int64_t global_step = 0;
  std::int32_t epochs_completed = 0;
  // Shuffle: the std::mt19937_64 state as its operator<< text, and the row order it has
  // been applied to (each epoch shuffles the previous epoch's order in place).
  std::string shuffle_rng;
  std::vector<std::int32_t> shuffle_order;
  // JSON texts: the resolved config, and the bookkeeping that summary.json sums over the
  // whole run (times, skipped steps, last evaluations).
  std::string config_json;
  std::string run_totals_json;
  // The data encoding fitted on the training split (data/data_encoding.hpp), so that `eval`
  // applies the same columns, classes and normalisation; empty in version 1 files.
  std::string data_encoding_json;
  // Per-tensor scaling state, one LayerScaling per linear layer (hidden layers + 1), in
  // layer order. Files before version 3 have none: they read as the defaults (scale 1,
  // empty history), which is what the 16-bit modes use.
  std::vector<LayerScaling> scaling;
};

// The file's bytes (header, sections, CRC32), and back. decode_checkpoint checks, in this
// order, magic, version, length and CRC32, then the sections; any problem is a one-line
// UserError that starts with `name` and says what is wrong.
std::string encode_checkpoint(const Checkpoint& c);
Checkpoint decode_checkpoint(std::string_view bytes, const std::string& name);

// Atomic write (temp file + fsync + rename), and a read that rejects damaged files.
void write_checkpoint(const std::filesystem::path& path, const Checkpoint& c);
Checkpoint read_checkpoint(const std::filesystem::path& path);

}  // namespace mixprec
