// Tabular CSV data as users bring it (issue 15): per-column scaling, named classes,
// categorical columns, missing cells, test columns matched by name, and the stored
// encoding applied again. Every expected encoding is written out by hand.
#include <cmath>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "data/data_test_util.hpp"
#include "data/load_data.hpp"

namespace mixprec {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace mixprec::testing;

std::vector<float> row(const Dataset& d, Eigen::Index r) {
  return std::vector<float>(d.x.row(r).data(), d.x.row(r).data() + d.x.cols());
}

class TabularTest : public ::testing::Test {
 protected:
  // A training file and, if `test_text` is not empty, a test file; no normalisation unless set.
  DataSplits load(const std::string& train_text, const std::string& test_text = "") {
    write_file(dir_.file("train.csv"), train_text);
    cfg_.format = DataFormat::kCsv;
    cfg_.train = dir_.file("train.csv");
    if (!test_text.empty()) {
      write_file(dir_.file("test.csv"), test_text);
      cfg_.test = dir_.file("test.csv");
    }
    return load_data(cfg_, 0);
  }
  std::string error(const std::string& train_text, const std::string& test_text = "") {
    return user_error([&] { load(train_text, test_text); });
  }
  std::string test_path() const { return quote_path(dir_.file("test.csv")); }
  DataTempDir dir_;
  DataConfig cfg_ = [] {
    DataConfig c;
    c.normalize = Normalize::kNone;
    return c;
  }();
};

TEST_F(TabularTest, ScaleIsPerColumnOnTheTrainingSplit) {
  // Columns in the thousands next to columns below 10: each spans [0, 1] in training.
  cfg_.normalize = Normalize::kScale;
  DataSplits s = load("income,age,rooms,label\n30000,25,1,0\n90000,65,7,1\n60000,45,4,0\n",
                      "income,age,rooms,label\n120000,45,1,1\n");
  for (Eigen::Index j = 0; j < 3; ++j) {
    EXPECT_EQ(s.train.x.col(j).minCoeff(), 0.0f) << j;
    EXPECT_EQ(s.train.x.col(j).maxCoeff(), 1.0f) << j;
  }
  EXPECT_THAT(row(s.train, 2), ElementsAre(0.5f, 0.5f, 0.5f));
  EXPECT_THAT(row(s.test, 0), ElementsAre(1.5f, 0.5f, 0.0f));  // the training statistics
  EXPECT_EQ(s.encoding.normalizer.offset, (std::vector<double>{30000, 25, 1}));
  EXPECT_EQ(s.encoding.normalizer.scale, (std::vector<double>{60000, 40, 6}));
}

TEST_F(TabularTest, TextLabelsAreClassesInSortedOrder) {
  DataSplits s = load("x,species\n1,versicolor\n2,setosa\n3,virginica\n4,setosa\n",
                      "x,species\n5,virginica\n6,setosa\n");
  EXPECT_TRUE(s.encoding.classes.named);
  EXPECT_THAT(s.encoding.classes.class_names(), ElementsAre("setosa", "versicolor", "virginica"));
  EXPECT_THAT(s.train.y, ElementsAre(1, 0, 2, 0));
  EXPECT_THAT(s.test.y, ElementsAre(2, 0));
  EXPECT_EQ(s.train.num_classes, 3);
  EXPECT_THAT(s.report["classes"], ElementsAre("setosa", "versicolor", "virginica"));
  EXPECT_THAT(s.report["class_counts"]["train"], ElementsAre(2, 1, 1));
}

TEST_F(TabularTest, NumericNamesSortByValueBeforeTexts) {
  // A label column with a text cell holds names; "10" sorts after "9" by value.
  DataSplits s = load("x,y\n1,10\n2,9\n3,b\n4,a\n5,9\n");
  EXPECT_THAT(s.encoding.classes.class_names(), ElementsAre("9", "10", "a", "b"));
  EXPECT_THAT(s.train.y.size(), 4u);  // one row held out (test_fraction 0.2 of 5)
}

TEST_F(TabularTest, IntegerLabelsKeepWorkingAsBefore) {
  DataSplits s = load("x,y\n1,2\n2,0\n3,1\n", "x,y\n1,1\n");
  EXPECT_FALSE(s.encoding.classes.named);
  EXPECT_THAT(s.train.y, ElementsAre(2, 0, 1));
  EXPECT_THAT(s.encoding.classes.class_names(), ElementsAre("0", "1", "2"));
}

TEST_F(TabularTest, UnseenTestLabelNamesFileLineAndValue) {
  std::string msg = error("x,species\n1,setosa\n2,virginica\n", "x,species\n3,setosa\n4,versicolor\n");
  EXPECT_THAT(msg, HasSubstr(test_path() + " line 3, column 2: label 'versicolor' does not occur in the "
                             "training data"));
  EXPECT_THAT(msg, HasSubstr("'setosa', 'virginica'"));
}

TEST_F(TabularTest, TextColumnsAreOneHotWithSortedCategories) {
  DataSplits s = load("size,color,w,label\n1,red,0.5,0\n2,blue,1.5,1\n3,green,2.5,0\n4,red,3.5,1\n",
                      "size,color,w,label\n5,blue,9,1\n");
  // Inputs: size, color=blue, color=green, color=red, w.
  EXPECT_EQ(s.train.dim(), 5);
  EXPECT_THAT(s.encoding.features.input_names(), ElementsAre("size", "color=blue", "color=green", "color=red", "w"));
  EXPECT_THAT(row(s.train, 0), ElementsAre(1, 0, 0, 1, 0.5f));
  EXPECT_THAT(row(s.train, 1), ElementsAre(2, 1, 0, 0, 1.5f));
  EXPECT_THAT(row(s.train, 2), ElementsAre(3, 0, 1, 0, 2.5f));
  EXPECT_THAT(row(s.test, 0), ElementsAre(5, 1, 0, 0, 9));
  const auto& col = s.report["columns"][1];
  EXPECT_EQ(col["kind"], "categorical");
  EXPECT_THAT(col["categories"], ElementsAre("blue", "green", "red"));
}

TEST_F(TabularTest, ScalingLeavesOneHotInputsAtZeroAndOne) {
  cfg_.normalize = Normalize::kStandardize;
  DataSplits s = load("color,w,label\nred,1,0\nblue,3,1\n", "color,w,label\nred,2,0\n");
  EXPECT_THAT(row(s.train, 0), ElementsAre(0, 1, -1));
  EXPECT_THAT(row(s.train, 1), ElementsAre(1, 0, 1));
}

TEST_F(TabularTest, UnseenCategoryIsAllZerosCountedAndWarned) {
  DataSplits s = load("color,label\nred,0\nblue,1\n", "color,label\npurple,1\nred,0\npurple,0\n");
  EXPECT_THAT(row(s.test, 0), ElementsAre(0, 0));
  EXPECT_THAT(row(s.test, 1), ElementsAre(0, 1));
  EXPECT_EQ(s.report["columns"][0]["unseen"]["test"], 2);
  ASSERT_EQ(s.warnings.size(), 1u);
  EXPECT_THAT(s.warnings[0], HasSubstr("column 'color': 2 test rows have a category the training split does "
                                       "not have such as 'purple' (" + test_path() + " line 2, column 1)"));
}

TEST_F(TabularTest, CategoricalKeyForcesIntegerCodedColumns) {
  cfg_.categorical = {ColumnRef{"zip", 0}, ColumnRef{"", 2}};
  DataSplits s = load("zip,x,grade,label\n10,0.5,3,0\n2,1.5,1,1\n10,2.5,3,0\n", "zip,x,grade,label\n7,1,1,1\n");
  // zip: categories 2 < 10 by value; grade (index 2): 1, 3.
  EXPECT_THAT(s.encoding.features.input_names(), ElementsAre("zip=2", "zip=10", "x", "grade=1", "grade=3"));
  EXPECT_THAT(row(s.train, 0), ElementsAre(0, 1, 0.5f, 0, 1));
  EXPECT_THAT(row(s.train, 1), ElementsAre(1, 0, 1.5f, 1, 0));
  EXPECT_THAT(row(s.test, 0), ElementsAre(0, 0, 1, 1, 0));  // zip 7: not seen in training
}

TEST_F(TabularTest, CategoricalKeyErrorsNameTheColumn) {
  cfg_.categorical = {ColumnRef{"Zip", 0}};
  EXPECT_THAT(error("zip,label\n1,0\n2,1\n3,0\n"), HasSubstr("data.categorical: 'Zip' names no column of"));
  cfg_.categorical = {ColumnRef{"", 1}};
  EXPECT_THAT(error("zip,label\n1,0\n2,1\n3,0\n"), HasSubstr("column 2 'label' of"));
  cfg_.categorical = {ColumnRef{"", 5}};
  EXPECT_THAT(error("zip,label\n1,0\n2,1\n3,0\n"), HasSubstr("data.categorical: column index 5 is out of range"));
}

TEST_F(TabularTest, MissingCellsAreAnErrorByDefault) {
  std::string msg = error("a,b,label\n1,2,0\n3,,1\n5,6,0\n");
  EXPECT_THAT(msg, HasSubstr(quote_path(dir_.file("train.csv")) + " line 3, column 2: the cell is missing"));
  EXPECT_THAT(msg, HasSubstr("1 missing cells in the file"));
}

TEST_F(TabularTest, MissingMeanFillsFromTheTrainingSplit) {
  cfg_.missing = MissingPolicy::kMean;
  DataSplits s = load("a,color,label\n1,red,0\nNA,blue,1\n5,,0\n", "a,color,label\n,,1\n?,red,0\n");
  // a: mean of 1 and 5 = 3; color: blue, red, and a category of its own for missing cells.
  EXPECT_THAT(s.encoding.features.input_names(), ElementsAre("a", "color=blue", "color=red", "color=<missing>"));
  EXPECT_THAT(row(s.train, 1), ElementsAre(3, 1, 0, 0));
  EXPECT_THAT(row(s.train, 2), ElementsAre(5, 0, 0, 1));
  EXPECT_THAT(row(s.test, 0), ElementsAre(3, 0, 0, 1));
  EXPECT_THAT(row(s.test, 1), ElementsAre(3, 0, 1, 0));
  EXPECT_EQ(s.report["columns"][0]["missing"]["train"], 1);
  EXPECT_EQ(s.report["columns"][0]["missing"]["test"], 2);
  EXPECT_EQ(s.report["columns"][1]["missing"]["train"], 1);
}

TEST_F(TabularTest, MissingLabelIsAlwaysAnError) {
  cfg_.missing = MissingPolicy::kMean;
  EXPECT_THAT(error("a,label\n1,0\n2,\n3,1\n"), HasSubstr("line 3, column 2: the label is missing"));
}

TEST_F(TabularTest, TestColumnsAreMatchedByName) {
  // The test file has its columns in another order: read by name, the rows are the same.
  DataSplits s = load("a,b,label\n1,10,0\n2,20,1\n", "label,b,a\n1,30,3\n");
  EXPECT_THAT(row(s.test, 0), ElementsAre(3, 30));
  EXPECT_THAT(s.test.y, ElementsAre(1));
}

TEST_F(TabularTest, TestColumnsWithOtherNamesAreListed) {
  std::string msg = error("a,b,label\n1,10,0\n2,20,1\n", "a,c,label,d\n1,2,0,4\n");
  EXPECT_THAT(msg, HasSubstr(test_path() + " line 1: the header's columns differ from the training data"));
  EXPECT_THAT(msg, HasSubstr("missing 'b'; not in training 'c', 'd'"));
}

TEST_F(TabularTest, HeaderOfTextsAboveCategoriesIsDetected) {
  DataSplits s = load("color,shape,label\nred,round,yes\nblue,square,no\nred,square,yes\n");
  EXPECT_THAT(s.encoding.column_names, ElementsAre("color", "shape", "label"));
  EXPECT_THAT(s.encoding.classes.class_names(), ElementsAre("no", "yes"));
}

TEST_F(TabularTest, AStoredEncodingIsAppliedInsteadOfFittedAgain) {
  cfg_.normalize = Normalize::kScale;
  cfg_.missing = MissingPolicy::kMean;
  DataSplits fitted = load("a,color,label\n0,red,x\n10,blue,y\n,red,x\n", "color,a,label\nblue,5,y\n");
  const DataEncoding stored =
      data_encoding_from_json(nlohmann::json::parse(to_json(fitted.encoding).dump()), "stored");
  // The training file is now different: a refit would change the statistics; the stored
  // encoding does not read it at all when a test file is given.
  write_file(dir_.file("train.csv"), std::string("a,color,label\n100,green,z\n200,red,x\n"));
  DataSplits applied = load_data(cfg_, 0, &stored);
  EXPECT_EQ(applied.train.rows(), 0);
  EXPECT_EQ(row(applied.test, 0), row(fitted.test, 0));
  EXPECT_EQ(applied.test.y, fitted.test.y);
  EXPECT_EQ(to_json(applied.encoding), to_json(fitted.encoding));
}

TEST_F(TabularTest, DamagedStoredEncodingIsAUserError) {
  auto j = to_json(load("a,label\n1,0\n2,1\n", "a,label\n3,1\n").encoding);
  j["columns"]["label"] = 7;
  EXPECT_THAT(user_error([&] { data_encoding_from_json(j, "model.ckpt"); }),
              HasSubstr("model.ckpt: the stored data encoding is not valid"));
}

}  // namespace
}  // namespace mixprec
