#pragma once
// Helpers for the end-to-end tests: run the built binary (MIXPREC_BINARY) through the
// shell with stdout and stderr captured in files, in a private working folder.
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/temp_dir.hpp"

namespace mixprec::testing {

namespace fs = std::filesystem;

inline const fs::path kSourceDir = MIXPREC_SOURCE_DIR;
inline const fs::path kDefaultConfig = kSourceDir / "configs" / "default.json";
inline const fs::path kMnist10k = kSourceDir / "data" / "mnist-10k";

// The binary under test: MIXPREC_BINARY, or $MIXPREC_TEST_BINARY when set (to run these
// tests against another build, e.g. main's, and see which of them fail there).
inline std::string mixprec_binary() {
  const char* other = std::getenv("MIXPREC_TEST_BINARY");
  return other != nullptr && *other != '\0' ? other : MIXPREC_BINARY;
}

// 'text' for the shell (single quotes; an embedded ' becomes '\'').
inline std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

inline std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

struct Invocation {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs `mixprec <args...>` with `cwd` as working folder; captures go to files next to cwd
// (in `scratch`), so that cwd holds only what the binary itself writes.
inline Invocation run_mixprec(const std::vector<std::string>& args, const fs::path& cwd,
                              const fs::path& scratch) {
  static std::atomic<int> counter{0};
  const int n = counter++;
  const fs::path out = scratch / ("stdout-" + std::to_string(n) + ".txt");
  const fs::path err = scratch / ("stderr-" + std::to_string(n) + ".txt");
  // Appended piece by piece: literal + temporary std::string trips GCC 12's false
  // -Wrestrict (GCC bug 105329).
  std::string cmd = "cd ";
  cmd += shell_quote(cwd.string());
  cmd += " && ";
  cmd += shell_quote(mixprec_binary());
  for (const auto& a : args) {
    cmd += ' ';
    cmd += shell_quote(a);
  }
  cmd += " > ";
  cmd += shell_quote(out.string());
  cmd += " 2> ";
  cmd += shell_quote(err.string());
  const int status = std::system(cmd.c_str());
  Invocation r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_text(out);
  r.err = read_text(err);
  return r;
}

inline nlohmann::json read_json(const fs::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);  // throws (and fails the test) if it does not parse
}

// Every line of a JSON-lines file, parsed; a line that does not parse fails the test.
inline std::vector<nlohmann::json> read_jsonl(const fs::path& p) {
  std::vector<nlohmann::json> records;
  for (const auto& line : split_lines(read_text(p))) {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << p << ": line does not parse: " << line;
    records.push_back(std::move(j));
  }
  return records;
}

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The arguments of `mixprec train` on the default config with the repo's mnist-10k.
inline std::vector<std::string> default_train_args(const fs::path& out_dir,
                                                   const std::vector<std::string>& sets = {}) {
  std::vector<std::string> args = {"train", kDefaultConfig.string(), "--set",
                                   "data.dir=" + kMnist10k.string(), "--out", out_dir.string()};
  for (const auto& s : sets) {
    args.push_back("--set");
    args.push_back(s);
  }
  return args;
}

}  // namespace mixprec::testing
