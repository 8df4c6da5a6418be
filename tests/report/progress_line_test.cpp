#include "report/progress_line.hpp"

#include <cstdio>

#include <gtest/gtest.h>

namespace mixprec {
namespace {

TEST(ProgressLine, DurationTextIsShort) {
  EXPECT_EQ(ProgressLine::duration_text(0.4), "0s");
  EXPECT_EQ(ProgressLine::duration_text(42), "42s");
  EXPECT_EQ(ProgressLine::duration_text(65), "1m05s");
  EXPECT_EQ(ProgressLine::duration_text(7385), "2h03m");
  EXPECT_EQ(ProgressLine::duration_text(-1), "?");
}

TEST(ProgressLine, DrawsNothingWhereTheStreamIsNotATerminal) {
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  ProgressLine line(true, file);
  EXPECT_FALSE(line.active());
  line.update(1, 2, 3, 4, 100.0, 5.0);
  line.clear();
  EXPECT_EQ(std::ftell(file), 0);
  std::fclose(file);
}

}  // namespace
}  // namespace mixprec
