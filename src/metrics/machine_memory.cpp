#include "metrics/machine_memory.hpp"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <string>

namespace mixprec {

std::int64_t machine_memory_bytes() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
  std::int64_t bytes = pages > 0 && page > 0 ? std::int64_t(pages) * page : 0;
  // "max" (no limit) does not parse as a number and leaves the physical figure.
  std::ifstream in("/sys/fs/cgroup/memory.max");
  std::int64_t limit = 0;
  if (in >> limit && limit > 0) bytes = bytes > 0 ? std::min(bytes, limit) : limit;
  return bytes;
}

}  // namespace mixprec
