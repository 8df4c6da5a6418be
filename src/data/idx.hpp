#pragma once
// IDX files, the MNIST family's format (big-endian header, then unsigned bytes):
//   images: magic 0x00000803, count, rows, cols, then count*rows*cols pixels
//   labels: magic 0x00000801, count, then count labels
// http://yann.lecun.com/exdb/mnist/ ("FILE FORMATS FOR THE MNIST DATABASE").
#include <cstdint>
#include <string>
#include <vector>

#include "data/file_bytes.hpp"

namespace mixprec {

inline constexpr std::uint32_t kIdxImagesMagic = 0x00000803;
inline constexpr std::uint32_t kIdxLabelsMagic = 0x00000801;
inline constexpr std::size_t kIdxImagesHeaderBytes = 16;
inline constexpr std::size_t kIdxLabelsHeaderBytes = 8;

struct IdxImages {
  std::int64_t count = 0;
  int rows = 0;
  int cols = 0;
  std::vector<std::uint8_t> pixels;  // (count, rows*cols), one image per row
  bool gzipped = false;
};

struct IdxLabels {
  std::int64_t count = 0;
  std::vector<std::uint8_t> labels;  // (count); label i sits at byte offset 8 + i
  bool gzipped = false;
};

// Read plain or gzipped files: read_file_bytes, then parse_idx_*.
IdxImages read_idx_images(const std::string& path);
IdxLabels read_idx_labels(const std::string& path);

// A file's contents (data/file_bytes.hpp: gunzipped where the file was gzipped); `name`
// stands for the file in messages. Throw UserError naming the file and the byte offset for
// a wrong magic number, a short header, or a payload of the wrong length.
IdxImages parse_idx_images(FileBytes file, const std::string& name);
IdxLabels parse_idx_labels(FileBytes file, const std::string& name);

}  // namespace mixprec
