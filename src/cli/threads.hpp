#pragma once
// One place that turns the `threads` setting into OpenMP's thread count, which oneDNN
// (OpenMP runtime) and our element-wise kernels both use.
namespace mixprec {

// 0 means all cores. Returns the count in use.
int apply_thread_count(int requested);

}  // namespace mixprec
