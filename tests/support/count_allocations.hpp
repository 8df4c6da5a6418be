#pragma once
// Counts the global operator new calls made while a block runs, for the tests that check
// "no allocation" promises. It replaces the global operator new and delete (the standard
// allows a program to), so include it in exactly ONE source file of a test executable.
#include <atomic>
#include <cstdlib>
#include <new>

#if defined(__GNUC__) && !defined(__clang__)
// GCC pairs this malloc-based operator new with inlined deletes elsewhere and warns.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace mixprec::testing::allocations {
inline std::atomic<bool> counting{false};
inline std::atomic<int> count{0};
}  // namespace mixprec::testing::allocations

void* operator new(std::size_t size) {
  if (mixprec::testing::allocations::counting) ++mixprec::testing::allocations::count;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace mixprec::testing {

// operator new calls made by f().
template <typename F>
int allocations_during(F&& f) {
  allocations::count = 0;
  allocations::counting = true;
  f();
  allocations::counting = false;
  return allocations::count.load();
}

}  // namespace mixprec::testing
