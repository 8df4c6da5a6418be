#include "data/idx.hpp"

#include "common/error.hpp"
#include "data/file_bytes.hpp"

namespace mixprec {
namespace {

std::uint32_t read_be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

// What a wrong magic number most likely means, for the hint.
std::string magic_hint(std::uint32_t magic, std::uint32_t expected) {
  if (magic == kIdxLabelsMagic && expected == kIdxImagesMagic) {
    return "this is an IDX label file; are the image and label file names swapped?";
  }
  if (magic == kIdxImagesMagic && expected == kIdxLabelsMagic) {
    return "this is an IDX image file; are the image and label file names swapped?";
  }
  return "expected an MNIST-format IDX file such as train-images-idx3-ubyte[.gz]";
}

void check_magic(const std::string& path, bool gzipped, std::uint32_t magic, std::uint32_t expected,
                 const char* what) {
  if (magic != expected) {
    fail("{}: not an IDX {} file: the magic number at byte offset 0 is 0x{:08x}, expected 0x{:08x} "
         "(hint: {})", describe_file(path, gzipped), what, magic, expected, magic_hint(magic, expected));
  }
}

// `needed` bytes must be there: 4 to read the magic number, then the whole header.
void check_header_size(const std::string& path, bool gzipped, std::size_t size, std::size_t needed,
                       std::size_t header, const char* what) {
  if (size < needed) {
    fail("{}: truncated IDX {} file: it is {} bytes, shorter than the {}-byte header (data ends at "
         "byte offset {}) (hint: the file is incomplete; fetch it again)",
         describe_file(path, gzipped), what, size, header, size);
  }
}

// The payload must be exactly what the header promises: a short one is a truncated
// download, a long one means the header (or the file) is not what we think it is.
void check_payload(const std::string& path, bool gzipped, std::size_t size, std::size_t header,
                   std::uint64_t expected, const std::string& promise) {
  std::uint64_t actual = size - header;
  if (actual < expected) {
    fail("{}: truncated IDX file: the header promises {} = {} bytes after the {}-byte header, but "
         "only {} are there (data ends at byte offset {}, expected {}) (hint: the file is "
         "incomplete; fetch it again)", describe_file(path, gzipped), promise, expected, header,
         actual, size, header + expected);
  }
  if (actual > expected) {
    fail("{}: {} unexpected bytes after the IDX data at byte offset {}: the header promises {} = {} "
         "bytes after the {}-byte header, the file has {} (hint: the header or the file is damaged)",
         describe_file(path, gzipped), actual - expected, header + expected, promise, expected,
         header, actual);
  }
}

}  // namespace

IdxImages parse_idx_images(FileBytes file, const std::string& path) {
  const auto& b = file.bytes;
  check_header_size(path, file.gzipped, b.size(), 4, kIdxImagesHeaderBytes, "image");
  check_magic(path, file.gzipped, read_be32(b.data()), kIdxImagesMagic, "image");
  check_header_size(path, file.gzipped, b.size(), kIdxImagesHeaderBytes, kIdxImagesHeaderBytes, "image");
  std::uint32_t count = read_be32(b.data() + 4);
  std::uint32_t rows = read_be32(b.data() + 8);
  std::uint32_t cols = read_be32(b.data() + 12);
  // 2^16 per side is far beyond any IDX data set and keeps every product below 2^64.
  if (rows == 0 || cols == 0 || rows > 65536 || cols > 65536) {
    fail("{}: the IDX image header at byte offset 8 says {}x{} pixels per image, expected 1 to 65536 "
         "per side (hint: the header is damaged)", describe_file(path, file.gzipped), rows, cols);
  }
  std::uint64_t expected = std::uint64_t{count} * rows * cols;
  check_payload(path, file.gzipped, b.size(), kIdxImagesHeaderBytes, expected,
                fmt::format("{} images of {}x{} pixels", count, rows, cols));

  IdxImages images;
  images.count = count;
  images.rows = static_cast<int>(rows);
  images.cols = static_cast<int>(cols);
  images.gzipped = file.gzipped;
  images.pixels = std::move(file.bytes);
  images.pixels.erase(images.pixels.begin(), images.pixels.begin() + kIdxImagesHeaderBytes);
  return images;
}

IdxLabels parse_idx_labels(FileBytes file, const std::string& path) {
  const auto& b = file.bytes;
  check_header_size(path, file.gzipped, b.size(), 4, kIdxLabelsHeaderBytes, "label");
  check_magic(path, file.gzipped, read_be32(b.data()), kIdxLabelsMagic, "label");
  check_header_size(path, file.gzipped, b.size(), kIdxLabelsHeaderBytes, kIdxLabelsHeaderBytes, "label");
  std::uint32_t count = read_be32(b.data() + 4);
  check_payload(path, file.gzipped, b.size(), kIdxLabelsHeaderBytes, count,
                fmt::format("{} labels", count));

  IdxLabels labels;
  labels.count = count;
  labels.gzipped = file.gzipped;
  labels.labels = std::move(file.bytes);
  labels.labels.erase(labels.labels.begin(), labels.labels.begin() + kIdxLabelsHeaderBytes);
  return labels;
}

IdxImages read_idx_images(const std::string& path) { return parse_idx_images(read_file_bytes(path), path); }
IdxLabels read_idx_labels(const std::string& path) { return parse_idx_labels(read_file_bytes(path), path); }

}  // namespace mixprec
