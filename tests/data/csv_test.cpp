#include "data/csv.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "data/csv_encode_util.hpp"
#include "data/data_test_util.hpp"

namespace mixprec {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace mixprec::testing;

// Writes `text` to a fresh file and parses it.
class CsvTest : public ::testing::Test {
 protected:
  // Read and encoded with every row as a training row (csv_encode_util.hpp).
  EncodedCsv read(const std::string& text, const CsvOptions& options = {}, const DataConfig& cfg = {}) {
    write_file(path(), text);
    return encode_csv_file(path(), options, cfg);
  }
  std::string error(const std::string& text, const CsvOptions& options = {}, const DataConfig& cfg = {}) {
    write_file(path(), text);
    return user_error([&] { encode_csv_file(path(), options, cfg); });
  }
  std::string path() const { return dir_.file("t.csv"); }
  // The start every error message must have: the file, then the position.
  std::string at(int line, int column) const {
    return quote_path(path()) + " line " + std::to_string(line) + ", column " + std::to_string(column) + ": ";
  }
  DataTempDir dir_;
};

TEST_F(CsvTest, NoHeaderLabelLastByDefault) {
  EncodedCsv t = read("1.5,2,0\n-3,4e1,1\n");
  EXPECT_EQ(t.rows, 2);
  EXPECT_EQ(t.num_columns, 3);
  EXPECT_EQ(t.inputs, 2);
  EXPECT_EQ(t.label_column, 2);
  EXPECT_TRUE(t.column_names.empty());
  EXPECT_THAT(t.features, ElementsAre(1.5f, 2.0f, -3.0f, 40.0f));
  EXPECT_THAT(t.labels, ElementsAre(0, 1));
  EXPECT_THAT(t.lines, ElementsAre(1, 2));
}

TEST_F(CsvTest, AutoHeaderAndLabelByName) {
  CsvOptions o;
  o.label_column_name = "class";
  EncodedCsv t = read("a,class,b\n1,1,2\n3,0,4\n", o);
  EXPECT_THAT(t.column_names, ElementsAre("a", "class", "b"));
  EXPECT_EQ(t.label_column, 1);
  EXPECT_THAT(t.features, ElementsAre(1.0f, 2.0f, 3.0f, 4.0f));
  EXPECT_THAT(t.labels, ElementsAre(1, 0));
  EXPECT_THAT(t.lines, ElementsAre(2, 3));
}

TEST_F(CsvTest, LabelByIndexFromStartAndFromEnd) {
  CsvOptions first;
  first.label_column_index = 0;
  EncodedCsv t = read("1,10,20\n0,30,40\n", first);
  EXPECT_THAT(t.labels, ElementsAre(1, 0));
  EXPECT_THAT(t.features, ElementsAre(10.0f, 20.0f, 30.0f, 40.0f));

  CsvOptions second_last;
  second_last.label_column_index = -2;
  t = read("10,1,20\n30,0,40\n", second_last);
  EXPECT_EQ(t.label_column, 1);
  EXPECT_THAT(t.labels, ElementsAre(1, 0));
  EXPECT_THAT(t.features, ElementsAre(10.0f, 20.0f, 30.0f, 40.0f));
}

TEST_F(CsvTest, ForcedHeaderSkipsANumericFirstRow) {
  CsvOptions o;
  o.header = CsvHeader::kYes;
  EncodedCsv t = read("7,8,9\n1,2,0\n3,4,1\n", o);
  EXPECT_THAT(t.column_names, ElementsAre("7", "8", "9"));
  EXPECT_EQ(t.rows, 2);
  EXPECT_THAT(t.features, ElementsAre(1.0f, 2.0f, 3.0f, 4.0f));
}

TEST_F(CsvTest, GzipGivesTheSameTable) {
  std::string text = "x,y,label\n0.25,1,1\n2,3,0\n";
  write_gzip(dir_.file("t.csv.gz"), text);
  EncodedCsv gz = encode_csv_file(dir_.file("t.csv.gz"), {});
  EncodedCsv plain = read(text);
  EXPECT_TRUE(gz.gzipped);
  EXPECT_EQ(gz.features, plain.features);
  EXPECT_EQ(gz.labels, plain.labels);
  EXPECT_EQ(gz.column_names, plain.column_names);
}

TEST_F(CsvTest, ToleratesCrLfBomBlanksSpacesQuotesAndPlus) {
  EncodedCsv t = read("\xEF\xBB\xBF\"f1\", \"f2\" ,\"y\"\r\n\r\n +1.5 ,\t-2 , 1.0 \r\n\n1e-50,7,0\r\n");
  EXPECT_THAT(t.column_names, ElementsAre("f1", "f2", "y"));
  // 1e-50 underflows float to 0: accepted, as strtof would.
  EXPECT_THAT(t.features, ElementsAre(1.5f, -2.0f, 0.0f, 7.0f));
  EXPECT_THAT(t.labels, ElementsAre(1, 0));
  EXPECT_THAT(t.lines, ElementsAre(3, 5));  // blank lines still count
}

TEST_F(CsvTest, ParsesFloatsExactly) {
  // from_chars rounds correctly: 0.1 is the float nearest to 1/10.
  EncodedCsv t = read("0.1,3.4028235e38,-1.17549435e-38,0\n0,0,0,1\n");
  EXPECT_THAT(t.features, ElementsAre(0.1f, 3.4028235e38f, -1.17549435e-38f, 0.0f, 0.0f, 0.0f));
}

// ---- errors: each names the file, the 1-based line and column, and a hint

TEST_F(CsvTest, EmptyFile) {
  EXPECT_THAT(error(""), HasSubstr(at(1, 1) + "the file is empty"));
  EXPECT_THAT(error("\n  \n"), HasSubstr(at(1, 1) + "the file is empty"));
}

TEST_F(CsvTest, HeaderOnly) {
  EXPECT_THAT(error("a,b,label\n"), HasSubstr(quote_path(path()) + " line 1: the header is the only row"));
}

TEST_F(CsvTest, RaggedRowTooFewColumns) {
  std::string msg = error("1,2,0\n3,4,1\n5,6\n");
  EXPECT_THAT(msg, HasSubstr(at(3, 3) + "the row has 2 columns, expected 3 as on line 1"));
}

TEST_F(CsvTest, RaggedRowTooManyColumns) {
  std::string msg = error("a,b,y\n1,2,0\n\n3,4,1,9\n");
  EXPECT_THAT(msg, HasSubstr(at(4, 4) + "the row has 4 columns, expected 3 as on line 1"));
}

TEST_F(CsvTest, EmptyCellIsMissingAndAnErrorByDefault) {
  std::string msg = error("1,2,0\n3,,1\n");
  EXPECT_THAT(msg, HasSubstr(at(2, 2) + "the cell is missing"));
  EXPECT_THAT(msg, HasSubstr("set data.missing to \"mean\""));
}

TEST_F(CsvTest, MissingMarkersAreMissingCells) {
  // pandas' usual markers and UCI's '?' mean "missing", not a category or a header.
  for (const char* marker : {"NA", "N/A", "nan", "NaN", "null", "NULL", "None", "?", "#N/A"}) {
    EXPECT_THAT(error(fmt::format("1,2,0\n{},4,1\n", marker)), HasSubstr(at(2, 1) + "the cell is missing"))
        << marker;
  }
  // A missing value on the first line must not make that line a header.
  EXPECT_THAT(error("NaN,2,0\n1,2,1\n"), HasSubstr(at(1, 1) + "the cell is missing"));
}

TEST_F(CsvTest, Infinity) {
  EXPECT_THAT(error("1,2,0\n3,-inf,1\n"), HasSubstr(at(2, 2) + "value '-inf' is not finite"));
  EXPECT_THAT(error("1,2,0\ninf,4,1\n"), HasSubstr(at(2, 1) + "value 'inf' is not finite"));
}

TEST_F(CsvTest, OutOfFloatRange) {
  EXPECT_THAT(error("1,2,0\n1e39,4,1\n"), HasSubstr(at(2, 1) + "value '1e39' is outside the float range"));
}

TEST_F(CsvTest, ForcedNoHeaderOnATextRowSaysSo) {
  CsvOptions o;
  o.header = CsvHeader::kNo;
  std::string msg = error("a,b,y\n1,2,0\n", o);
  EXPECT_THAT(msg, HasSubstr(at(1, 1) + "'a' is text above a column of numbers"));
  EXPECT_THAT(msg, HasSubstr("data.header is false"));
}

TEST_F(CsvTest, NegativeLabel) {
  std::string msg = error("1,2,0\n3,4,-1\n");
  EXPECT_THAT(msg, HasSubstr(at(2, 3) + "label '-1' is not a non-negative integer"));
  EXPECT_THAT(msg, HasSubstr("the label column, column 3, holds numbers"));
}

TEST_F(CsvTest, FractionalAndMissingLabels) {
  EXPECT_THAT(error("1,2,0\n3,4,2.5\n"), HasSubstr(at(2, 3) + "label '2.5' is not a non-negative integer"));
  EXPECT_THAT(error("1,2,0\n3,4,\n"), HasSubstr(at(2, 3) + "the label is missing"));
  CsvOptions o;
  o.label_column_name = "y";
  EXPECT_THAT(error("a,b,y\n1,2,cat\n", o), HasSubstr("every training label is 'cat', expected at least 2 classes"));
}

TEST_F(CsvTest, IntegralFloatLabelsAreAccepted) {
  EncodedCsv t = read("1,2,1.0\n3,4,0e0\n");
  EXPECT_THAT(t.labels, ElementsAre(1, 0));
}

TEST_F(CsvTest, HugeLabel) {
  EXPECT_THAT(error("1,2,0\n3,4,5000000\n"), HasSubstr(at(2, 3) + "label '5000000' is too large"));
}

TEST_F(CsvTest, LabelNameWithoutHeader) {
  CsvOptions o;
  o.label_column_name = "y";
  std::string msg = error("1,2,0\n3,4,1\n", o);
  EXPECT_THAT(msg, HasSubstr(quote_path(path()) + " line 1: data.label_column is \"y\", a name, but the file has no header row"));
}

TEST_F(CsvTest, LabelNameNotInHeader) {
  CsvOptions o;
  o.label_column_name = "Label";
  std::string msg = error("a,b,label\n1,2,0\n", o);
  EXPECT_THAT(msg, HasSubstr(quote_path(path()) + " line 1: no column named 'Label' in the header, which has 3 "
                             "columns: 'a', 'b', 'label'"));
}

TEST_F(CsvTest, LabelNameTwiceIsAmbiguous) {
  CsvOptions o;
  o.label_column_name = "y";
  EXPECT_THAT(error("y,b,y\n1,2,0\n", o),
              HasSubstr(quote_path(path()) + " line 1, column 1: the header names more than one column 'y'"));
}

TEST_F(CsvTest, LabelNameAndIndexBothSet) {
  CsvOptions o;
  o.label_column_name = "y";
  o.label_column_index = 0;
  EXPECT_THAT(error("a,y\n1,0\n", o), HasSubstr(quote_path(path()) + ": the label column is given both by name 'y' "
                                                "and by index 0"));
}

TEST_F(CsvTest, LabelIndexOutOfRange) {
  CsvOptions o;
  o.label_column_index = 3;
  EXPECT_THAT(error("\n1,2,0\n3,4,1\n", o), HasSubstr(quote_path(path()) + " line 2: data.label_column 3 is out of "
                                               "range for 3 columns, expected 0..2 or -3..-1"));
  o.label_column_index = -4;
  EXPECT_THAT(error("1,2,0\n", o), HasSubstr("data.label_column -4 is out of range"));
}

TEST_F(CsvTest, SingleColumnSuggestsTheSeparator) {
  std::string msg = error("1;2;0\n");
  EXPECT_THAT(msg, HasSubstr(at(1, 1) + "the row has 1 column, expected at least 2"));
  EXPECT_THAT(msg, HasSubstr("contains ';'"));
}

TEST_F(CsvTest, ErrorsInsideGzipKeepLineNumbers) {
  write_gzip(dir_.file("bad.csv.gz"), std::string("1,2,0\n3,,1\n"));
  std::string msg = user_error([&] { encode_csv_file(dir_.file("bad.csv.gz"), {}); });
  EXPECT_THAT(msg, HasSubstr(quote_path(dir_.file("bad.csv.gz")) + " line 2, column 2: the cell is missing"));
}

TEST_F(CsvTest, LongCellsAreCutShortInMessages) {
  CsvOptions o;
  o.header = CsvHeader::kNo;
  std::string msg = error(std::string(100, 'z') + ",4,1\n1,2,0\n", o);
  EXPECT_THAT(msg, HasSubstr("'" + std::string(32, 'z') + "...' is text above a column of numbers"));
}

}  // namespace
}  // namespace mixprec
