// The in-memory steps of the file readers (decode_file_bytes, then parse_idx_* or
// parse_csv), which the fuzz targets in tests/fuzz/ call: they must give exactly what the
// file readers give, and name the caller's `name` in their errors.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "data/csv.hpp"
#include "data/csv_encode_util.hpp"
#include "data/data_test_util.hpp"
#include "data/file_bytes.hpp"
#include "data/idx.hpp"

namespace mixprec {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using namespace mixprec::testing;

// The gzip form of `plain`, written by zlib's gzwrite (an independent encoder).
Bytes gzipped(const Bytes& plain) {
  DataTempDir dir;
  write_gzip(dir.file("x.gz"), plain);
  return read_raw(dir.file("x.gz"));
}

TEST(DecodeFileBytes, PlainBytesPassThrough) {
  FileBytes f = decode_file_bytes(Bytes{1, 2, 0x1f}, "mem");
  EXPECT_EQ(f.bytes, (Bytes{1, 2, 0x1f}));
  EXPECT_FALSE(f.gzipped);
}

TEST(DecodeFileBytes, GzipMagicIsGunzipped) {
  FileBytes f = decode_file_bytes(gzipped(Bytes{7, 8, 9}), "mem");
  EXPECT_EQ(f.bytes, (Bytes{7, 8, 9}));
  EXPECT_TRUE(f.gzipped);
}

TEST(DecodeFileBytes, CorruptGzipNamesTheCaller) {
  std::string msg = user_error([] { decode_file_bytes(Bytes{0x1f, 0x8b, 0xff, 0xff}, "mem.gz"); });
  EXPECT_THAT(msg, StartsWith("'mem.gz'"));
}

TEST(ParseIdx, ImagesPlainAndGzipMatchTheHeader) {
  const Bytes pixels = {0, 1, 2, 3, 4, 5, 6, 255};  // 2 images of 2x2
  for (bool gz : {false, true}) {
    Bytes file = idx_images(2, 2, 2, pixels);
    IdxImages img = parse_idx_images(decode_file_bytes(gz ? gzipped(file) : file, "imgs"), "imgs");
    EXPECT_EQ(img.count, 2);
    EXPECT_EQ(img.rows, 2);
    EXPECT_EQ(img.cols, 2);
    EXPECT_EQ(img.pixels, pixels);
    EXPECT_EQ(img.gzipped, gz);
  }
}

TEST(ParseIdx, LabelsPlain) {
  IdxLabels lab = parse_idx_labels(decode_file_bytes(idx_labels(Bytes{3, 1, 4}), "labels"), "labels");
  EXPECT_EQ(lab.count, 3);
  EXPECT_EQ(lab.labels, (Bytes{3, 1, 4}));
  EXPECT_FALSE(lab.gzipped);
}

TEST(ParseIdx, ErrorsNameTheCallerAndOffset) {
  // The header promises 2 images of 2x2 = 8 bytes, 3 are there: the data ends at 16 + 3.
  std::string msg = user_error([] { parse_idx_images(decode_file_bytes(idx_images(2, 2, 2, Bytes{1, 2, 3}), "imgs"), "imgs"); });
  EXPECT_THAT(msg, StartsWith("'imgs': truncated IDX file"));
  EXPECT_THAT(msg, HasSubstr("data ends at byte offset 19, expected 24"));
  msg = user_error([] { parse_idx_labels(decode_file_bytes(idx_images(0, 1, 1, Bytes{}), "labs"), "labs"); });
  EXPECT_THAT(msg, HasSubstr("'labs': not an IDX label file"));
}

TEST(ParseCsv, SameTableAsTheFileReader) {
  EncodedCsv t = encode_csv(parse_csv(decode_file_bytes(to_bytes("a,b,label\n0.5,-2,1\n3,4e1,0\n"), "mem.csv"), "mem.csv", CsvHeader::kAuto), {});
  EXPECT_EQ(t.rows, 2);
  EXPECT_EQ(t.inputs, 2);
  EXPECT_THAT(t.features, ElementsAre(0.5f, -2.0f, 3.0f, 40.0f));
  EXPECT_THAT(t.labels, ElementsAre(1, 0));
  EXPECT_THAT(t.column_names, ElementsAre("a", "b", "label"));
  EXPECT_FALSE(t.gzipped);
}

TEST(ParseCsv, GzippedBytes) {
  EncodedCsv t = encode_csv(parse_csv(decode_file_bytes(gzipped(to_bytes("1,0\n3,1\n")), "mem.csv.gz"), "mem.csv.gz", CsvHeader::kAuto), {});
  EXPECT_THAT(t.features, ElementsAre(1.0f, 3.0f));
  EXPECT_THAT(t.labels, ElementsAre(0, 1));
  EXPECT_TRUE(t.gzipped);
}

TEST(ParseCsv, ErrorsNameTheCallerLineAndColumn) {
  std::string msg = user_error([] { parse_csv(decode_file_bytes(to_bytes("1,2\n3,4,5\n"), "mem.csv"), "mem.csv", CsvHeader::kAuto); });
  EXPECT_THAT(msg, StartsWith("'mem.csv' line 2, column 3: the row has 3 columns"));
}

}  // namespace
}  // namespace mixprec
