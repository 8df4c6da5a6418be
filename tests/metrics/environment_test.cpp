#include "metrics/environment.hpp"

#include <chrono>
#include <string>

#include <gtest/gtest.h>

namespace mixprec {
namespace {

using namespace std::chrono;

// Two processors, shortened from a real Linux /proc/cpuinfo: only the first counts.
constexpr std::string_view kCpuinfo =
    "processor\t: 0\n"
    "vendor_id\t: GenuineIntel\n"
    "model name\t: Intel(R) Xeon(R) Platinum 8480+\n"
    "flags\t\t: fpu sse2 avx2 fma f16c avx512f avx512_bf16 amx_bf16 avx512_fp16\n"
    "\n"
    "processor\t: 1\n"
    "model name\t: Other\n"
    "flags\t\t: fpu\n";

TEST(Cpuinfo, ParsesModelAndFlagsOfTheFirstProcessor) {
  const CpuInfo cpu = parse_cpuinfo(kCpuinfo);
  EXPECT_EQ(cpu.model, "Intel(R) Xeon(R) Platinum 8480+");
  const std::vector<std::string> expected = {"fpu", "sse2", "avx2", "fma", "f16c",
                                             "avx512f", "avx512_bf16", "amx_bf16",
                                             "avx512_fp16"};
  EXPECT_EQ(cpu.flags, expected);
}

TEST(Cpuinfo, MissingLinesLeaveTheDefaults) {
  // ARM's cpuinfo has "Features", no "model name" and no "flags".
  const CpuInfo cpu = parse_cpuinfo("processor\t: 0\nFeatures\t: fp asimd\n");
  EXPECT_EQ(cpu.model, "unknown");
  EXPECT_TRUE(cpu.flags.empty());
}

TEST(CpuIsaName, MapsEveryKnownIsa) {
  EXPECT_EQ(cpu_isa_name(dnnl::cpu_isa::sse41), "sse41");
  EXPECT_EQ(cpu_isa_name(dnnl::cpu_isa::avx2), "avx2");
  EXPECT_EQ(cpu_isa_name(dnnl::cpu_isa::avx512_core), "avx512_core");
  EXPECT_EQ(cpu_isa_name(dnnl::cpu_isa::avx512_core_vnni), "avx512_core_vnni");
  EXPECT_EQ(cpu_isa_name(dnnl::cpu_isa::avx512_core_bf16), "avx512_core_bf16");
  EXPECT_EQ(cpu_isa_name(dnnl::cpu_isa::avx512_core_amx), "avx512_core_amx");
  EXPECT_EQ(cpu_isa_name(dnnl::cpu_isa::avx2_vnni), "avx2_vnni");
  EXPECT_EQ(cpu_isa_name(static_cast<dnnl::cpu_isa>(0x12345)), "unknown(0x12345)");
}

TEST(Environment, Iso8601IsUtc) {
  const system_clock::time_point t =
      sys_days{year{2024} / March / 5} + hours{7} + minutes{8} + seconds{9};
  EXPECT_EQ(utc_iso8601(t), "2024-03-05T07:08:09Z");
}

TEST(Environment, JsonHasEveryKey) {
  const auto before = system_clock::now();
  const nlohmann::json env = environment_json(3, "mixprec train --config a b.json");
  const auto after = system_clock::now();

  ASSERT_TRUE(env.at("cpu").at("model").is_string());
  EXPECT_FALSE(env.at("cpu").at("model").get<std::string>().empty());
  const auto logical = env.at("cpu").at("logical_cores").get<int>();
  const auto allowed = env.at("cpu").at("allowed_cores").get<int>();
  EXPECT_GE(logical, 1);
  EXPECT_GE(allowed, 1);
  EXPECT_LE(allowed, logical);

  const auto& flags = env.at("cpu").at("isa_flags");
  EXPECT_EQ(flags.size(), probed_isa_flags().size());
  for (const auto& name : probed_isa_flags()) EXPECT_TRUE(flags.at(name).is_boolean()) << name;

  EXPECT_EQ(env.at("threads").get<int>(), 3);
  EXPECT_FALSE(env.at("compiler").at("version").get<std::string>().empty());
  EXPECT_TRUE(env.at("compiler").at("flags").is_string());
  EXPECT_EQ(env.at("compiler").at("fast_math").get<bool>(), false);  // NUMERICS.md

  const auto& libs = env.at("libraries");
  const std::string onednn = libs.at("onednn").get<std::string>();
  EXPECT_FALSE(onednn.empty());
  // The loaded library against the header we compiled with: same major.minor.
  EXPECT_EQ(onednn.rfind(std::to_string(DNNL_VERSION_MAJOR) + "." +
                         std::to_string(DNNL_VERSION_MINOR) + ".", 0), 0u) << onednn;
  EXPECT_TRUE(libs.at("onednn_git_hash").is_string());
  EXPECT_EQ(libs.at("onednn_cpu_runtime").get<std::string>(), "omp");  // Debian's build
  EXPECT_EQ(libs.at("eigen").get<std::string>().rfind("3.4.", 0), 0u);
  EXPECT_EQ(libs.at("nlohmann_json").get<std::string>().rfind("3.11.", 0), 0u);
  EXPECT_FALSE(libs.at("fmt").get<std::string>().empty());
  EXPECT_FALSE(libs.at("zlib").get<std::string>().empty());

  const std::string isa = env.at("onednn_isa").get<std::string>();
  EXPECT_EQ(isa.find("unknown"), std::string::npos) << isa;
  EXPECT_TRUE(env.at("git_commit").is_string());
  EXPECT_FALSE(env.at("host").get<std::string>().empty());
  const std::string start = env.at("start_time_utc").get<std::string>();
  EXPECT_TRUE(start == utc_iso8601(before) || start == utc_iso8601(after)) << start;
  EXPECT_EQ(env.at("command_line").get<std::string>(), "mixprec train --config a b.json");
  // /proc/loadavg's first field: a non-negative number on Linux.
  EXPECT_GE(env.at("load_average_1min").get<double>(), 0.0);
  EXPECT_EQ(env.size(), 10u) << env.dump(2);  // no key added without updating this test
}

#if defined(__x86_64__) && defined(__GNUC__)
// /proc/cpuinfo against CPUID as the compiler's runtime check reads it.
TEST(Environment, IsaFlagsAgreeWithCpuid) {
  const auto env = environment_json(1, "");
  const auto& flags = env.at("cpu").at("isa_flags");
  EXPECT_EQ(flags.at("avx2").get<bool>(), __builtin_cpu_supports("avx2") != 0);
  EXPECT_EQ(flags.at("fma").get<bool>(), __builtin_cpu_supports("fma") != 0);
  EXPECT_EQ(flags.at("avx512f").get<bool>(), __builtin_cpu_supports("avx512f") != 0);
}

// oneDNN's effective ISA and the kernel's flags describe the same CPU.
TEST(Environment, OnednnIsaIsConsistentWithFlags) {
  const auto env = environment_json(1, "");
  const auto& flags = env.at("cpu").at("isa_flags");
  const std::string isa = env.at("onednn_isa").get<std::string>();
  if (flags.at("amx_bf16").get<bool>()) {
    EXPECT_EQ(isa, "avx512_core_amx");
  } else if (flags.at("avx512_bf16").get<bool>()) {
    EXPECT_EQ(isa, "avx512_core_bf16");
  } else if (!flags.at("avx512f").get<bool>() && flags.at("avx2").get<bool>()) {
    EXPECT_TRUE(isa == "avx2" || isa == "avx2_vnni") << isa;
  }
}
#endif

}  // namespace
}  // namespace mixprec
