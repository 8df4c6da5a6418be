#include "metrics/memory.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>

namespace mixprec {

std::int64_t peak_rss_bytes() {
  rusage usage{};
  if (::getrusage(RUSAGE_SELF, &usage) != 0) {
    throw std::runtime_error(std::string("getrusage(RUSAGE_SELF) failed: ") +
                             std::strerror(errno));
  }
  return static_cast<std::int64_t>(usage.ru_maxrss) * 1024;  // Linux: kilobytes
}

std::int64_t current_rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::int64_t size_pages = 0;
  std::int64_t resident_pages = 0;
  if (!(statm >> size_pages >> resident_pages)) {
    throw std::runtime_error("cannot read resident pages from /proc/self/statm");
  }
  const long page_size = ::sysconf(_SC_PAGESIZE);
  if (page_size <= 0) throw std::runtime_error("sysconf(_SC_PAGESIZE) failed");
  return resident_pages * page_size;
}

}  // namespace mixprec
