// libFuzzer target: bytes -> the IDX image and label readers, plain or gzipped (bytes
// that start with 1f 8b go through zlib first), as `load_data` reads the MNIST files.
// A UserError is the expected answer to bad input; anything else is a finding, and so is
// a result whose sizes disagree with its header.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "common/error.hpp"
#include "data/file_bytes.hpp"
#include "data/idx.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::uint8_t> bytes(data, data + size);
  try {
    const mixprec::IdxImages images = mixprec::parse_idx_images(mixprec::decode_file_bytes(bytes, "fuzz-images"), "fuzz-images");
    if (images.count < 0 || images.rows < 1 || images.cols < 1 ||
        images.pixels.size() != std::uint64_t(images.count) * std::uint64_t(images.rows) *
                                    std::uint64_t(images.cols)) {
      std::abort();
    }
  } catch (const mixprec::UserError&) {
  }
  try {
    const mixprec::IdxLabels labels = mixprec::parse_idx_labels(mixprec::decode_file_bytes(bytes, "fuzz-labels"), "fuzz-labels");
    if (labels.count < 0 || labels.labels.size() != std::uint64_t(labels.count)) std::abort();
  } catch (const mixprec::UserError&) {
  }
  return 0;
}
