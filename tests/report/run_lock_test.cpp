// RunLock: one writer per folder. flock locks belong to an open file description, so a
// second RunLock in the same process conflicts like a second process would.
#include "report/run_lock.hpp"

#include <unistd.h>

#include <fstream>

#include <gtest/gtest.h>

#include "common/error.hpp"
#include "support/temp_dir.hpp"

namespace mixprec {
namespace {

TEST(RunLock, SecondWriterIsRefusedNamingTheHolder) {
  testing::TempDir tmp;
  EXPECT_FALSE(run_lock_holder(tmp.path()).has_value());
  {
    const RunLock first(tmp.path());
    ASSERT_EQ(run_lock_holder(tmp.path()), ::getpid());
    try {
      const RunLock second(tmp.path());
      FAIL() << "a second lock on the same folder must be refused";
    } catch (const UserError& e) {
      const std::string text = e.what();
      EXPECT_NE(text.find(tmp.path().string() + " is being written by process " +
                          std::to_string(::getpid())), std::string::npos) << text;
    }
  }
  // Released with the object (and by the kernel when a process dies).
  EXPECT_FALSE(run_lock_holder(tmp.path()).has_value());
  const RunLock again(tmp.path());
  EXPECT_TRUE(std::filesystem::is_empty(tmp.path())) << "the lock adds no file to the folder";
}

TEST(RunLock, MissingFolderIsAUserError) {
  testing::TempDir tmp;
  EXPECT_THROW(RunLock(tmp.path() / "missing"), UserError);
}

TEST(RunLock, StaleTemporaryFilesAreRemoved) {
  testing::TempDir tmp;
  std::ofstream(tmp.path() / "summary.json.tmp.123") << "{";
  std::ofstream(tmp.path() / "config.json") << "{}";
  remove_stale_temp_files(tmp.path());
  EXPECT_FALSE(std::filesystem::exists(tmp.path() / "summary.json.tmp.123"));
  EXPECT_TRUE(std::filesystem::exists(tmp.path() / "config.json"));
}

}  // namespace
}  // namespace mixprec
