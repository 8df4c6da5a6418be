#include "metrics/environment.hpp"

#include <limits.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>

#include <Eigen/Core>
#include <fmt/core.h>  // FMT_VERSION only: metrics does not call fmt
#include <zlib.h>      // ZLIB_VERSION only: zlib is not linked into metrics

namespace mixprec {
namespace {

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r");
  return s.substr(first, last - first + 1);
}

std::vector<std::string> split_words(std::string_view s) {
  std::vector<std::string> words;
  std::istringstream in{std::string(s)};
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

bool has_flag(const CpuInfo& cpu, const std::string& flag) {
  return std::find(cpu.flags.begin(), cpu.flags.end(), flag) != cpu.flags.end();
}

int allowed_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) != 0) return -1;
  return CPU_COUNT(&set);
}

std::string host_name() {
  char buf[HOST_NAME_MAX + 1] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

std::string compiler_version() {
#if defined(__clang__)
  return __VERSION__;  // already names the compiler: "Debian Clang 14.0.6"
#elif defined(__GNUC__)
  return std::string("GCC ") + __VERSION__;
#else
  return "unknown";
#endif
}

std::string onednn_runtime_name(unsigned runtime) {
  switch (runtime) {
    case DNNL_RUNTIME_SEQ: return "sequential";
    case DNNL_RUNTIME_OMP: return "omp";
    case DNNL_RUNTIME_TBB: return "tbb";
    case DNNL_RUNTIME_THREADPOOL: return "threadpool";
    default: return "unknown";
  }
}

std::string dotted(int major, int minor, int patch) {
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

nlohmann::json library_versions() {
  const dnnl::version_t* v = dnnl::version();
  return {
      {"onednn", dotted(v->major, v->minor, v->patch)},
      {"onednn_git_hash", v->hash != nullptr ? v->hash : "unknown"},
      {"onednn_cpu_runtime", onednn_runtime_name(v->cpu_runtime)},
      {"eigen", dotted(EIGEN_WORLD_VERSION, EIGEN_MAJOR_VERSION, EIGEN_MINOR_VERSION)},
      {"nlohmann_json", dotted(NLOHMANN_JSON_VERSION_MAJOR, NLOHMANN_JSON_VERSION_MINOR,
                               NLOHMANN_JSON_VERSION_PATCH)},
      {"fmt", dotted(FMT_VERSION / 10000, FMT_VERSION / 100 % 100, FMT_VERSION % 100)},
      {"zlib", ZLIB_VERSION},
  };
}

}  // namespace

CpuInfo parse_cpuinfo(std::string_view text) {
  CpuInfo cpu;
  bool have_model = false;
  bool have_flags = false;
  while (!text.empty() && !(have_model && have_flags)) {
    const auto eol = text.find('\n');
    const std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view key = trim(line.substr(0, colon));
    const std::string_view value = trim(line.substr(colon + 1));
    if (key == "model name" && !have_model) {
      cpu.model = std::string(value);
      have_model = true;
    } else if (key == "flags" && !have_flags) {
      cpu.flags = split_words(value);
      have_flags = true;
    }
  }
  return cpu;
}

CpuInfo read_cpuinfo() {
  std::ifstream in("/proc/cpuinfo");
  if (!in) return {};
  std::ostringstream text;
  text << in.rdbuf();
  return parse_cpuinfo(text.str());
}

const std::vector<std::string>& probed_isa_flags() {
  static const std::vector<std::string> flags = {
      "avx2", "fma", "f16c", "avx512f", "avx512_bf16", "avx512_fp16", "amx_bf16", "amx_fp16"};
  return flags;
}

std::string cpu_isa_name(dnnl::cpu_isa isa) {
  using dnnl::cpu_isa;
  switch (isa) {
    case cpu_isa::all: return "all";
    case cpu_isa::sse41: return "sse41";
    case cpu_isa::avx: return "avx";
    case cpu_isa::avx2: return "avx2";
    case cpu_isa::avx512_mic: return "avx512_mic";
    case cpu_isa::avx512_mic_4ops: return "avx512_mic_4ops";
    case cpu_isa::avx512_core: return "avx512_core";
    case cpu_isa::avx512_core_vnni: return "avx512_core_vnni";
    case cpu_isa::avx512_core_bf16: return "avx512_core_bf16";
    case cpu_isa::avx512_core_amx: return "avx512_core_amx";
    case cpu_isa::avx2_vnni: return "avx2_vnni";
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "unknown(0x%x)", static_cast<unsigned>(isa));
  return buf;
}

const char* build_flags() {
#ifdef MIXPREC_CXX_FLAGS
  return MIXPREC_CXX_FLAGS;
#else
  return "unknown";
#endif
}

const char* git_commit() {
#ifdef MIXPREC_GIT_COMMIT
  return MIXPREC_GIT_COMMIT;
#else
  return "unknown";
#endif
}

std::string utc_iso8601(std::chrono::system_clock::time_point t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm utc{};
  ::gmtime_r(&secs, &utc);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buf;
}

// The 1-minute load average at start: a busy machine (load above the core count) makes
// every timing of the run unreliable, and a reader should be able to see that.
nlohmann::json load_average() {
  std::ifstream in("/proc/loadavg");
  double one_minute = 0.0;
  if (!(in >> one_minute)) return nullptr;
  return one_minute;
}

nlohmann::json environment_json(int threads, const std::string& command_line) {
  const CpuInfo cpu = read_cpuinfo();
  nlohmann::json isa_flags = nlohmann::json::object();
  for (const auto& flag : probed_isa_flags()) isa_flags[flag] = has_flag(cpu, flag);

#ifdef __FAST_MATH__
  constexpr bool kFastMath = true;  // NUMERICS.md forbids it: make it visible
#else
  constexpr bool kFastMath = false;
#endif

  return {
      {"cpu",
       {{"model", cpu.model},
        {"logical_cores", ::sysconf(_SC_NPROCESSORS_ONLN)},
        {"allowed_cores", allowed_cores()},  // sched affinity: what a container lets us use
        {"isa_flags", isa_flags}}},
      {"threads", threads},
      {"compiler", {{"version", compiler_version()}, {"flags", build_flags()},
                    {"fast_math", kFastMath}}},
      {"libraries", library_versions()},
      {"onednn_isa", cpu_isa_name(dnnl::get_effective_cpu_isa())},
      {"git_commit", git_commit()},
      {"host", host_name()},
      {"start_time_utc", utc_iso8601(std::chrono::system_clock::now())},
      {"load_average_1min", load_average()},
      {"command_line", command_line},
  };
}

}  // namespace mixprec
