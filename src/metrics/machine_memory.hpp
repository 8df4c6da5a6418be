#pragma once
// How much memory this process may use at most: the machine's physical memory, or the
// cgroup v2 limit (memory.max) of a container where that is lower.
#include <cstdint>

namespace mixprec {

// 0 when neither can be read (then no check is made).
std::int64_t machine_memory_bytes();

}  // namespace mixprec
