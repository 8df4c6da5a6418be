#pragma once
// What machine and build a run happened on, so that a timing can be read in context
// (NUMERICS.md: nobody should read an emulated timing as a hardware result).
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include <dnnl.hpp>
#include <nlohmann/json.hpp>

namespace mixprec {

// The CPU as /proc/cpuinfo describes its first processor.
struct CpuInfo {
  std::string model = "unknown";   // "model name"; stays "unknown" where absent (e.g. ARM)
  std::vector<std::string> flags;  // tokens of the "flags" line, in file order
};

// Parses cpuinfo text (exposed for tests); only the first "model name" and "flags" count.
CpuInfo parse_cpuinfo(std::string_view text);
// Reads /proc/cpuinfo; an unreadable file gives the defaults (model "unknown", no flags).
CpuInfo read_cpuinfo();

// The ISA flags the environment reports as true/false, in this order.
const std::vector<std::string>& probed_isa_flags();

// oneDNN's ISA names as in its docs ("avx2", "avx512_core_bf16", "avx512_core_amx", ...);
// "unknown(0x...)" for a value this build of mixprec does not know.
std::string cpu_isa_name(dnnl::cpu_isa isa);

// The compiler flags of the build: the string literal MIXPREC_CXX_FLAGS if the build
// defines it (CMake: target_compile_definitions), else "unknown".
const char* build_flags();
// The git commit of the build: MIXPREC_GIT_COMMIT if defined, else "unknown".
const char* git_commit();

// "2024-03-05T07:08:09Z".
std::string utc_iso8601(std::chrono::system_clock::time_point t);

// {
//   "cpu": {"model", "logical_cores", "allowed_cores",
//           "isa_flags": {"avx2": bool, ... one per probed_isa_flags()}},
//   "threads": threads (as passed: the count actually used),
//   "compiler": {"version", "flags", "fast_math": bool},
//   "libraries": {"onednn", "onednn_git_hash", "onednn_cpu_runtime", "eigen",
//                 "nlohmann_json", "fmt", "zlib"},
//   "onednn_isa": cpu_isa_name(dnnl::get_effective_cpu_isa()),
//   "git_commit", "host", "start_time_utc" (now, ISO 8601), "command_line"
// }
// oneDNN's version is the loaded library's (dnnl::version()); Eigen, nlohmann/json, fmt
// and zlib are the headers compiled against. Asking oneDNN for its effective ISA fixes
// it: dnnl::set_max_cpu_isa, if ever used, must run before this.
nlohmann::json environment_json(int threads, const std::string& command_line);

}  // namespace mixprec
