#pragma once
// Transparent huge pages for the large, long-lived arrays of a run: the data set (rows
// gathered at random from ~190 MB), the parameters, gradients and optimizer state (streamed
// through every step) and the larger scratch buffers. With 4 KiB pages a step touches
// thousands of pages, more than the TLB holds. A small gain, measured in interleaved A/B
// runs (docs/performance.md, "Huge pages").
#include <sys/mman.h>

#include <cstddef>
#include <cstdint>

namespace mixprec {

inline constexpr std::size_t kHugePageBytes = std::size_t{2} << 20;

// Asks the kernel to back the 2 MiB-aligned part of [p, p + bytes) with 2 MiB pages, where
// transparent huge pages are enabled ("madvise" is Debian's default). Call it before the
// memory is first written. Harmless where unsupported: the request is only advice.
inline void advise_huge_pages(void* p, std::size_t bytes) {
  const auto begin = reinterpret_cast<std::uintptr_t>(p);
  const std::uintptr_t first = (begin + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
  const std::uintptr_t last = (begin + bytes) / kHugePageBytes * kHugePageBytes;
  if (last > first) madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
}

}  // namespace mixprec
