#pragma once
// Resident memory of this process, in bytes (Linux). Both throw std::runtime_error if
// the kernel interface is unavailable: a missing number should be loud, not zero.
#include <cstdint>

namespace mixprec {

// High-water mark since the process started: getrusage(RUSAGE_SELF).ru_maxrss, which
// Linux reports in kilobytes (getrusage(2)). It never goes down, so per-epoch peaks
// are only visible while they exceed every earlier one.
std::int64_t peak_rss_bytes();

// Resident now: the second field of /proc/self/statm (pages) times the page size.
std::int64_t current_rss_bytes();

}  // namespace mixprec
