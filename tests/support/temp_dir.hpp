#pragma once
// A fresh, empty folder under the system temp folder, removed with everything in it when
// the object goes. The name carries the running test's name (when there is one), the
// process id and a counter, so tests run in parallel (ctest -j) never share a folder.
// Shared by the test modules (tests/support holds no tests of its own).
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

namespace mixprec::testing {

class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    std::string name = "mixprec-";
    if (const auto* info = ::testing::UnitTest::GetInstance()->current_test_info())
      name += std::string(info->test_suite_name()) + "-" + info->name() + "-";
    // gtest names of parameterised tests contain '/': keep the folder one level deep.
    for (char& c : name)
      if (c == '/') c = '_';
    path_ = std::filesystem::temp_directory_path() /
            (name + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace mixprec::testing
