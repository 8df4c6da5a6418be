// Shell quoting round trips (src/sweep/shell_words.hpp).
#include "sweep/shell_words.hpp"

#include <gtest/gtest.h>

#include "support/sh_words.hpp"

namespace mixprec {
namespace {

using testing::sh_words;

TEST(ShellQuote, SafeWordsStayBare) {
  EXPECT_EQ(shell_quote("/usr/bin/mixprec"), "/usr/bin/mixprec");
  EXPECT_EQ(shell_quote("optimizer.lr=0.05"), "optimizer.lr=0.05");
  EXPECT_EQ(shell_quote("model.hidden=[256,128]"), "'model.hidden=[256,128]'");  // [ is a glob
  EXPECT_EQ(shell_quote("a b"), "'a b'");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(shell_quote(""), "''");
  EXPECT_EQ(shell_quote("$HOME"), "'$HOME'");
}

// What sh makes of the joined line is the argv again: no word split, globbed, expanded or
// taken for an operator.
TEST(ShellJoin, ShGivesBackTheArgv) {
  const std::vector<std::string> argv = {"/a b/mixprec", "train", "it's", "x=[1,2]", "", "$HOME",
                                         "tab\there", "\"q\"", "a;b", "c|d", "*", "`id`", "~"};
  EXPECT_EQ(sh_words(shell_join(argv)), argv);
}

}  // namespace
}  // namespace mixprec
