// Shell quoting round trips (src/sweep/shell_words.hpp).
#include "sweep/shell_words.hpp"

#include <gtest/gtest.h>

#include "common/error.hpp"

namespace mixprec {
namespace {

TEST(ShellQuote, SafeWordsStayBare) {
  EXPECT_EQ(shell_quote("/usr/bin/mixprec"), "/usr/bin/mixprec");
  EXPECT_EQ(shell_quote("optimizer.lr=0.05"), "optimizer.lr=0.05");
  EXPECT_EQ(shell_quote("model.hidden=[256,128]"), "'model.hidden=[256,128]'");  // [ is a glob
  EXPECT_EQ(shell_quote("a b"), "'a b'");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(shell_quote(""), "''");
  EXPECT_EQ(shell_quote("$HOME"), "'$HOME'");
}

TEST(ShellSplit, InvertsShellJoin) {
  const std::vector<std::string> argv = {"/a b/mixprec", "train", "it's", "x=[1,2]", "", "$HOME",
                                         "tab\there", "\"q\""};
  EXPECT_EQ(shell_split(shell_join(argv)), argv);
}

TEST(ShellSplit, DoubleQuotesAndBackslashes) {
  EXPECT_EQ(shell_split(R"(a "b c" d\ e "x\"y")"),
            (std::vector<std::string>{"a", "b c", "d e", "x\"y"}));
  EXPECT_THROW(shell_split("'open"), UserError);
  EXPECT_THROW(shell_split("\"open"), UserError);
}

}  // namespace
}  // namespace mixprec
