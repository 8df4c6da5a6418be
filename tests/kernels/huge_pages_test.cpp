// Large buffers ask for transparent huge pages (common/huge_pages.hpp): checked through the
// kernel's own count of the process's huge pages, where the kernel offers them.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <string>

#include "kernels/aligned_buffer.hpp"

namespace mixprec {
namespace {

// The kernel's THP mode, e.g. "always [madvise] never" -> "madvise"; empty if unknown.
std::string thp_mode() {
  std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string line;
  std::getline(in, line);
  const auto open = line.find('['), close = line.find(']');
  return open == std::string::npos || close == std::string::npos
             ? ""
             : line.substr(open + 1, close - open - 1);
}

// AnonHugePages of this process, in kB.
long anon_huge_kb() {
  std::ifstream in("/proc/self/smaps_rollup");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("AnonHugePages:", 0) == 0) return std::stol(line.substr(14));
  return -1;
}

TEST(HugePages, LargeBuffersStartOnTwoMiBAndSmallOnesOn64Bytes) {
  Buffer large(Format::kF32, 1 << 20), small(Format::kBf16, 1000);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(large.data()) % kHugePageBytes, 0u);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(small.data()) % 64, 0u);
  EXPECT_EQ(large.bytes(), std::size_t{4} << 20);  // what the buffer holds, not the rounding
}

TEST(HugePages, ALargeBufferIsBackedByHugePagesWhereTheKernelOffersThem) {
  const std::string mode = thp_mode();
  if (mode != "madvise" && mode != "always") GTEST_SKIP() << "THP mode '" << mode << "'";
  const long before = anon_huge_kb();
  ASSERT_GE(before, 0) << "no AnonHugePages in /proc/self/smaps_rollup";
  Buffer b(Format::kF32, std::size_t{8} << 20);  // 32 MiB
  std::memset(b.data(), 1, b.bytes());           // first touch maps the pages
  // The kernel may fall back to small pages when it has no free 2 MiB block, but on an
  // idle machine with memory to spare it gives most of them.
  EXPECT_GE(anon_huge_kb() - before, 16 * 1024) << "mode " << mode;
}

}  // namespace
}  // namespace mixprec
