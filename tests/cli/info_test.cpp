// `mixprec info --json`: machine-readable, and it names the matmul path of every precision.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "cli_test_util.hpp"

namespace mixprec {
namespace {

using namespace mixprec::testing;

TEST(InfoCommand, JsonListsEveryPrecisionWithItsPath) {
  TempDir tmp;
  const Invocation r = run_mixprec({"info", "--json"}, tmp.path(), tmp.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json info = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(info.is_discarded()) << "stdout is not JSON:\n" << r.out;
  ASSERT_TRUE(info.contains("kernels")) << r.out;
  const auto& kernels = info.at("kernels");

  std::set<std::string> names;
  for (const auto& [name, k] : kernels.items()) names.insert(name);
  EXPECT_EQ(names, (std::set<std::string>{"fp32", "fp16-mixed", "bf16-mixed", "fp16-true",
                                          "bf16-true"}));
  // The format each mode's matmuls run in (NUMERICS.md "Modes").
  const std::map<std::string, std::string> format = {{"fp32", "fp32"},      {"fp16-mixed", "fp16"},
                                                     {"bf16-mixed", "bf16"}, {"fp16-true", "fp16"},
                                                     {"bf16-true", "bf16"}};
  for (const auto& [name, k] : kernels.items()) {
    const std::string path = k.at("path");
    EXPECT_TRUE(path == "native" || path == "emulated") << name << ": " << path;
    EXPECT_EQ(k.at("matmul_format"), format.at(name)) << name;
    EXPECT_FALSE(k.at("implementation").get<std::string>().empty()) << name;
    EXPECT_TRUE(k.at("packed_weights").is_boolean()) << name;
  }
  // An emulated path multiplies fp32 weights, like fp32 itself: they pack alike.
  for (const char* name : {"fp16-mixed", "bf16-mixed"}) {
    if (kernels.at(name).at("path") == "emulated") {
      EXPECT_EQ(kernels.at(name).at("packed_weights"), kernels.at("fp32").at("packed_weights"));
    }
  }
  // oneDNN has fp32 kernels on every CPU it supports.
  EXPECT_EQ(kernels.at("fp32").at("path"), "native");
  // Both modes of one format multiply the same way.
  EXPECT_EQ(kernels.at("fp16-mixed"), kernels.at("fp16-true"));
  EXPECT_EQ(kernels.at("bf16-mixed"), kernels.at("bf16-true"));
  EXPECT_TRUE(info.at("environment").is_object());
}

}  // namespace
}  // namespace mixprec
