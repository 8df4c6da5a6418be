#pragma once
// Counts the global operator new calls made while a block runs, for the tests that check
// "no allocation" promises. It replaces the global operator new and delete (the standard
// allows a program to), so include it in exactly ONE source file of a test executable.
//
// Each call is also attributed by its caller's shared object: oneDNN's execute allocates
// small blocks of its own (argument maps, and on some ISAs per-shape gemm scratch), which
// no caller can avoid and whose number depends on the CPU; a promise about mixprec's own
// code is a promise about the calls made from outside libdnnl.
#include <dlfcn.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>

#if defined(__GNUC__) && !defined(__clang__)
// GCC pairs this malloc-based operator new with inlined deletes elsewhere and warns.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace mixprec::testing::allocations {
inline std::atomic<bool> counting{false};
inline std::atomic<int> count{0};
inline std::atomic<int> outside_onednn{0};

inline bool called_from_onednn(const void* caller) {
  Dl_info info;
  return dladdr(caller, &info) != 0 && info.dli_fname != nullptr &&
         std::strstr(info.dli_fname, "libdnnl") != nullptr;
}
}  // namespace mixprec::testing::allocations

void* operator new(std::size_t size) {
  namespace a = mixprec::testing::allocations;
  if (a::counting) {
    ++a::count;
    if (!a::called_from_onednn(__builtin_return_address(0))) ++a::outside_onednn;
  }
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace mixprec::testing {

struct AllocationCount {
  int all = 0;             // every operator new call
  int outside_onednn = 0;  // those whose caller is not in libdnnl
};

// operator new calls made by f(), attributed.
template <typename F>
AllocationCount count_allocations(F&& f) {
  allocations::count = 0;
  allocations::outside_onednn = 0;
  allocations::counting = true;
  f();
  allocations::counting = false;
  return {allocations::count.load(), allocations::outside_onednn.load()};
}

// operator new calls made by f().
template <typename F>
int allocations_during(F&& f) {
  return count_allocations(f).all;
}

}  // namespace mixprec::testing
