#include "metrics/memory.hpp"

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <memory>

#include <gtest/gtest.h>

namespace mixprec {
namespace {

constexpr std::int64_t kMiB = 1024 * 1024;
constexpr std::int64_t kBufferBytes = 200 * kMiB;
// RSS moves with more than our buffer (allocator metadata, gtest, lazily mapped code);
// 10 MiB of slack is far above that noise and far below the 200 MiB being measured.
constexpr std::int64_t kSlackBytes = 10 * kMiB;

TEST(Memory, CurrentRssIsPositive) {
  EXPECT_GT(current_rss_bytes(), 0);
  EXPECT_GT(peak_rss_bytes(), 0);
  // The peak is a high-water mark of the same quantity, but the kernel's RSS counters
  // are batched per CPU/thread, so two reads can differ by a few hundred KiB; 4 MiB
  // is a safe bound for that and still catches a peak read in the wrong unit.
  const std::int64_t current = current_rss_bytes();
  EXPECT_GE(peak_rss_bytes() + 4 * kMiB, current);
}

TEST(Memory, TouchingA200MiBBufferRaisesCurrentAndPeakRss) {
  const std::int64_t current_before = current_rss_bytes();
  const std::int64_t peak_before = peak_rss_bytes();

  // new char[] leaves the pages unmapped until written; write one byte per page through
  // a volatile pointer so the compiler can neither skip the writes nor the allocation.
  auto buffer = std::make_unique_for_overwrite<char[]>(kBufferBytes);
  volatile char* bytes = buffer.get();
  const long page = ::sysconf(_SC_PAGESIZE);
  for (std::int64_t i = 0; i < kBufferBytes; i += page) bytes[i] = static_cast<char>(i / page);

  const std::int64_t current_during = current_rss_bytes();
  const std::int64_t peak_after = peak_rss_bytes();
  EXPECT_GE(current_during, current_before + kBufferBytes - kSlackBytes)
      << "before " << current_before << " during " << current_during;
  // Peak >= every RSS seen so far, in particular the one just measured: this fails if
  // ru_maxrss were taken as bytes instead of kilobytes.
  EXPECT_GE(peak_after, current_before + kBufferBytes - kSlackBytes);
  EXPECT_GE(peak_after, peak_before);
  EXPECT_LT(peak_after, current_before + kBufferBytes + 100 * kMiB);  // not 1024x too big
  EXPECT_EQ(bytes[page * 3], 3);  // the writes happened
}

}  // namespace
}  // namespace mixprec
