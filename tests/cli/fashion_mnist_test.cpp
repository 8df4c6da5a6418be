// End to end on Fashion-MNIST with configs/fashion-mnist.json (784-512-512-10, batch 128,
// SGD momentum, 5 epochs, seed 0): fp32 reaches the 87% test accuracy, the mixed
// modes land within 1 point of it, the accounted memory shows what 16-bit halves, and the
// phase times add up. Reads ../shared/data/fashion-mnist; skipped where it is absent.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace {

namespace fs = std::filesystem;

const fs::path kData = fs::path(MIXPREC_SOURCE_DIR) / ".." / "shared" / "data" / "fashion-mnist";

nlohmann::json read_json(const fs::path& p) {
  std::ifstream in(p);
  return nlohmann::json::parse(in);
}

// Runs one 5-epoch training of configs/fashion-mnist.json in `precision`; returns the run dir.
fs::path train(const std::string& precision, const fs::path& root) {
  const fs::path dir = root / precision;
  const std::string cmd = std::string(MIXPREC_BINARY) + " train " + MIXPREC_SOURCE_DIR +
                          "/configs/fashion-mnist.json --set data.dir=" + kData.string() +
                          " --set precision=" + precision + " --out " + dir.string() +
                          " > /dev/null 2> " + (root / (precision + ".log")).string();
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  return dir;
}

// One test, several checks: ctest runs each TEST in its own process and the three trainings
// (about 40 s on 2 idle cores) are the cost.
TEST(FashionMnist, FiveEpochsInFp32Bf16MixedFp16Mixed) {
  if (!fs::exists(kData / "train-images-idx3-ubyte.gz")) GTEST_SKIP() << "no " << kData << " here";
  const fs::path root = fs::temp_directory_path() / ("mixprec-fashion-" + std::to_string(::getpid()));
  fs::create_directories(root);
  std::map<std::string, nlohmann::json> summaries;
  std::map<std::string, std::vector<nlohmann::json>> records;
  for (const char* p : {"fp32", "bf16-mixed", "fp16-mixed"}) {
    const fs::path dir = train(p, root);
    summaries[p] = read_json(dir / "summary.json");
    std::ifstream log(dir / "metrics.jsonl");
    for (std::string line; std::getline(log, line);) records[p].push_back(nlohmann::json::parse(line));
  }
  fs::remove_all(root);
  auto test_accuracy = [&](const std::string& p) {
    return summaries.at(p)["final"]["test"]["accuracy"].get<double>();
  };

  // fp32 reaches the target; the mixed modes land within 1 point of it.
  EXPECT_EQ(summaries["fp32"]["status"], "completed");
  EXPECT_GE(test_accuracy("fp32"), 0.87);
  for (const char* p : {"bf16-mixed", "fp16-mixed"}) {
    EXPECT_EQ(summaries[p]["status"], "completed") << p;
    EXPECT_NEAR(test_accuracy(p), test_accuracy("fp32"), 0.01) << p;
  }

  // Every kept activation is stored in the compute format: exactly half in bf16, and so are
  // the inference weights; training holds the fp32 master plus the 16-bit copy.
  const auto& fp32 = summaries["fp32"]["memory"]["accounted"];
  const auto& bf16 = summaries["bf16-mixed"]["memory"]["accounted"];
  EXPECT_EQ(2 * bf16["activation_bytes_per_batch"].get<std::int64_t>(),
            fp32["activation_bytes_per_batch"].get<std::int64_t>());
  EXPECT_EQ(2 * bf16["inference_weight_bytes"].get<std::int64_t>(),
            fp32["inference_weight_bytes"].get<std::int64_t>());
  EXPECT_EQ(bf16["master_weights_bytes"], fp32["master_weights_bytes"]);
  EXPECT_EQ(2 * bf16["working_weights_bytes"].get<std::int64_t>(),
            fp32["master_weights_bytes"].get<std::int64_t>());
  for (const char* p : {"fp32", "bf16-mixed"})
    EXPECT_GT(summaries[p]["memory"]["measured"]["peak_rss_bytes"].get<std::int64_t>(), 0) << p;

  // Phase times are non-negative and the training phases fit in the epoch's wall time.
  for (const auto& [p, lines] : records) {
    int epochs = 0;
    for (const auto& r : lines) {
      if (r["type"] != "epoch") continue;
      ++epochs;
      double training_phases = 0.0;
      for (const auto& [phase, seconds] : r["phases_s"].items()) {
        EXPECT_GE(seconds.get<double>(), 0.0) << p << " " << phase;
        if (phase != "evaluation") training_phases += seconds.get<double>();
      }
      EXPECT_LE(training_phases, r["epoch_time_s"].get<double>()) << p;
      EXPECT_NEAR(r["phases_s"]["evaluation"].get<double>(), r["eval_time_s"].get<double>(), 1e-9);
      EXPECT_EQ(r["warmup"].get<bool>(), r["epoch"].get<int>() == 1);
    }
    EXPECT_EQ(epochs, 5) << p;
  }

  // Inference in each format, compared with fp32's predictions.
  const auto& inference = summaries["bf16-mixed"]["inference"];
  ASSERT_EQ(inference.size(), 4u);
  EXPECT_EQ(inference[0]["format"], "fp32");
  EXPECT_EQ(inference[3]["format"], "e4m3");
  EXPECT_EQ(inference[3]["path"], "fp32 carrier");
  EXPECT_DOUBLE_EQ(inference[0]["agreement_with_fp32"].get<double>(), 1.0);
  for (const auto& row : inference) {
    EXPECT_GT(row["seconds_per_sample"].get<double>(), 0.0);
    // Rounding trained weights to 16 bits, or to E4M3 with a scale per tensor (3 mantissa
    // bits: a relative error up to 1/16), changes few predictions on this model.
    EXPECT_GT(row["agreement_with_fp32"].get<double>(), 0.97) << row["format"];
  }
  for (const auto& [p, s] : summaries)
    std::printf("%s: test accuracy %.4f, median %.0f samples/s\n", p.c_str(),
                s["final"]["test"]["accuracy"].get<double>(),
                s["time"]["median_samples_per_s"].get<double>());
}

}  // namespace
