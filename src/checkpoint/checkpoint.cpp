#include "checkpoint/checkpoint.hpp"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "checkpoint/byte_io.hpp"
#include "common/error.hpp"
#include "precision/precision.hpp"
#include "report/atomic_file.hpp"

namespace mixprec {
namespace {

constexpr std::string_view kMagic = "MIXPRECK";
constexpr std::size_t kCrcBytes = 4;
constexpr std::size_t kVersionOffset = 8, kLengthOffset = 12;
constexpr std::uint32_t kMaxHiddenLayers = 1024;
// The sections of version 3, in file order (docs/checkpoint.md). Each older version has a
// prefix of them, and is still read: version 2 all but TSCL (per-tensor scaling state),
// version 1 neither TSCL nor DATA (the data encoding).
constexpr std::string_view kSectionTags[] = {"WGHT", "OPTM", "SCAL", "PROG", "SHUF",
                                             "CONF", "TOTL", "DATA", "TSCL"};
constexpr std::uint32_t sections_in_version(std::uint32_t version) {
  return version == 1 ? 7 : version == 2 ? 8 : std::uint32_t(std::size(kSectionTags));
}
static_assert(Checkpoint::kVersion == 3, "a new version needs its sections above");
// An optimizer buffer's name: PyTorch's state keys are short identifiers.
constexpr std::size_t kMaxBufferName = 64;

// Explicit codes, not enum casts: reordering an enum must not change what files mean. The
// format and mode codes are columns of their tables (precision/).
std::uint32_t precision_code(Precision p) { return policy_for(p).checkpoint_code; }
std::uint32_t format_code(Format f) { return traits(f).checkpoint_code; }
std::uint32_t activation_code(Activation a) {
  switch (a) {
    case Activation::kRelu: return 0;
    case Activation::kGelu: return 1;
    case Activation::kTanh: return 2;
  }
  return 0;
}

template <typename E, std::size_t N>
E decode_code(std::uint32_t code, const E (&values)[N], const ByteReader& r, std::string_view field) {
  if (code >= N) {
    fail("{}: malformed checkpoint: {} code {} before byte offset {} is not one of 0..{} (hint: "
         "the file is damaged)", r.name(), field, code, r.pos(), N - 1);
  }
  return values[code];
}
std::uint32_t code_of(Precision p) { return precision_code(p); }
std::uint32_t code_of(Format f) { return format_code(f); }

// A table's row for a code, or a one-line error naming the field and the valid codes.
template <typename E, std::size_t N, typename Lookup>
E decode_table_code(std::uint32_t code, const std::array<E, N>& rows, const Lookup& lookup,
                    const ByteReader& r, std::string_view field) {
  if (code <= 0xff)
    if (const std::optional<E> value = lookup(std::uint8_t(code))) return *value;
  std::string valid;
  for (E row : rows) valid += (valid.empty() ? "" : ", ") + std::to_string(code_of(row));
  fail("{}: malformed checkpoint: {} code {} before byte offset {} is not one of {} (hint: "
       "the file is damaged, or a newer mixprec wrote it)", r.name(), field, code, r.pos(), valid);
}
constexpr Activation kActivations[] = {Activation::kRelu, Activation::kGelu, Activation::kTanh};

std::uint32_t crc32_of(std::string_view bytes) {
  return std::uint32_t(::crc32_z(::crc32_z(0L, Z_NULL, 0),
                                 reinterpret_cast<const Bytef*>(bytes.data()), bytes.size()));
}

// The magic as a reader can see it: printable bytes as they are, others as \xNN.
std::string shown(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (std::isprint(static_cast<unsigned char>(c))) out.push_back(c);
    else out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
  }
  return out;
}

// The layout's parameter count, or nullopt when it does not fit 64 bits (only a damaged
// header can say so: widths are at most INT_MAX, and 1024 layers of those overflow).
std::optional<std::uint64_t> parameter_count(const ModelShape& s) {
  std::uint64_t n = 0, in = std::uint64_t(s.input_dim);
  std::vector<int> widths = s.hidden;
  widths.push_back(s.num_classes);
  for (int width : widths) {
    const std::uint64_t out = std::uint64_t(width);
    std::uint64_t layer = 0;
    if (__builtin_mul_overflow(in, out, &layer) || __builtin_add_overflow(layer, out, &layer) ||
        __builtin_add_overflow(n, layer, &n)) {
      return std::nullopt;
    }
    in = out;
  }
  return n;
}

// A layer width (input dimension, hidden width, classes): 1 to INT_MAX, as ModelShape holds it.
int get_width(ByteReader& h, std::string_view field) {
  const std::size_t at = h.pos();
  const std::uint32_t v = h.u32(field);
  if (v == 0 || v > std::uint32_t(std::numeric_limits<int>::max())) {
    fail("{}: malformed checkpoint: {} {} at byte offset {}, expected 1 to {} (hint: the file is "
         "damaged)", h.name(), field, v, at, std::numeric_limits<int>::max());
  }
  return int(v);
}

void put_values(ByteWriter& w, const StoredValues& v) {
  w.u32(format_code(v.format));
  w.u64(v.count());
  w.bytes(v.bytes.data(), v.bytes.size());
}

// A value array of expected_count values in expected_format (any format where it is
// nullopt: optimizer buffers, whose format the optimizer checks when a run resumes).
StoredValues get_values(ByteReader& r, std::string_view field, std::optional<Format> expected_format,
                        std::uint64_t expected_count) {
  StoredValues v;
  v.format = decode_table_code(r.u32(field), all_formats(), format_from_checkpoint_code, r,
                               fmt::format("{} format", field));
  const Format want = expected_format.value_or(v.format);
  const std::uint64_t count = r.u64(field);
  if (v.format != want || count != expected_count) {
    fail("{}: malformed checkpoint: {} before byte offset {} holds {} {} values, expected {} {} "
         "values for this model and precision (hint: the file is damaged)", r.name(), field,
         r.pos(), count, to_string(v.format), expected_count, to_string(want));
  }
  const std::string_view raw = r.array(count, bytes_per_value(v.format), field);
  v.bytes.resize(raw.size());
  if (!raw.empty()) std::memcpy(v.bytes.data(), raw.data(), raw.size());  // data() may be null
  return v;
}

// Sections: a 4-byte tag, the payload size (u64), the payload.
std::size_t begin_section(ByteWriter& w, std::string_view tag) {
  w.text(tag);
  w.u64(0);  // patched by end_section
  return w.size();
}
void end_section(ByteWriter& w, std::size_t payload_start) {
  w.patch_u64(payload_start - 8, w.size() - payload_start);
}

// Reads a section's header, returns a reader over exactly its payload.
ByteReader section(ByteReader& r, std::string_view tag) {
  const std::size_t at = r.pos();
  const std::string_view got = r.bytes(4, "section tag");
  if (got != tag) {
    fail("{}: malformed checkpoint: section tag '{}' at byte offset {}, expected '{}' (hint: the "
         "file is damaged or was written by another program)", r.name(), shown(got), at, tag);
  }
  const std::uint64_t size = r.u64(fmt::format("section {} size", tag));
  return ByteReader(r.bytes(size, fmt::format("section {}", tag)), r.name() + " section " + std::string(tag));
}
void end_of(const ByteReader& s) {
  if (s.remaining() != 0) {
    fail("{}: malformed checkpoint: {} unexpected bytes at the end of the section (hint: the file "
         "is damaged)", s.name(), s.remaining());
  }
}

// A buffer name as the optimizer declares it: 1 to 64 letters, digits or underscores, so
// that every message that quotes it stays one readable line; each name once (`seen`).
std::string get_buffer_name(ByteReader& r, std::set<std::string>& seen) {
  const std::size_t at = r.pos();
  const std::string name(r.bytes(r.u32("buffer name length"), "buffer name"));
  const bool valid = !name.empty() && name.size() <= kMaxBufferName &&
                     std::all_of(name.begin(), name.end(), [](char ch) {
                       return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_';
                     });
  if (!valid) {
    fail("{}: malformed checkpoint: optimizer buffer name '{}' at byte offset {} is not 1 to {} "
         "letters, digits or underscores (hint: the file is damaged)", r.name(),
         shown(name.substr(0, kMaxBufferName)), at, kMaxBufferName);
  }
  if (!seen.insert(name).second) {
    fail("{}: malformed checkpoint: optimizer buffer '{}' appears twice (again at byte offset {}) "
         "(hint: the file is damaged)", r.name(), name, at);
  }
  return name;
}

// Section TSCL: u32 layers, u32 roles, then per layer and role: f32 scale, u64 history
// length n, n f32 amaxes, u64 next history index.
void put_scaling(ByteWriter& w, const std::vector<LayerScaling>& layers) {
  w.u32(std::uint32_t(layers.size()));
  w.u32(std::uint32_t(kTensorRoleCount));
  for (const LayerScaling& layer : layers) {
    for (const TensorScaling& t : layer.roles) {
      w.f32(t.scale);
      w.u64(t.amax_history.size());
      w.bytes(t.amax_history.data(), t.amax_history.size() * sizeof(float));
      w.u64(t.amax_next);
    }
  }
}

std::vector<LayerScaling> get_scaling(ByteReader& s, std::size_t expected_layers) {
  const std::uint32_t layers = s.u32("scaling layer count");
  if (layers != expected_layers) {
    fail("{}: malformed checkpoint: scaling state for {} layers, the model has {} (hint: the file "
         "is damaged)", s.name(), layers, expected_layers);
  }
  const std::uint32_t roles = s.u32("scaling role count");
  if (roles != kTensorRoleCount) {
    fail("{}: malformed checkpoint: scaling state for {} tensor roles per layer, this mixprec has {} "
         "(hint: the file is damaged)", s.name(), roles, kTensorRoleCount);
  }
  std::vector<LayerScaling> out(layers);
  for (std::uint32_t l = 0; l < layers; ++l) {
    for (TensorRole role : kAllTensorRoles) {
      TensorScaling& t = out[l][role];
      const std::string field = fmt::format("layer {} {} scaling", l, to_string(role));
      const std::size_t at = s.pos();
      t.scale = s.f32(field);
      if (!(std::isfinite(t.scale) && t.scale > 0.0f)) {
        fail("{}: malformed checkpoint: {}: scale {} at byte offset {}, expected a positive finite "
             "number (hint: the file is damaged)", s.name(), field, t.scale, at);
      }
      const std::string_view history = s.array(s.u64(field), sizeof(float), field);
      t.amax_history.resize(history.size() / sizeof(float));
      if (!history.empty()) std::memcpy(t.amax_history.data(), history.data(), history.size());
      const std::size_t next_at = s.pos();
      const std::uint64_t next = s.u64(field);
      if (t.amax_history.empty() ? next != 0 : next >= t.amax_history.size()) {
        fail("{}: malformed checkpoint: {}: amax history index {} at byte offset {}, expected "
             "below the history's length {} (0 when empty) (hint: the file is damaged)", s.name(),
             field, next, next_at, t.amax_history.size());
      }
      t.amax_next = std::size_t(next);
    }
  }
  return out;
}

}  // namespace

std::string encode_checkpoint(const Checkpoint& c) {
  const PrecisionPolicy policy = policy_for(c.shape.precision);
  const Format weight_format = policy.update_format();
  if (c.weights.format != weight_format || c.weights.count() != c.num_params ||
      c.num_params != parameter_count(c.shape)) {
    throw std::logic_error(fmt::format(
        "encode_checkpoint: {} {} weight values for a {} model of {} parameters",
        c.weights.count(), to_string(c.weights.format), describe(c.shape), c.num_params));
  }
  if (c.scaling.size() != c.shape.hidden.size() + 1) {
    throw std::logic_error(fmt::format("encode_checkpoint: scaling state for {} layers, a {} model has {}",
                                       c.scaling.size(), describe(c.shape), c.shape.hidden.size() + 1));
  }
  ByteWriter w;
  // Header.
  w.text(kMagic);
  w.u32(Checkpoint::kVersion);
  w.u64(0);  // file length, patched below
  w.u32(precision_code(c.shape.precision));
  w.u32(activation_code(c.shape.activation));
  w.u32(std::uint32_t(c.shape.input_dim));
  w.u32(std::uint32_t(c.shape.num_classes));
  w.u32(std::uint32_t(c.shape.hidden.size()));
  for (int h : c.shape.hidden) w.u32(std::uint32_t(h));
  w.u64(c.num_params);
  w.u32(std::uint32_t(std::size(kSectionTags)));
  // Sections.
  std::size_t s = begin_section(w, "WGHT");
  put_values(w, c.weights);
  end_section(w, s);

  s = begin_section(w, "OPTM");
  w.i64(c.optimizer_steps);
  w.u32(std::uint32_t(c.optimizer_state.size()));
  for (const auto& b : c.optimizer_state) {
    w.u32(std::uint32_t(b.name.size()));
    w.text(b.name);
    put_values(w, b.values);
  }
  end_section(w, s);

  s = begin_section(w, "SCAL");
  w.f32(c.loss_scale);
  w.i64(c.loss_scale_streak);
  w.i64(c.skipped_steps);
  end_section(w, s);

  s = begin_section(w, "PROG");
  w.i64(c.global_step);
  w.u32(std::uint32_t(c.epochs_completed));
  end_section(w, s);

  s = begin_section(w, "SHUF");
  w.u32(std::uint32_t(c.shuffle_rng.size()));
  w.text(c.shuffle_rng);
  w.u64(c.shuffle_order.size());
  for (std::int32_t row : c.shuffle_order) w.u32(std::uint32_t(row));
  end_section(w, s);

  s = begin_section(w, "CONF");
  w.text(c.config_json);
  end_section(w, s);

  s = begin_section(w, "TOTL");
  w.text(c.run_totals_json);
  end_section(w, s);

  s = begin_section(w, "DATA");
  w.text(c.data_encoding_json);
  end_section(w, s);

  s = begin_section(w, "TSCL");
  put_scaling(w, c.scaling);
  end_section(w, s);

  // Trailer: the length covers the CRC, the CRC covers everything before it.
  w.patch_u64(kLengthOffset, w.size() + kCrcBytes);
  const std::uint32_t crc = crc32_of(w.str());
  w.u32(crc);
  return std::move(w.str());
}

Checkpoint decode_checkpoint(std::string_view bytes, const std::string& name) {
  constexpr std::string_view kHint = "hint: use an earlier checkpoint, or the model.ckpt/"
                                     "checkpoint.ckpt that `mixprec train --save-model` writes";
  // 1. Magic.
  if (bytes.substr(0, kMagic.size()) != kMagic) {
    fail("{}: not a mixprec checkpoint: the first 8 bytes are \"{}\", expected \"{}\" ({})", name,
         shown(bytes.substr(0, kMagic.size())), kMagic, kHint);
  }
  if (bytes.size() < kLengthOffset + 8) {
    fail("{}: truncated checkpoint: the file has {} bytes, fewer than the {} that start the header "
         "({})", name, bytes.size(), kLengthOffset + 8, kHint);
  }
  ByteReader r(bytes, name);
  r.bytes(kMagic.size(), "magic");
  // 2. Version.
  const std::uint32_t version = r.u32("format version");
  if (version < 1 || version > Checkpoint::kVersion) {
    fail("{}: checkpoint format version {} at byte offset {}, this mixprec reads versions 1 to {} "
         "(hint: use the mixprec that wrote it)", name, version, kVersionOffset, Checkpoint::kVersion);
  }
  // 3. Length: a cut file is reported as truncated rather than as a CRC mismatch.
  const std::uint64_t length = r.u64("file length");
  if (length != bytes.size()) {
    fail("{}: {}: the file has {} bytes, its header (byte offset {}) says {} ({})", name,
         bytes.size() < length ? "truncated checkpoint" : "damaged checkpoint",
         bytes.size(), kLengthOffset, length, kHint);
  }
  // 4. CRC32 over everything before the trailer.
  const std::size_t body = bytes.size() - kCrcBytes;
  ByteReader trailer(bytes.substr(body), name);
  const std::uint32_t stored = trailer.u32("CRC32");
  const std::uint32_t computed = crc32_of(bytes.substr(0, body));
  if (stored != computed) {
    fail("{}: damaged checkpoint: CRC32 mismatch, stored 0x{:08x} at byte offset {}, computed "
         "0x{:08x} over bytes 0..{} ({})", name, stored, body, computed, body - 1, kHint);
  }
  ByteReader h(bytes.substr(0, body), name);
  h.bytes(kLengthOffset + 8, "header");

  // 5. Header fields and sections.
  Checkpoint c;
  c.shape.precision = decode_table_code(h.u32("precision"), all_precisions(),
                                        precision_from_checkpoint_code, h, "precision");
  c.shape.activation = decode_code(h.u32("activation"), kActivations, h, "activation");
  c.shape.input_dim = get_width(h, "input dimension");
  c.shape.num_classes = get_width(h, "classes");
  const std::uint32_t layers = h.u32("hidden layer count");
  if (layers > kMaxHiddenLayers) {
    fail("{}: malformed checkpoint: {} hidden layers, expected at most {} (hint: the file is damaged)",
         name, layers, kMaxHiddenLayers);
  }
  for (std::uint32_t i = 0; i < layers; ++i) c.shape.hidden.push_back(get_width(h, "hidden width"));
  c.num_params = h.u64("parameter count");
  const std::optional<std::uint64_t> expected_params = parameter_count(c.shape);
  if (!expected_params) {
    fail("{}: malformed checkpoint: a {} model has more than 2^64 parameters (hint: the file is "
         "damaged)", name, describe(c.shape));
  }
  if (c.num_params != *expected_params) {
    fail("{}: malformed checkpoint: the header says {} parameters, but a {} model has {} (hint: the "
         "file is damaged)", name, c.num_params, describe(c.shape), *expected_params);
  }
  const std::uint32_t sections = h.u32("section count");
  const std::uint32_t expected_sections = sections_in_version(version);
  if (sections != expected_sections) {
    fail("{}: malformed checkpoint: {} sections, version {} has {} (hint: the file is damaged)", name,
         sections, version, expected_sections);
  }
  const PrecisionPolicy policy = policy_for(c.shape.precision);

  ByteReader s = section(h, "WGHT");
  c.weights = get_values(s, "weights", policy.update_format(),
                         c.num_params);
  end_of(s);

  s = section(h, "OPTM");
  c.optimizer_steps = s.i64("optimizer step count");
  // Any number of buffers (each needs its values, so the file's size bounds the count). The
  // optimizer checks names and formats against its own when a run resumes.
  const std::uint32_t buffers = s.u32("optimizer buffer count");
  std::set<std::string> buffer_names;
  for (std::uint32_t i = 0; i < buffers; ++i) {
    StoredOptimizerBuffer b;
    b.name = get_buffer_name(s, buffer_names);
    b.values = get_values(s, b.name, std::nullopt, c.num_params);
    c.optimizer_state.push_back(std::move(b));
  }
  end_of(s);

  s = section(h, "SCAL");
  c.loss_scale = s.f32("loss scale");
  c.loss_scale_streak = s.i64("loss scale streak");
  c.skipped_steps = s.i64("skipped steps");
  end_of(s);

  s = section(h, "PROG");
  c.global_step = s.i64("global step");
  c.epochs_completed = std::int32_t(s.u32("epochs completed"));
  end_of(s);

  s = section(h, "SHUF");
  c.shuffle_rng = std::string(s.bytes(s.u32("shuffle state length"), "shuffle state"));
  const std::uint64_t rows = s.u64("shuffle order length");
  const std::string_view order = s.array(rows, 4, "shuffle order");
  c.shuffle_order.resize(std::size_t(rows));
  if (!order.empty()) std::memcpy(c.shuffle_order.data(), order.data(), order.size());
  end_of(s);

  s = section(h, "CONF");
  c.config_json = std::string(s.bytes(s.remaining(), "config"));
  s = section(h, "TOTL");
  c.run_totals_json = std::string(s.bytes(s.remaining(), "run totals"));
  if (version >= 2) {
    s = section(h, "DATA");
    c.data_encoding_json = std::string(s.bytes(s.remaining(), "data encoding"));
  }
  if (version >= 3) {
    s = section(h, "TSCL");
    c.scaling = get_scaling(s, c.shape.hidden.size() + 1);
    end_of(s);
  } else {
    c.scaling.resize(c.shape.hidden.size() + 1);  // the defaults, as the 16-bit modes keep them
  }
  end_of(h);
  return c;
}

void write_checkpoint(const std::filesystem::path& path, const Checkpoint& c) {
  write_text_atomically(path, encode_checkpoint(c));
}

Checkpoint read_checkpoint(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    fail("cannot read checkpoint {}: it is a folder, expected a file (hint: pass RUN_DIR/model.ckpt)",
         path.string());
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    fail("cannot open checkpoint {}: {} (hint: `mixprec train --save-model` writes "
         "RUN_DIR/model.ckpt and RUN_DIR/checkpoint.ckpt)", path.string(), std::strerror(errno));
  }
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) fail("error reading checkpoint {}: {}", path.string(), std::strerror(errno));
  return decode_checkpoint(bytes, path.string());
}

}  // namespace mixprec
