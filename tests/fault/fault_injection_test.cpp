// The fault-injection suite (ctest -L fault): a tiny run is killed, hits a full disk, or
// meets a second writer at each of its writes in turn, and afterwards:
//   - every line of metrics.jsonl parses (after the recovery: a kill can leave half a line,
//     which the resume drops), and no epoch is logged twice;
//   - summary.json, where there is one, tells the truth ("completed" only with every epoch
//     logged and model.ckpt written);
//   - no temporary file (*.tmp.<pid>) is left once the folder was resumed;
//   - `train --resume` either ends with exactly the weights of an uninterrupted run, or
//     refuses with a one-line reason (exit 2).
// Faults are injected through MIXPREC_FAULT (report/write_fault.hpp) and, for the real
// full disk, through the file-size limit (ulimit -f) with SIGXFSZ ignored: no root needed.
// The writes of the tiny run with --save-model, in order (3 epochs):
//   1 config.json, 2 checkpoint.ckpt (epoch 0), 3 run_start, 4 epoch 1, 5 checkpoint 1,
//   6 epoch 2, 7 checkpoint 2, 8 epoch 3, 9 checkpoint 3, 10 model.ckpt, 11 summary.json,
//   12 run_end.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <functional>
#include <map>
#include <set>

#include "checkpoint/checkpoint.hpp"
#include "cli/cli_test_util.hpp"
#include "support/tiny_run.hpp"

namespace mixprec {
namespace {

using namespace mixprec::testing;

constexpr int kEpochs = 3;
constexpr int kWrites = 12;

class FaultInjection : public ::testing::Test {
 protected:
  void SetUp() override {
    write_tiny_csv(tmp_ / "tiny.csv");
    write_file(tmp_ / "tiny.json", tiny_config(tmp_ / "tiny.csv", kEpochs).dump());
  }

  std::vector<std::string> train_args(const fs::path& dir) const {
    return {"train", (tmp_ / "tiny.json").string(), "--save-model", "--out", dir.string()};
  }

  Invocation run(const std::vector<std::string>& args, const std::string& env = "") {
    const Background b = start_mixprec(args, tmp_.path(), env);
    Invocation r;
    r.exit_code = wait_exit(b.pid);
    r.out = read_text(b.out);
    r.err = read_text(b.err);
    return r;
  }

  // The weights of an uninterrupted run (model.ckpt), computed once.
  const std::vector<std::byte>& reference_weights() {
    if (reference_.empty()) {
      const fs::path dir = tmp_ / "reference";
      const Invocation r = run(train_args(dir));
      EXPECT_EQ(r.exit_code, 0) << r.err;
      reference_ = read_checkpoint(dir / "model.ckpt").weights.bytes;
    }
    return reference_;
  }

  TempDir tmp_;
  std::vector<std::byte> reference_;
};

// What must hold in a run folder whatever happened to it. `recovered`: a resume has run,
// so no half line and no temporary file may be left.
void check_folder(const fs::path& dir, bool recovered, const std::string& what) {
  SCOPED_TRACE(what);
  if (!fs::exists(dir)) return;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (recovered) {
      EXPECT_FALSE(contains(e.path().filename().string(), ".tmp.")) << e.path();
    }
  }
  std::map<int, int> epochs;
  int run_ends = 0;
  if (fs::exists(dir / "metrics.jsonl")) {
    const std::string text = read_text(dir / "metrics.jsonl");
    std::vector<std::string> lines = split_lines(text);
    // Before a recovery, a kill may have left the last line half written (no newline).
    if (!recovered && !text.empty() && text.back() != '\n') lines.pop_back();
    for (const std::string& line : lines) {
      const auto j = nlohmann::json::parse(line, nullptr, false);
      ASSERT_FALSE(j.is_discarded()) << "line does not parse: " << line;
      if (j["type"] == "epoch") ++epochs[j["epoch"].get<int>()];
      if (j["type"] == "run_end") ++run_ends;
    }
  }
  for (const auto& [epoch, n] : epochs) EXPECT_EQ(n, 1) << "epoch " << epoch << " logged " << n << " times";
  if (fs::exists(dir / "summary.json")) {
    const auto summary = read_json(dir / "summary.json");
    if (summary["status"] == "completed") {
      EXPECT_EQ(summary["epochs_completed"], kEpochs);
      EXPECT_EQ(epochs.size(), std::size_t(kEpochs)) << "completed, but not every epoch is logged";
      EXPECT_TRUE(fs::exists(dir / "model.ckpt")) << "completed, but no model.ckpt";
    }
  } else {
    EXPECT_EQ(run_ends, 0) << "run_end logged without summary.json";
  }
}

// Resumes `dir` and checks that it either ends with the reference weights or refuses
// with a clear one-line reason.
void recover_and_check(FaultInjection& t, const fs::path& dir, const std::string& what,
                       const std::vector<std::byte>& reference,
                       const std::function<Invocation(const std::vector<std::string>&)>& run) {
  SCOPED_TRACE(what);
  const Invocation r = run({"train", "--resume", dir.string()});
  if (r.exit_code == 0) {
    EXPECT_EQ(read_checkpoint(dir / "model.ckpt").weights.bytes, reference)
        << "the resumed run must end with the weights of the uninterrupted one";
  } else {
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_TRUE(contains(r.err, "mixprec: error: --resume " + dir.string())) << r.err;
    // Refused because there is nothing (left) to resume; a completed run has its weights.
    if (contains(r.err, "already completed"))
      EXPECT_EQ(read_checkpoint(dir / "model.ckpt").weights.bytes, reference);
    else
      EXPECT_TRUE(contains(r.err, "no config.json") || contains(r.err, "no checkpoint.ckpt")) << r.err;
  }
  check_folder(dir, true, what + ", after the resume");
  (void)t;
}

TEST_F(FaultInjection, KilledAtEveryWrite) {
  const auto& reference = reference_weights();
  for (int n = 1; n <= kWrites; ++n) {
    const fs::path dir = tmp_ / fmt::format("kill-{}", n);
    const Invocation r = run(train_args(dir), fmt::format("MIXPREC_FAULT=kill@{}", n));
    EXPECT_EQ(r.exit_code, 128 + SIGKILL) << "kill@" << n << ": " << r.err;
    check_folder(dir, false, fmt::format("killed at write {}", n));
    recover_and_check(*this, dir, fmt::format("killed at write {}", n), reference,
                      [&](const auto& args) { return run(args); });
  }
}

TEST_F(FaultInjection, DiskFullAtEveryWrite) {
  const auto& reference = reference_weights();
  for (int n = 1; n <= kWrites; ++n) {
    const fs::path dir = tmp_ / fmt::format("enospc-{}", n);
    const Invocation r = run(train_args(dir), fmt::format("MIXPREC_FAULT=enospc@{}", n));
    EXPECT_EQ(r.exit_code, 74) << "enospc@" << n << ": " << r.err;
    EXPECT_TRUE(contains(r.err, "mixprec: I/O error: cannot write ")) << r.err;
    EXPECT_TRUE(contains(r.err, dir.string())) << "the message names the file: " << r.err;
    EXPECT_TRUE(contains(r.err, "No space left on device")) << r.err;
    EXPECT_FALSE(contains(r.err, "internal error")) << r.err;
    check_folder(dir, true, fmt::format("disk full at write {}", n));
    recover_and_check(*this, dir, fmt::format("disk full at write {}", n), reference,
                      [&](const auto& args) { return run(args); });
  }
}

// A real file-size limit (as a full disk: the write stops part-way), at several sizes;
// the run fails with exit 74 naming the file, and a resume without the limit (the disk
// freed) ends with the uninterrupted run's weights or refuses clearly.
TEST_F(FaultInjection, FileSizeLimitThenResumeAfterTheDiskIsFreed) {
  const auto& reference = reference_weights();
  std::uintmax_t largest = 0;  // the largest file of the uninterrupted run
  for (const auto& e : fs::directory_iterator(tmp_ / "reference"))
    largest = std::max(largest, fs::file_size(e.path()));
  for (int kib : {1, 2, 4, 8}) {
    const fs::path dir = tmp_ / fmt::format("fsize-{}", kib);
    // bash's ulimit -f counts KiB; SIGXFSZ ignored, so the write fails with EFBIG instead.
    // stderr goes through a pipe to a `cat` outside the limit, which would cut it short.
    const fs::path err = tmp_ / fmt::format("fsize-{}.err", kib);
    std::string cmd = fmt::format("(ulimit -f {} && trap '' XFSZ && exec {}", kib, shell_quote(mixprec_binary()));
    for (const auto& a : train_args(dir)) {
      cmd += ' ';  // two appends: GCC 12's false -Wrestrict on " " + temporary (GCC bug 105329)
      cmd += shell_quote(a);
    }
    cmd += fmt::format(") 2>&1 >/dev/null | cat > {}; exit ${{PIPESTATUS[0]}}", shell_quote(err.string()));
    const int status = std::system(("bash -c " + shell_quote(cmd)).c_str());
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    const std::string text = read_text(err);
    const std::string what = fmt::format("file size limit {} KiB", kib);
    if (std::uintmax_t(kib) * 1024 >= largest) {
      EXPECT_EQ(code, 0) << what << ": " << text;
      continue;
    }
    EXPECT_EQ(code, 74) << what << ": " << text;
    EXPECT_TRUE(contains(text, "mixprec: I/O error: cannot write ")) << text;
    EXPECT_TRUE(contains(text, "File too large")) << text;
    EXPECT_TRUE(contains(text, dir.string())) << text;
    check_folder(dir, false, what);
    recover_and_check(*this, dir, what, reference, [&](const auto& args) { return run(args); });
  }
}

// Two writers: the first stops itself just before write n, holding the folder; a second
// `train --resume` and a second `train --out` of the same folder must refuse (exit 2,
// naming the first process); the first then ends as if alone.
TEST_F(FaultInjection, SecondWriterIsRefusedAtSeveralPoints) {
  const auto& reference = reference_weights();
  for (int n : {1, 3, 5, 11, 12}) {
    const fs::path dir = tmp_ / fmt::format("two-{}", n);
    const Background first = start_mixprec(train_args(dir), tmp_.path(), fmt::format("MIXPREC_FAULT=pause@{}", n));
    if (!wait_stopped(first.pid, 60)) {  // a binary without the hook ran the whole run
      ADD_FAILURE() << "pause@" << n << ": the first writer did not stop: " << read_text(first.err);
      continue;
    }
    const std::string holder = fmt::format("process {}", first.pid);
    const Invocation resume = run({"train", "--resume", dir.string()});
    EXPECT_EQ(resume.exit_code, 2) << resume.err;
    EXPECT_TRUE(contains(resume.err, holder)) << resume.err;
    const Invocation second = run(train_args(dir));
    EXPECT_EQ(second.exit_code, 2) << second.err;
    EXPECT_TRUE(contains(second.err, holder)) << second.err;
    ::kill(first.pid, SIGCONT);
    EXPECT_EQ(wait_exit(first.pid), 0) << read_text(first.err);
    check_folder(dir, true, fmt::format("second writer at write {}", n));
    int run_ends = 0;
    for (const auto& j : read_jsonl(dir / "metrics.jsonl")) run_ends += j["type"] == "run_end";
    EXPECT_EQ(run_ends, 1);
    EXPECT_EQ(read_checkpoint(dir / "model.ckpt").weights.bytes, reference);
  }
}

}  // namespace
}  // namespace mixprec
