#pragma once
// A 64-byte aligned, uninitialised array of values of one storage format. All tensors of
// the training step live in these, allocated once before the first step.
#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>
#include <stdexcept>

#include "common/huge_pages.hpp"
#include "precision/format.hpp"

namespace mixprec {

class Buffer {
 public:
  Buffer() = default;
  Buffer(Format format, std::size_t size) : format_(format), size_(size) {
    // Buffers of 256 KiB and more start on a 2 MiB boundary and ask for huge pages
    // (common/huge_pages.hpp). The kernel may then map a whole 2 MiB page for a smaller
    // buffer: a few MiB of resident memory for the dozen such buffers of a run.
    const std::size_t used = size * bytes_per_value(format);
    const std::size_t align = used >= (std::size_t{1} << 18) ? kHugePageBytes : 64;
    const std::size_t bytes = std::max<std::size_t>(align, (used + align - 1) / align * align);
    data_.reset(static_cast<std::byte*>(std::aligned_alloc(align, bytes)));
    if (!data_) throw std::bad_alloc();
    if (align == kHugePageBytes) advise_huge_pages(data_.get(), bytes);
  }

  Format format() const { return format_; }
  std::size_t size() const { return size_; }
  std::size_t bytes() const { return size_ * bytes_per_value(format_); }
  void* data() { return data_.get(); }
  const void* data() const { return data_.get(); }

  // Typed view; the type must match the format (checked, it is cheap and catches mix-ups).
  template <typename T>
  T* as() {
    check<T>();
    return reinterpret_cast<T*>(data_.get());
  }
  template <typename T>
  const T* as() const {
    check<T>();
    return reinterpret_cast<const T*>(data_.get());
  }

 private:
  template <typename T>
  void check() const {
    if (FormatOf<T>::value != format_) throw std::logic_error("Buffer: type does not match format");
  }
  struct Free {
    void operator()(std::byte* p) const { std::free(p); }
  };
  Format format_ = Format::kF32;
  std::size_t size_ = 0;
  std::unique_ptr<std::byte[], Free> data_;
};

}  // namespace mixprec
