// Same bits (issue 21's safety net for the numerics refactor): a short fixed-seed run in each
// of the five modes must end with exactly the weights and per-epoch losses recorded before.
// The bits depend on oneDNN's kernels (its fp32 kernels sum in a different order on AVX2 and
// on AVX-512), so the recorded values are kept per oneDNN ISA in tests/cli/golden/; on an
// ISA with no file the test is skipped and prints the values to record, and
// MIXPREC_WRITE_GOLDEN=1 writes the file.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "checkpoint/checkpoint.hpp"
#include "cli_test_util.hpp"

namespace mixprec {
namespace {

using namespace mixprec::testing;

// SHA-256 of a file's bytes, by coreutils' sha256sum (no crypto library is a dependency).
std::string sha256_of(const fs::path& file) {
  const fs::path out = file.string() + ".sha256";
  const std::string cmd = "sha256sum " + shell_quote(file.string()) + " > " + shell_quote(out.string());
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  return read_text(out).substr(0, 64);
}

TEST(GoldenBits, FiveModesEndWithTheRecordedWeightsAndLosses) {
  if (!fs::exists(kMnist10k / "train-images-idx3-ubyte.gz")) GTEST_SKIP() << "no " << kMnist10k;
  TempDir tmp;
  fs::create_directories(tmp.path() / "cwd");
  nlohmann::json got = nlohmann::json::object();
  std::string isa;
  for (const char* mode : {"fp32", "fp16-mixed", "bf16-mixed", "fp16-true", "bf16-true"}) {
    const fs::path run = tmp.path() / mode;
    // threads 2: oneDNN's blocking, and so the sums, depend on the thread count.
    auto args = default_train_args(run, {std::string("precision=\"") + mode + "\"", "threads=2", "train.epochs=2",
                                         "data.max_train_samples=1000", "model.hidden=[32]"});
    args.push_back("--save-model");
    const Invocation r = run_mixprec(args, tmp.path() / "cwd", tmp.path());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const Checkpoint ckpt = read_checkpoint(run / "model.ckpt");
    const fs::path weights = tmp.path() / (std::string(mode) + ".weights");
    std::ofstream(weights, std::ios::binary)
        .write(reinterpret_cast<const char*>(ckpt.weights.bytes.data()), std::streamsize(ckpt.weights.bytes.size()));
    nlohmann::json losses = nlohmann::json::array();
    for (const auto& rec : read_jsonl(run / "metrics.jsonl")) {
      if (rec["type"] == "run_start") isa = rec["environment"]["onednn_isa"].get<std::string>();
      if (rec["type"] == "epoch") losses.push_back({rec["train_loss_running"], rec["test"]["loss"]});
    }
    got[mode] = {{"weights_sha256", sha256_of(weights)}, {"epoch_losses", losses}};
  }
  const fs::path golden = kSourceDir / "tests" / "cli" / "golden" / ("bits-" + isa + ".json");
  if (std::getenv("MIXPREC_WRITE_GOLDEN") != nullptr) {
    std::ofstream(golden) << got.dump(2) << "\n";
    GTEST_SKIP() << "wrote " << golden;
  }
  if (!fs::exists(golden)) {
    GTEST_SKIP() << "no recorded bits for oneDNN ISA " << isa << " (" << golden
                 << "); rerun with MIXPREC_WRITE_GOLDEN=1 on a known-good commit to record:\n" << got.dump(2);
  }
  const nlohmann::json want = read_json(golden);
  for (const auto& [mode, expected] : want.items()) {
    EXPECT_EQ(got[mode]["weights_sha256"], expected["weights_sha256"]) << mode << ": the final weights changed";
    EXPECT_EQ(got[mode]["epoch_losses"], expected["epoch_losses"]) << mode << ": the per-epoch losses changed";
  }
}

}  // namespace
}  // namespace mixprec
