// The configs in configs/ load as they are shipped (their data is not read here: `mixprec
// validate` does that where the data is), and the remedy config stays the Fashion-MNIST
// model with only its precision, learning rate and name changed.
#include <gtest/gtest.h>

#include <filesystem>

#include "config/config_diff.hpp"
#include "config/config_loader.hpp"

namespace mixprec {
namespace {

namespace fs = std::filesystem;
const fs::path kConfigs = fs::path(MIXPREC_SOURCE_DIR) / "configs";

TEST(ShippedConfigs, EveryOneLoads) {
  int count = 0;
  for (const auto& entry : fs::directory_iterator(kConfigs)) {
    if (entry.path().extension() != ".json") continue;
    ++count;
    EXPECT_NO_THROW(load_config(entry.path().string())) << entry.path();
  }
  EXPECT_GE(count, 3);  // default, fashion-mnist, bf16-true-low-lr
}

TEST(ShippedConfigs, LowLrIsFashionMnistInBf16TrueAtLr0001) {
  const Config fashion = load_config((kConfigs / "fashion-mnist.json").string());
  const Config low_lr = load_config((kConfigs / "bf16-true-low-lr.json").string());
  EXPECT_EQ(changed_keys(to_json(fashion), to_json(low_lr)),
            (std::vector<std::string>{
                R"(name: "fashion-mnist" -> "fashion-mnist-bf16-true-low-lr")",
                "optimizer.lr: 0.05 -> 0.001",
                R"(precision: "fp32" -> "bf16-true")",
            }));
  // The remedies are for the sweep to set, not the file: it runs nearest, no compensation.
  EXPECT_EQ(low_lr.rounding.weights, RoundingMode::kNearestEven);
  EXPECT_EQ(low_lr.optimizer.compensation, Compensation::kNone);
}

}  // namespace
}  // namespace mixprec
