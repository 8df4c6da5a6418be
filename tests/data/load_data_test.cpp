// GCC 12 reports the AVX-512 intrinsics' own _mm512_undefined_*() placeholders as
// (maybe) uninitialized once the normaliser's vector code is inlined here (GCC PR 105593).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

#include <chrono>
#include <cmath>
#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "data/data_test_util.hpp"
#include "data/load_data.hpp"

namespace mixprec {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace mixprec::testing;

// Feature 0 of each row in order: the tests build rows whose feature 0 is the row number.
std::vector<int> row_ids(const Dataset& d) {
  std::vector<int> ids;
  for (std::int64_t r = 0; r < d.rows(); ++r) ids.push_back(static_cast<int>(d.x(r, 0)));
  return ids;
}

// ---------------------------------------------------------------- CSV

class LoadCsvTest : public ::testing::Test {
 protected:
  // 10 rows: features (i, 100 + i), label i % 2.
  void SetUp() override {
    std::string text = "id,other,label\n";
    for (int i = 0; i < 10; ++i) text += fmt::format("{},{},{}\n", i, 100 + i, i % 2);
    write_file(dir_.file("train.csv"), text);
    cfg_.format = DataFormat::kCsv;
    cfg_.train = dir_.file("train.csv");
    cfg_.normalize = Normalize::kNone;
  }
  DataTempDir dir_;
  DataConfig cfg_;
};

// Row orders from tests/data/shuffle_reference.py (seed 7: data seed splitmix64(7)).
TEST_F(LoadCsvTest, HoldsOutTheTestFractionWithTheSeededShuffle) {
  DataSplits s = load_data(cfg_, 7);
  EXPECT_THAT(row_ids(s.test), ElementsAre(1, 8));  // round(0.2 * 10) = 2 rows
  EXPECT_THAT(row_ids(s.train), ElementsAre(6, 0, 9, 2, 4, 5, 3, 7));
  EXPECT_FALSE(s.validation.has_value());
  EXPECT_EQ(s.train.num_classes, 2);
  EXPECT_EQ(s.test.num_classes, 2);
  EXPECT_EQ(s.train.dim(), 2);
  for (std::int64_t r = 0; r < s.train.rows(); ++r) {  // labels travelled with their rows
    EXPECT_EQ(s.train.y[r], static_cast<int>(s.train.x(r, 0)) % 2);
    EXPECT_EQ(s.train.x(r, 1), s.train.x(r, 0) + 100);
  }
  EXPECT_THAT(s.description, HasSubstr("8 train / 0 validation / 2 test rows, 2 features, 2 classes"));
}

TEST_F(LoadCsvTest, ValidationIsHeldOutOfTheRemainingTrainingRows) {
  cfg_.validation_fraction = 0.25;
  DataSplits s = load_data(cfg_, 7);
  EXPECT_THAT(row_ids(s.test), ElementsAre(1, 8));
  ASSERT_TRUE(s.validation.has_value());
  EXPECT_THAT(row_ids(*s.validation), ElementsAre(5, 2));  // round(0.25 * 8) = 2 rows
  EXPECT_THAT(row_ids(s.train), ElementsAre(0, 4, 9, 3, 7, 6));
  EXPECT_EQ(s.validation->num_classes, 2);
}

TEST_F(LoadCsvTest, SameSeedSameSplitDifferentSeedDifferentSplit) {
  cfg_.validation_fraction = 0.2;
  DataSplits a = load_data(cfg_, 123);
  DataSplits b = load_data(cfg_, 123);
  DataSplits c = load_data(cfg_, 124);
  EXPECT_EQ(row_ids(a.train), row_ids(b.train));
  EXPECT_EQ(row_ids(a.test), row_ids(b.test));
  EXPECT_EQ(row_ids(*a.validation), row_ids(*b.validation));
  EXPECT_NE(row_ids(a.train), row_ids(c.train));
}

TEST_F(LoadCsvTest, MaxTrainSamplesKeepsTheFirstRowsAndNormalisesWithThem) {
  cfg_.validation_fraction = 0.25;
  cfg_.max_train_samples = 3;
  cfg_.normalize = Normalize::kScale;
  DataSplits s = load_data(cfg_, 7);
  // Training rows 0, 4, 9 (the first three above): per column, min 0 and max 9, then min
  // 100 and max 109.
  ASSERT_EQ(s.train.rows(), 3);
  EXPECT_EQ(s.train.x(0, 0), 0.0f);
  EXPECT_EQ(s.train.x(2, 1), 1.0f);
  EXPECT_EQ(s.train.x(1, 0), static_cast<float>(4.0 / 9.0));
  EXPECT_EQ(s.train.x(1, 1), static_cast<float>(4.0 / 9.0));
  EXPECT_EQ(s.test.rows(), 2);  // untouched
  EXPECT_EQ(s.test.x(0, 1), static_cast<float>(1.0 / 9.0));  // test row 1 with training statistics
}

TEST_F(LoadCsvTest, MaxTrainSamplesAboveTheRowCountKeepsAll) {
  cfg_.max_train_samples = 1000;
  EXPECT_EQ(load_data(cfg_, 7).train.rows(), 8);
}

TEST_F(LoadCsvTest, SeparateTestFileUsesTrainingStatistics) {
  write_file(dir_.file("test.csv"), std::string("id,other,label\n20,50,1\n-10,100,0\n"));
  cfg_.test = dir_.file("test.csv");
  cfg_.normalize = Normalize::kStandardize;
  DataSplits s = load_data(cfg_, 0);
  EXPECT_EQ(s.train.rows(), 10);  // no rows held out
  EXPECT_EQ(s.test.rows(), 2);
  // Training feature 0 is 0..9: mean 4.5, population std sqrt(8.25); feature 1 is 100..109.
  const double sd = std::sqrt(8.25);
  EXPECT_EQ(s.test.x(0, 0), static_cast<float>((20 - 4.5) / sd));
  EXPECT_EQ(s.test.x(0, 1), static_cast<float>((50 - 104.5) / sd));
  EXPECT_EQ(s.test.x(1, 0), static_cast<float>((-10 - 4.5) / sd));
  EXPECT_EQ(s.train.x(0, 0), static_cast<float>(-4.5 / sd));
  // Standardised training columns have mean 0: each value is rounded to float once
  // (relative error 6e-8 on values below 1.6), so the mean is within 1e-6 of 0.
  EXPECT_NEAR(s.train.x.col(0).cast<double>().mean(), 0.0, 1e-6);
  EXPECT_NEAR(s.train.x.col(1).cast<double>().mean(), 0.0, 1e-6);
}

TEST_F(LoadCsvTest, TestLabelOutsideTheTrainingClassesNamesLineAndColumn) {
  write_file(dir_.file("test.csv"), std::string("id,other,label\n1,2,1\n3,4,2\n"));
  cfg_.test = dir_.file("test.csv");
  std::string msg = user_error([&] { load_data(cfg_, 0); });
  EXPECT_THAT(msg, HasSubstr(quote_path(cfg_.test) + " line 3, column 3: label 2 is out of range: the training "
                             "data '" + cfg_.train + "' has 2 classes (0..1)"));
}

TEST_F(LoadCsvTest, TestFileWithOtherColumnsNamesBothFiles) {
  write_file(dir_.file("test.csv"), std::string("1,0\n"));
  cfg_.test = dir_.file("test.csv");
  std::string msg = user_error([&] { load_data(cfg_, 0); });
  EXPECT_THAT(msg, HasSubstr(quote_path(cfg_.test) + " line 1: the rows have 2 columns but the training data '" +
                             cfg_.train + "' has 3"));
}

TEST_F(LoadCsvTest, ClassMissingFromTrainingNamesTheFile) {
  write_file(cfg_.train, std::string("1,0\n2,2\n3,3\n4,5\n"));
  std::string msg = user_error([&] { load_data(cfg_, 0); });
  EXPECT_THAT(msg, HasSubstr(quote_path(cfg_.train) + ": 2 of the classes 0..5 never occur in the training labels "
                             "(missing: 1, 4)"));
}

TEST_F(LoadCsvTest, SingleClassIsRejected) {
  write_file(cfg_.train, std::string("1,0\n2,0\n3,0\n"));
  EXPECT_THAT(user_error([&] { load_data(cfg_, 0); }),
              HasSubstr(quote_path(cfg_.train) + ": every training label is 0, expected at least 2 classes"));
}

TEST_F(LoadCsvTest, FractionsThatLeaveASideEmpty) {
  write_file(cfg_.train, std::string("1,0\n2,1\n3,0\n"));
  cfg_.test_fraction = 0.1;  // round(0.3) = 0 rows
  EXPECT_THAT(user_error([&] { load_data(cfg_, 0); }),
              HasSubstr(quote_path(cfg_.train) + ": data.test_fraction = 0.1 of 3 rows holds out 0 rows and keeps 3"));
  cfg_.test_fraction = 1.0;
  EXPECT_THAT(user_error([&] { load_data(cfg_, 0); }),
              HasSubstr("data.test_fraction is 1, expected a fraction strictly between 0 and 1"));
  cfg_.test_fraction = 0.5;
  cfg_.validation_fraction = -0.5;
  EXPECT_THAT(user_error([&] { load_data(cfg_, 0); }),
              HasSubstr("data.validation_fraction is -0.5, expected a fraction strictly between 0 and 1"));
}

TEST_F(LoadCsvTest, NegativeMaxTrainSamples) {
  cfg_.max_train_samples = -1;
  EXPECT_THAT(user_error([&] { load_data(cfg_, 0); }), HasSubstr("data.max_train_samples is -1"));
}

TEST_F(LoadCsvTest, MissingTrainPath) {
  cfg_.train.clear();
  EXPECT_THAT(user_error([&] { load_data(cfg_, 0); }), HasSubstr("data.train is empty"));
}

TEST(DatasetBytes, CountsFeaturesAndLabels) {
  Dataset d;
  d.x.resize(3, 4);
  d.y.assign(3, 0);
  EXPECT_EQ(d.bytes(), 3u * 4u * 4u + 3u * 4u);
}

// ---------------------------------------------------------------- IDX

class LoadIdxTest : public ::testing::Test {
 protected:
  // train: 4 images of 1x2 pixels, labels 0 1 2 0; test: 2 images, labels 2 1.
  void SetUp() override {
    write_file(dir_.file("train-images-idx3-ubyte"), idx_images(4, 1, 2, Bytes{0, 255, 51, 102, 10, 20, 30, 40}));
    write_gzip(dir_.file("train-labels-idx1-ubyte.gz"), idx_labels(Bytes{0, 1, 2, 0}));
    write_gzip(dir_.file("t10k-images-idx3-ubyte.gz"), idx_images(2, 1, 2, Bytes{5, 6, 7, 8}));
    write_file(dir_.file("t10k-labels-idx1-ubyte"), idx_labels(Bytes{2, 1}));
    cfg_.format = DataFormat::kIdx;
    cfg_.dir = dir_.path();
  }
  DataTempDir dir_;
  DataConfig cfg_;
};

TEST_F(LoadIdxTest, LoadsPlainAndGzipFilesAndScalesBy255) {
  DataSplits s = load_data(cfg_, 0);
  ASSERT_EQ(s.train.rows(), 4);
  ASSERT_EQ(s.train.dim(), 2);
  EXPECT_EQ(s.train.num_classes, 3);
  EXPECT_EQ(s.test.num_classes, 3);
  EXPECT_THAT(s.train.y, ElementsAre(0, 1, 2, 0));  // file order kept without a validation split
  EXPECT_THAT(s.test.y, ElementsAre(2, 1));
  EXPECT_EQ(s.train.x(0, 1), 1.0f);
  EXPECT_EQ(s.train.x(1, 0), static_cast<float>(51.0 / 255.0));
  EXPECT_EQ(s.test.x(1, 1), static_cast<float>(8.0 / 255.0));
  EXPECT_THAT(s.description, HasSubstr("(1x2 images): 4 train / 0 validation / 2 test rows, 2 features, 3 classes"));
}

TEST_F(LoadIdxTest, NormalizeNoneKeepsRawBytes) {
  cfg_.normalize = Normalize::kNone;
  DataSplits s = load_data(cfg_, 0);
  EXPECT_EQ(s.train.x(0, 1), 255.0f);
  EXPECT_EQ(s.test.x(0, 0), 5.0f);
}

TEST_F(LoadIdxTest, PlainFileWinsOverGzip) {
  write_file(dir_.file("train-images-idx3-ubyte.gz"), std::string("not even gzip"));
  EXPECT_EQ(load_data(cfg_, 0).train.rows(), 4);
}

TEST_F(LoadIdxTest, ValidationSplitFromTraining) {
  cfg_.validation_fraction = 0.25;
  DataSplits s = load_data(cfg_, 0);
  EXPECT_EQ(s.train.rows(), 3);
  ASSERT_TRUE(s.validation.has_value());
  EXPECT_EQ(s.validation->rows(), 1);
  EXPECT_EQ(s.validation->num_classes, 3);
}

TEST_F(LoadIdxTest, ALabelFarAboveTheOthersIsNamedWithItsByteOffset) {
  // One damaged byte (200) among labels 0..2: not "197 classes never occur" alone, but where.
  write_gzip(dir_.file("train-labels-idx1-ubyte.gz"), idx_labels(Bytes{0, 1, 200, 2}));
  DataConfig cfg;
  cfg.dir = dir_.path();
  const std::string msg = user_error([&] { load_data(cfg, 0); });
  EXPECT_THAT(msg, HasSubstr("197 of the classes 0..200 never occur"));
  EXPECT_THAT(msg, HasSubstr("the largest label, 200, is at"));
  EXPECT_THAT(msg, HasSubstr("byte offset 10 (1 rows have it)"));  // 8 header bytes + row 2
}

TEST_F(LoadIdxTest, MissingFileListsWhatWasLookedFor) {
  std::filesystem::remove(dir_.file("t10k-labels-idx1-ubyte"));
  std::string msg = user_error([&] { load_data(cfg_, 0); });
  EXPECT_THAT(msg, HasSubstr("found neither '" + dir_.file("t10k-labels-idx1-ubyte") + "' nor '" +
                             dir_.file("t10k-labels-idx1-ubyte.gz") + "'"));
  EXPECT_THAT(msg, HasSubstr("scripts/fetch_data.sh"));
}

TEST_F(LoadIdxTest, MissingOrEmptyDir) {
  cfg_.dir = dir_.file("absent");
  EXPECT_THAT(user_error([&] { load_data(cfg_, 0); }), HasSubstr("data.dir '" + cfg_.dir + "' is not a folder"));
  cfg_.dir.clear();
  EXPECT_THAT(user_error([&] { load_data(cfg_, 0); }), HasSubstr("data.dir is empty"));
}

TEST_F(LoadIdxTest, ImageAndLabelCountMismatchNamesBothFiles) {
  write_file(dir_.file("t10k-labels-idx1-ubyte"), idx_labels(Bytes{2, 1, 0}));
  std::string msg = user_error([&] { load_data(cfg_, 0); });
  EXPECT_THAT(msg, HasSubstr(quote_path(dir_.file("t10k-images-idx3-ubyte.gz")) + " holds 2 images but '" +
                             dir_.file("t10k-labels-idx1-ubyte") + "' holds 3 labels"));
}

TEST_F(LoadIdxTest, TestLabelOutOfRangeNamesFileAndByteOffset) {
  write_file(dir_.file("t10k-labels-idx1-ubyte"), idx_labels(Bytes{2, 3}));
  std::string msg = user_error([&] { load_data(cfg_, 0); });
  EXPECT_THAT(msg, HasSubstr(quote_path(dir_.file("t10k-labels-idx1-ubyte")) + " byte offset 9: label 3 is out of "
                             "range: the training data '" + dir_.file("train-labels-idx1-ubyte.gz") +
                             "' has 3 classes (0..2)"));
}

TEST_F(LoadIdxTest, ClassMissingFromTrainingNamesTheLabelFile) {
  write_gzip(dir_.file("train-labels-idx1-ubyte.gz"), idx_labels(Bytes{0, 2, 2, 0}));
  std::string msg = user_error([&] { load_data(cfg_, 0); });
  EXPECT_THAT(msg, HasSubstr(quote_path(dir_.file("train-labels-idx1-ubyte.gz")) + ": 1 of the classes 0..2 never "
                             "occur in the training labels (missing: 1)"));
}

TEST_F(LoadIdxTest, EmptyDatasetNamesTheFile) {
  write_file(dir_.file("train-images-idx3-ubyte"), idx_images(0, 1, 2, {}));
  write_gzip(dir_.file("train-labels-idx1-ubyte.gz"), idx_labels({}));
  std::string msg = user_error([&] { load_data(cfg_, 0); });
  EXPECT_THAT(msg, HasSubstr(quote_path(dir_.file("train-images-idx3-ubyte")) + ": the header at byte offset 4 says "
                             "0 images"));
}

TEST_F(LoadIdxTest, TrainAndTestImageSizesMustMatch) {
  write_gzip(dir_.file("t10k-images-idx3-ubyte.gz"), idx_images(2, 2, 1, Bytes{5, 6, 7, 8}));
  std::string msg = user_error([&] { load_data(cfg_, 0); });
  EXPECT_THAT(msg, HasSubstr(quote_path(dir_.file("t10k-images-idx3-ubyte.gz")) + " holds 2x1 images but '" +
                             dir_.file("train-images-idx3-ubyte") + "' holds 1x2"));
}

// ---------------------------------------------------------------- real data sets

const std::string kSharedData = MIXPREC_SOURCE_DIR "/../shared/data";

void expect_mnist_10k(const std::string& dir) {
  DataConfig cfg;
  cfg.format = DataFormat::kIdx;
  cfg.dir = dir;
  DataSplits s = load_data(cfg, 0);
  EXPECT_EQ(s.train.rows(), 8000);
  EXPECT_EQ(s.test.rows(), 2000);
  EXPECT_EQ(s.train.dim(), 784);
  EXPECT_EQ(s.test.dim(), 784);
  EXPECT_EQ(s.train.num_classes, 10);
  EXPECT_EQ(s.train.x.minCoeff(), 0.0f);
  EXPECT_EQ(s.train.x.maxCoeff(), 1.0f);
  // The first labels of train-labels-idx1-ubyte.gz, read with `zcat | xxd`: 01 00 00 05 04 01 03 06.
  EXPECT_THAT(std::vector<int>(s.train.y.begin(), s.train.y.begin() + 8), ElementsAre(1, 0, 0, 5, 4, 1, 3, 6));
}

TEST(RealData, SharedMnist10k) {
  const std::string dir = kSharedData + "/mnist-10k";
  if (!std::filesystem::is_directory(dir)) GTEST_SKIP() << dir << " is absent";
  expect_mnist_10k(dir);
}

TEST(RealData, EmbeddedMnist10kInTheRepository) {
  expect_mnist_10k(MIXPREC_SOURCE_DIR "/data/mnist-10k");
}

TEST(RealData, UciDigitsCsv) {
  const std::string path = kSharedData + "/digits/digits.csv.gz";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " is absent";
  DataConfig cfg;
  cfg.format = DataFormat::kCsv;
  cfg.train = path;
  cfg.normalize = Normalize::kNone;
  DataSplits s = load_data(cfg, 0);
  EXPECT_EQ(s.train.rows() + s.test.rows(), 1797);
  EXPECT_EQ(s.test.rows(), 359);  // round(0.2 * 1797) = round(359.4)
  EXPECT_EQ(s.train.dim(), 64);
  EXPECT_EQ(s.train.num_classes, 10);
  EXPECT_EQ(s.train.x.minCoeff(), 0.0f);   // 4x4-block counts of set pixels: 0..16
  EXPECT_EQ(s.train.x.maxCoeff(), 16.0f);
  EXPECT_THAT(s.description, HasSubstr("1438 train / 0 validation / 359 test rows, 64 features, 10 classes"));
}

TEST(RealData, FashionMnistIfPresent) {
  const std::string dir = kSharedData + "/fashion-mnist";
  if (!std::filesystem::is_directory(dir)) GTEST_SKIP() << dir << " is absent";
  DataConfig cfg;
  cfg.format = DataFormat::kIdx;
  cfg.dir = dir;
  auto start = std::chrono::steady_clock::now();
  DataSplits s = load_data(cfg, 0);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  RecordProperty("load_seconds", std::to_string(seconds));
  std::printf("fashion-mnist loaded in %.2f s\n", seconds);
  EXPECT_EQ(s.train.rows(), 60000);
  EXPECT_EQ(s.test.rows(), 10000);
  EXPECT_EQ(s.train.dim(), 784);
  EXPECT_EQ(s.train.num_classes, 10);
}

}  // namespace
}  // namespace mixprec
