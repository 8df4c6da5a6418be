// Robustness through the real binary (MIXPREC_BINARY): bad input is exit 2 with one line
// naming the file and position and nothing written; SIGINT leaves complete, parseable logs;
// an interrupted run resumed from its checkpoint ends bit-identical to an uninterrupted one;
// `eval` on a saved model reproduces the run's final test accuracy exactly.
// Small models (hidden [64], at most 2000 training rows) keep the whole file near 30 s.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "checkpoint/checkpoint.hpp"
#include "cli_test_util.hpp"

namespace mixprec {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

const fs::path kSource = MIXPREC_SOURCE_DIR;
const fs::path kMnist = kSource / "data" / "mnist-10k";
const fs::path kDefault = kSource / "configs" / "default.json";

using testing::read_json;
using testing::read_jsonl;
using testing::read_text;
using testing::TempDir;
const auto& quote = testing::shell_quote;

void write_text(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

struct Result {
  int code = -1;
  std::string out, err;
  // The "mixprec: error: ..." line of stderr (info lines may precede it).
  std::string error_line() const {
    std::istringstream lines(err);
    std::string found;
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("mixprec: error: ", 0) == 0) {
        EXPECT_TRUE(found.empty()) << "two error lines:\n" << err;
        found = line;
      }
    }
    return found;
  }
};

// Runs `mixprec ARGS` (already quoted) with stdout and stderr captured.
Result mixprec(const std::string& args, const TempDir& tmp) {
  static std::atomic<int> n{0};
  const int id = n++;
  const fs::path out = tmp / ("out" + std::to_string(id)), err = tmp / ("err" + std::to_string(id));
  const std::string cmd = quote(MIXPREC_BINARY) + " " + args + " > " + quote(out.string()) +
                          " 2> " + quote(err.string());
  const int status = std::system(cmd.c_str());
  Result r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_text(out);
  r.err = read_text(err);
  return r;
}

// ---------------------------------------------------------------------------------------
// validate

TEST(Validate, PrintsAnOkSummaryForAGoodConfig) {
  TempDir tmp;
  const Result r = mixprec("validate " + quote(kDefault.string()) + " --set data.dir=" +
                               quote(kMnist.string()), tmp);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("OK: ", 0), 0u) << r.out;
  // 784*512 + 512 + 512*10 + 10 = 407050 parameters; mnist-10k splits 8000 / 2000.
  for (const char* part : {"784-512-10 relu MLP with 407050 parameters", "fp32", "8 epochs of 250 steps",
                           "8000 train", "2000 test rows", "10 classes"})
    EXPECT_NE(r.out.find(part), std::string::npos) << part << " in " << r.out;
}

TEST(Validate, AMissingDataFolderIsExit2NamingIt) {
  TempDir tmp;
  const fs::path missing = tmp / "no-such-data";
  const Result r = mixprec("validate " + quote(kDefault.string()) + " --set data.dir=" +
                               quote(missing.string()), tmp);
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.error_line().find(missing.string()), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

// ---------------------------------------------------------------------------------------
// Bad data through the binary: exit 2, one line naming the file and the position, and no
// run directory.

std::string be32(std::uint32_t v) {
  return {char(v >> 24), char((v >> 16) & 0xff), char((v >> 8) & 0xff), char(v & 0xff)};
}
std::string idx_images(std::uint32_t count) {  // count 2x2 images
  std::string s = be32(0x803) + be32(count) + be32(2) + be32(2);
  for (std::uint32_t i = 0; i < 4 * count; ++i) s.push_back(char(i * 13 % 256));
  return s;
}
std::string idx_labels(std::uint32_t count) {  // 0, 1, 0, 1, ...
  std::string s = be32(0x801) + be32(count);
  for (std::uint32_t i = 0; i < count; ++i) s.push_back(char(i % 2));
  return s;
}

// A valid tiny IDX data set (4 training and 2 test images of 2x2 pixels) in `dir`.
void write_tiny_idx(const fs::path& dir) {
  fs::create_directories(dir);
  write_text(dir / "train-images-idx3-ubyte", idx_images(4));
  write_text(dir / "train-labels-idx1-ubyte", idx_labels(4));
  write_text(dir / "t10k-images-idx3-ubyte", idx_images(2));
  write_text(dir / "t10k-labels-idx1-ubyte", idx_labels(2));
}

struct BadData {
  std::string name;
  std::string data_json;                                  // the config's "data" object
  std::vector<std::pair<std::string, std::string>> files; // written into the case folder
  std::string file, position;                             // expected in the message
};

TEST(BadData, IsExit2WithFileAndPositionAndNoRunDirectory) {
  TempDir tmp;
  const std::string good_csv = "0.5,1.5,0\n2.5,3.5,1\n4.5,5.5,0\n6.5,7.5,1\n";
  const std::vector<BadData> cases = {
      {"idx-magic", R"({"format": "idx", "dir": "DIR"})",
       {{"train-images-idx3-ubyte", be32(0x801) + idx_images(4).substr(4)}},
       "train-images-idx3-ubyte", "byte offset 0"},
      {"idx-truncated", R"({"format": "idx", "dir": "DIR"})",
       {{"train-labels-idx1-ubyte", idx_labels(4).substr(0, 10)}},
       "train-labels-idx1-ubyte", "byte offset 10"},
      {"gzip-corrupt", R"({"format": "idx", "dir": "DIR"})",
       {{"t10k-images-idx3-ubyte", ""},  // removed below: the .gz must be the one found
        {"t10k-images-idx3-ubyte.gz", std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10) +
                                          "\xff\xff this is not deflate data"}},
       "t10k-images-idx3-ubyte.gz", "compressed byte offset"},
      {"csv-ragged", R"({"format": "csv", "train": "DIR/train.csv", "test": "DIR/test.csv"})",
       {{"train.csv", "0.5,1.5,0\n2.5,3.5,1\n4.5,0\n6.5,7.5,1\n"}, {"test.csv", good_csv}},
       "train.csv", "line 3, column 3"},  // where the third value is missing
      // A text cell makes a training column categorical; in a test column that training
      // read as numbers, it is an error.
      {"csv-not-a-number", R"({"format": "csv", "train": "DIR/train.csv", "test": "DIR/test.csv"})",
       {{"train.csv", good_csv}, {"test.csv", "0.5,1.5,0\nabc,3.5,1\n"}},
       "test.csv", "line 2, column 1"},
      {"csv-nan", R"({"format": "csv", "train": "DIR/train.csv", "test": "DIR/test.csv"})",
       {{"train.csv", good_csv}, {"test.csv", "0.5,1.5,0\n2.5,nan,1\n"}},
       "test.csv", "line 2, column 2"},
      {"csv-label-out-of-range", R"({"format": "csv", "train": "DIR/train.csv", "test": "DIR/test.csv"})",
       {{"train.csv", good_csv}, {"test.csv", "0.5,1.5,0\n2.5,3.5,7\n"}},
       "test.csv", "line 2, column 3"},
  };
  for (const BadData& c : cases) {
    SCOPED_TRACE(c.name);
    const fs::path dir = tmp / c.name;
    if (c.data_json.find("idx") != std::string::npos) write_tiny_idx(dir);
    fs::create_directories(dir);
    for (const auto& [name, bytes] : c.files) write_text(dir / name, bytes);
    if (c.name == "gzip-corrupt") fs::remove(dir / "t10k-images-idx3-ubyte");
    std::string data = c.data_json;
    for (std::size_t at; (at = data.find("DIR")) != std::string::npos;) data.replace(at, 3, dir.string());
    const fs::path config = dir / "config.json";
    write_text(config, R"({"name": "bad", "model": {"hidden": [4]}, "train": {"epochs": 1, "batch_size": 2}, "data": )" +
                           data + "}");
    const fs::path run = dir / "run";
    const Result r = mixprec("train " + quote(config.string()) + " --out " + quote(run.string()), tmp);
    EXPECT_EQ(r.code, 2) << r.err;
    const std::string line = r.error_line();
    EXPECT_NE(line.find((dir / c.file).string()), std::string::npos) << line;
    EXPECT_NE(line.find(c.position), std::string::npos) << line;
    EXPECT_FALSE(fs::exists(run)) << "a run directory was created for bad data";
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
}

// ---------------------------------------------------------------------------------------
// SIGINT during a run

TEST(Interrupt, SigintLeavesParseableLogsStatusInterruptedAndExit130) {
  TempDir tmp;
  const fs::path run = tmp / "run";
  std::vector<std::string> args = {MIXPREC_BINARY, "train", kDefault.string(), "--set",
                                   "data.dir=" + kMnist.string(), "--set", "model.hidden=[64]",
                                   "--set", "train.epochs=50", "--save-model", "--out", run.string()};
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const int out = ::open((tmp / "stdout").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = ::open((tmp / "stderr").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(out, 1);
    ::dup2(err, 2);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  // Wait for the first epoch record, then interrupt.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (read_text(run / "metrics.jsonl").find("\"type\":\"epoch\"") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(::kill(pid, SIGINT), 0);
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline + std::chrono::seconds(30)) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      FAIL() << "the run did not stop within 30 s of SIGINT";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(WIFEXITED(status)) << read_text(tmp / "stderr");
  EXPECT_EQ(WEXITSTATUS(status), 130) << read_text(tmp / "stderr");

  const json summary = read_json(run / "summary.json");
  EXPECT_EQ(summary["status"], "interrupted");
  const std::vector<json> records = read_jsonl(run / "metrics.jsonl");
  ASSERT_GE(records.size(), 3u);
  EXPECT_EQ(records.front()["type"], "run_start");
  EXPECT_EQ(records.back()["type"], "run_end");
  EXPECT_EQ(records.back()["status"], "interrupted");
  const int epochs = int(records.size()) - 2;
  EXPECT_EQ(summary["epochs_completed"], epochs);
  EXPECT_FALSE(fs::exists(run / "model.ckpt")) << "model.ckpt is written for completed runs only";

  // checkpoint.ckpt holds the last epoch boundary, not the state where the signal landed:
  // its epoch count matches the log, and eval reproduces that epoch's test accuracy.
  const Checkpoint ckpt = read_checkpoint(run / "checkpoint.ckpt");
  EXPECT_EQ(ckpt.epochs_completed, epochs);
  const Result e = mixprec("eval " + quote((run / "checkpoint.ckpt").string()) + " --data " +
                               quote(kMnist.string()), tmp);
  ASSERT_EQ(e.code, 0) << e.err;
  const json eval = json::parse(e.out);
  EXPECT_EQ(eval["test"]["accuracy"].get<double>(), records[records.size() - 2]["test"]["accuracy"].get<double>());
}

// ---------------------------------------------------------------------------------------
// Resume: stop after epoch 1 of 3, resume, compare with an uninterrupted run.

struct ResumeCase {
  const char* name;
  std::vector<const char*> sets;
};

void PrintTo(const ResumeCase& c, std::ostream* os) { *os << c.name; }

class Resume : public ::testing::TestWithParam<ResumeCase> {};

std::string train_args(const ResumeCase& c, const fs::path& out) {
  std::string args = "train " + quote(kDefault.string()) + " --set data.dir=" + quote(kMnist.string()) +
                     " --set model.hidden=[64] --set train.epochs=3 --set data.max_train_samples=2000";
  for (const char* s : c.sets) args += std::string(" --set ") + quote(s);
  return args + " --save-model --out " + quote(out.string());
}

TEST_P(Resume, EndsBitIdenticalToAnUninterruptedRun) {
  TempDir tmp;
  const ResumeCase& c = GetParam();
  const fs::path full = tmp / "full", part = tmp / "part";
  const Result a = mixprec(train_args(c, full), tmp);
  ASSERT_EQ(a.code, 0) << a.err;
  const Result b = mixprec(train_args(c, part) + " --stop-after-epochs 1", tmp);
  ASSERT_EQ(b.code, 130) << b.err;
  EXPECT_EQ(read_json(part / "summary.json")["status"], "interrupted");
  EXPECT_FALSE(fs::exists(part / "model.ckpt"));
  const Result r = mixprec("train --resume " + quote(part.string()), tmp);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, part.string() + "\n");

  // The complete training state is equal, byte for byte.
  const Checkpoint x = read_checkpoint(full / "model.ckpt"), y = read_checkpoint(part / "model.ckpt");
  EXPECT_EQ(x.shape, y.shape);
  EXPECT_TRUE(x.weights.bytes == y.weights.bytes) << "final weights differ";
  ASSERT_EQ(x.optimizer_state.size(), y.optimizer_state.size());
  for (std::size_t i = 0; i < x.optimizer_state.size(); ++i)
    EXPECT_TRUE(x.optimizer_state[i].values.bytes == y.optimizer_state[i].values.bytes) << x.optimizer_state[i].name;
  EXPECT_EQ(x.optimizer_steps, y.optimizer_steps);
  EXPECT_EQ(x.loss_scale, y.loss_scale);
  EXPECT_EQ(x.loss_scale_streak, y.loss_scale_streak);
  EXPECT_EQ(x.skipped_steps, y.skipped_steps);
  EXPECT_EQ(x.global_step, y.global_step);
  EXPECT_EQ(x.global_step, 3 * 63);  // 2000 rows in batches of 32: 62 full + 1 partial
  EXPECT_EQ(x.epochs_completed, 3);
  EXPECT_EQ(x.shuffle_rng, y.shuffle_rng);
  EXPECT_EQ(x.shuffle_order, y.shuffle_order);

  const json sx = read_json(full / "summary.json"), sy = read_json(part / "summary.json");
  EXPECT_EQ(sy["status"], "completed");
  EXPECT_EQ(sy["epochs_completed"], 3);
  EXPECT_EQ(sx["final"], sy["final"]);  // train and test loss and accuracy, exactly
  EXPECT_EQ(sx["skipped_steps"], sy["skipped_steps"]);
  EXPECT_EQ(sx["steps"], sy["steps"]);

  // The resumed log: the interrupted part, then a run_start marked as resumed, epochs 2
  // and 3 equal to the uninterrupted run's, and run_end.
  const std::vector<json> lx = read_jsonl(full / "metrics.jsonl"), ly = read_jsonl(part / "metrics.jsonl");
  std::vector<std::string> types;
  for (const json& j : ly) types.push_back(j["type"].get<std::string>() + (j.contains("epoch") ? std::to_string(j["epoch"].get<int>()) : ""));
  EXPECT_EQ(types, (std::vector<std::string>{"run_start", "epoch1", "run_end", "run_start", "epoch2", "epoch3", "run_end"}));
  ASSERT_EQ(ly.size(), 7u);
  ASSERT_EQ(lx.size(), 5u);
  EXPECT_EQ(ly[3]["resumed_from_epoch"], 1);
  EXPECT_EQ(ly.back()["status"], "completed");
  for (auto [ix, iy] : {std::pair{1, 1}, {2, 4}, {3, 5}}) {
    for (const char* k : {"train", "test", "train_loss_running", "lr", "steps"})
      EXPECT_EQ(lx[ix][k], ly[iy][k]) << "epoch " << ix << " " << k;
    EXPECT_EQ(lx[ix]["precision_stats"]["skipped_steps"], ly[iy]["precision_stats"]["skipped_steps"]);
    EXPECT_EQ(lx[ix]["precision_stats"]["loss_scale"], ly[iy]["precision_stats"]["loss_scale"]);
  }

  // eval on the saved model reproduces the run's final test loss and accuracy exactly.
  const Result e = mixprec("eval " + quote((full / "model.ckpt").string()) + " --data " + quote(kMnist.string()), tmp);
  ASSERT_EQ(e.code, 0) << e.err;
  const json ev = json::parse(e.out);
  EXPECT_EQ(ev["rows"], 2000);
  EXPECT_EQ(ev["test"]["accuracy"].get<double>(), sx["final"]["test"]["accuracy"].get<double>());
  EXPECT_EQ(ev["test"]["loss"].get<double>(), sx["final"]["test"]["loss"].get<double>());
  // ...and compares the same weights stored in fp32, bf16, fp16 and E4M3, as summary.json does.
  ASSERT_EQ(ev["inference_comparison"].size(), 4u);
  ASSERT_EQ(sx["inference"].size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    const auto& mine = ev["inference_comparison"][i];
    const auto& logged = sx["inference"][i];
    EXPECT_EQ(mine["format"], logged["format"]);
    EXPECT_EQ(mine["accuracy"], logged["accuracy"]) << mine["format"];
    EXPECT_EQ(mine["agreement_with_fp32"], logged["agreement_with_fp32"]) << mine["format"];
    EXPECT_EQ(mine["weight_bytes"], logged["weight_bytes"]) << mine["format"];
  }
}

INSTANTIATE_TEST_SUITE_P(
    Modes, Resume,
    ::testing::Values(
        ResumeCase{"fp32_sgd_momentum", {}},
        // Adam moments, and a dynamic scale that grows every 5 steps, overflows and backs off:
        // the scale, its streak and the skipped count must all carry over.
        ResumeCase{"fp16_mixed_adam_dynamic_scale",
                   {"precision=fp16-mixed", "optimizer.name=adam", "optimizer.lr=0.001",
                    "loss_scale.growth_interval=5"}},
        // 16-bit weights and momentum, no fp32 master; a cosine schedule needs the global step.
        ResumeCase{"bf16_true_cosine", {"precision=bf16-true", "schedule.name=cosine"}},
        // The remedies (NUMERICS.md "Beyond nearest rounding"): stochastic rounding keyed by
        // the step numbers the checkpoint restores, and Kahan's buffer saved by name.
        ResumeCase{"bf16_true_stochastic_kahan",
                   {"precision=bf16-true", "rounding.weights=stochastic", "rounding.gradients=stochastic",
                    "optimizer.compensation=kahan"}},
        ResumeCase{"fp16_true_stochastic_adam",
                   {"precision=fp16-true", "rounding.weights=stochastic", "optimizer.name=adam",
                    "optimizer.lr=0.001", "optimizer.eps=0.001"}},
        ResumeCase{"bf16_mixed_stochastic_gradients", {"precision=bf16-mixed", "rounding.gradients=stochastic"}}),
    [](const auto& info) { return std::string(info.param.name); });

// ---------------------------------------------------------------------------------------
// What --resume and eval refuse, each with exit 2 and a line naming the file or folder.

TEST(ResumeAndEval, RejectWhatCannotBeContinuedOrDoesNotFit) {
  TempDir tmp;
  const std::string base = "train " + quote(kDefault.string()) + " --set data.dir=" + quote(kMnist.string()) +
                           " --set model.hidden=[16] --set train.epochs=2 --set data.max_train_samples=300";
  const fs::path plain = tmp / "plain", saved = tmp / "saved";
  ASSERT_EQ(mixprec(base + " --stop-after-epochs 1 --out " + quote(plain.string()), tmp).code, 130);
  ASSERT_EQ(mixprec(base + " --save-model --stop-after-epochs 1 --out " + quote(saved.string()), tmp).code, 130);

  auto expect_rejected = [&](const std::string& args, const std::string& part) {
    const Result r = mixprec(args, tmp);
    EXPECT_EQ(r.code, 2) << args << "\n" << r.err;
    EXPECT_NE(r.error_line().find(part), std::string::npos) << args << "\n" << r.err;
  };
  expect_rejected("train --resume " + quote(plain.string()), plain.string() + ": no checkpoint.ckpt there");
  expect_rejected("train --resume " + quote((tmp / "absent").string()), (tmp / "absent").string() + ": not a folder");
  expect_rejected("train " + quote(kDefault.string()) + " --resume " + quote(saved.string()), "expected no CONFIG");
  expect_rejected("train", "CONFIG is required");

  // An edited config.json: the resumed run would not be the one that was interrupted.
  const std::string config = read_text(saved / "config.json");
  json edited = json::parse(config);
  edited["optimizer"]["lr"] = 0.5;
  write_text(saved / "config.json", edited.dump(2));
  expect_rejected("train --resume " + quote(saved.string()), "(optimizer.lr: 0.05 -> 0.5)");
  write_text(saved / "config.json", config);

  // A damaged checkpoint, for resume and for eval.
  const fs::path ckpt = saved / "checkpoint.ckpt";
  const std::string good = read_text(ckpt);
  std::string flipped = good;
  flipped[good.size() / 2] = char(flipped[good.size() / 2] ^ 1);
  write_text(ckpt, flipped);
  expect_rejected("train --resume " + quote(saved.string()), ckpt.string() + ": damaged checkpoint: CRC32 mismatch");
  expect_rejected("eval " + quote(ckpt.string()), ckpt.string() + ": damaged checkpoint: CRC32 mismatch");
  write_text(ckpt, good.substr(0, 100));
  expect_rejected("eval " + quote(ckpt.string()), ckpt.string() + ": truncated checkpoint");
  write_text(ckpt, good);

  // eval with data that does not fit the model (2x2 images: 4 inputs, 2 classes).
  write_tiny_idx(tmp / "tiny");
  expect_rejected("eval " + quote(ckpt.string()) + " --data " + quote((tmp / "tiny").string()),
                  ckpt.string() + ": the checkpoint holds a 784-16-10 relu, fp32 model, but the data");
  expect_rejected("eval " + quote((tmp / "absent.ckpt").string()), "cannot open checkpoint");

  // The intact run resumes and completes; a completed run is not resumed twice.
  const Result ok = mixprec("train --resume " + quote(saved.string()), tmp);
  ASSERT_EQ(ok.code, 0) << ok.err;
  EXPECT_TRUE(fs::exists(saved / "model.ckpt"));
  expect_rejected("train --resume " + quote(saved.string()), "the run already completed");
}

}  // namespace
}  // namespace mixprec
