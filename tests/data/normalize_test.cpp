#include "data/normalize.hpp"

#include <cmath>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mixprec {
namespace {

Dataset make(std::initializer_list<std::initializer_list<float>> rows) {
  Dataset d;
  d.x.resize(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(rows.begin()->size()));
  Eigen::Index r = 0;
  for (auto row : rows) {
    Eigen::Index c = 0;
    for (float v : row) d.x(r, c++) = v;
    d.y.push_back(0);
    ++r;
  }
  return d;
}

// Expected values are computed in double by hand and rounded once to float, as the
// normaliser does: so EXPECT_EQ, exact.

TEST(Normalize, NoneLeavesValuesAlone) {
  Dataset d = make({{1, 300}, {-2, 0.5f}});
  Normalizer n = fit_normalizer(d, Normalize::kNone, DataFormat::kCsv);
  EXPECT_TRUE(n.offset.empty());
  apply_normalizer(n, d);
  EXPECT_EQ(d.x(0, 1), 300.0f);
  EXPECT_EQ(d.x(1, 1), 0.5f);
}

TEST(Normalize, IdxScaleDividesBy255WhateverTheData) {
  Dataset train = make({{0, 51, 255}, {10, 10, 10}});
  Normalizer n = fit_normalizer(train, Normalize::kScale, DataFormat::kIdx);
  apply_normalizer(n, train);
  EXPECT_EQ(train.x(0, 0), 0.0f);
  EXPECT_EQ(train.x(0, 1), static_cast<float>(0.2));  // 51/255 = 0.2 exactly in decimal
  EXPECT_EQ(train.x(0, 2), 1.0f);
  EXPECT_EQ(train.x(1, 0), static_cast<float>(10.0 / 255.0));
}

TEST(Normalize, CsvScaleIsPerColumnOverTheTrainingSplit) {
  // As scikit-learn's MinMaxScaler: column 0 spans 1..3, column 1 spans 2000..6000. A
  // global min and max (the old behaviour) would squash column 0 to about 0.
  Dataset train = make({{1, 2000}, {3, 6000}, {2, 4000}});
  Dataset test = make({{9, -2000}});
  Normalizer n = fit_normalizer(train, Normalize::kScale, DataFormat::kCsv);
  ASSERT_EQ(n.offset.size(), 2u);
  EXPECT_EQ(n.offset[0], 1.0);
  EXPECT_EQ(n.scale[0], 2.0);
  EXPECT_EQ(n.offset[1], 2000.0);
  EXPECT_EQ(n.scale[1], 4000.0);
  apply_normalizer(n, train);
  apply_normalizer(n, test);
  for (int j = 0; j < 2; ++j) {  // every column spans exactly [0, 1] on the training split
    EXPECT_EQ(train.x.col(j).minCoeff(), 0.0f);
    EXPECT_EQ(train.x.col(j).maxCoeff(), 1.0f);
    EXPECT_EQ(train.x(2, j), 0.5f);
  }
  // The test split uses the training statistics, so it can leave [0, 1].
  EXPECT_EQ(test.x(0, 0), 4.0f);
  EXPECT_EQ(test.x(0, 1), -1.0f);
}

TEST(Normalize, OneHotInputsAreLeftAsTheyAre) {
  Dataset train = make({{0, 10}, {1, 30}});
  Normalizer n = fit_normalizer(train, Normalize::kStandardize, DataFormat::kCsv, {true, false});
  EXPECT_EQ(n.offset[0], 0.0);
  EXPECT_EQ(n.scale[0], 1.0);
  EXPECT_EQ(n.offset[1], 20.0);
  EXPECT_EQ(n.scale[1], 10.0);
}

TEST(Normalize, CsvScaleOfConstantDataDividesByOne) {
  Dataset train = make({{2, 2}, {2, 2}});
  Dataset test = make({{3, 2.5f}});
  Normalizer n = fit_normalizer(train, Normalize::kScale, DataFormat::kCsv);
  apply_normalizer(n, train);
  apply_normalizer(n, test);
  EXPECT_EQ(train.x(1, 1), 0.0f);
  EXPECT_EQ(test.x(0, 0), 1.0f);
  EXPECT_EQ(test.x(0, 1), 0.5f);
}

TEST(Normalize, StandardizePerFeatureWithPopulationStd) {
  // Feature 0: 1, 2, 3 -> mean 2, population std sqrt(2/3).
  // Feature 1: 7, 7, 7 -> mean 7, std 0 -> divide by 1.
  Dataset train = make({{1, 7}, {2, 7}, {3, 7}});
  Dataset test = make({{4, 8}});
  Normalizer n = fit_normalizer(train, Normalize::kStandardize, DataFormat::kCsv);
  EXPECT_EQ(n.offset[0], 2.0);
  EXPECT_EQ(n.scale[0], std::sqrt(2.0 / 3.0));
  EXPECT_EQ(n.offset[1], 7.0);
  EXPECT_EQ(n.scale[1], 1.0);
  apply_normalizer(n, train);
  apply_normalizer(n, test);
  const float z = static_cast<float>(1.0 / std::sqrt(2.0 / 3.0));  // 1.2247448...
  EXPECT_EQ(train.x(0, 0), -z);
  EXPECT_EQ(train.x(1, 0), 0.0f);
  EXPECT_EQ(train.x(2, 0), z);
  EXPECT_EQ(train.x(0, 1), 0.0f);
  EXPECT_EQ(test.x(0, 0), static_cast<float>(2.0 / std::sqrt(2.0 / 3.0)));  // 2.4494897...
  EXPECT_EQ(test.x(0, 1), 1.0f);
  EXPECT_NEAR(z, 1.2247449f, 1e-7f);  // the same number written out, against a typo above
}

TEST(Normalize, StandardizeIsStableForALargeMean) {
  // 1e4 + {0, 1, 2}: a one-pass sum of squares in float would lose the spread entirely;
  // the two-pass double computation gets mean 10001 and std sqrt(2/3) exactly as above.
  Dataset train = make({{10000}, {10001}, {10002}});
  Normalizer n = fit_normalizer(train, Normalize::kStandardize, DataFormat::kCsv);
  EXPECT_EQ(n.offset[0], 10001.0);
  EXPECT_EQ(n.scale[0], std::sqrt(2.0 / 3.0));
}

TEST(Normalize, StandardizeOnIdxUsesTheSameRule) {
  Dataset train = make({{0, 255}, {255, 255}});
  Normalizer n = fit_normalizer(train, Normalize::kStandardize, DataFormat::kIdx);
  EXPECT_EQ(n.offset[0], 127.5);
  EXPECT_EQ(n.scale[0], 127.5);
  EXPECT_EQ(n.scale[1], 1.0);  // constant feature
  apply_normalizer(n, train);
  EXPECT_EQ(train.x(0, 0), -1.0f);
  EXPECT_EQ(train.x(1, 0), 1.0f);
  EXPECT_EQ(train.x(1, 1), 0.0f);
}

}  // namespace
}  // namespace mixprec
