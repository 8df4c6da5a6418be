#include "data/idx.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "data/data_test_util.hpp"

namespace mixprec {
namespace {

using ::testing::HasSubstr;
using namespace mixprec::testing;

// 3 images of 2x2 pixels; pixel values 0..11 so that any reordering shows.
const Bytes kPixels = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 255};

TEST(ReadIdxImages, PlainFile) {
  DataTempDir dir;
  write_file(dir.file("img"), idx_images(3, 2, 2, kPixels));
  IdxImages img = read_idx_images(dir.file("img"));
  EXPECT_EQ(img.count, 3);
  EXPECT_EQ(img.rows, 2);
  EXPECT_EQ(img.cols, 2);
  EXPECT_EQ(img.pixels, kPixels);
  EXPECT_FALSE(img.gzipped);
}

TEST(ReadIdxImages, GzipFile) {
  DataTempDir dir;
  write_gzip(dir.file("img.gz"), idx_images(3, 2, 2, kPixels));
  IdxImages img = read_idx_images(dir.file("img.gz"));
  EXPECT_EQ(img.count, 3);
  EXPECT_EQ(img.pixels, kPixels);
  EXPECT_TRUE(img.gzipped);
}

TEST(ReadIdxImages, NonSquareImagesKeepRowsAndCols) {
  DataTempDir dir;
  write_file(dir.file("img"), idx_images(2, 1, 3, Bytes{1, 2, 3, 4, 5, 6}));
  IdxImages img = read_idx_images(dir.file("img"));
  EXPECT_EQ(img.rows, 1);
  EXPECT_EQ(img.cols, 3);
  EXPECT_EQ(img.pixels, (Bytes{1, 2, 3, 4, 5, 6}));
}

TEST(ReadIdxLabels, PlainAndGzip) {
  DataTempDir dir;
  write_file(dir.file("lab"), idx_labels(Bytes{3, 1, 4}));
  write_gzip(dir.file("lab.gz"), idx_labels(Bytes{3, 1, 4}));
  for (const char* name : {"lab", "lab.gz"}) {
    IdxLabels lab = read_idx_labels(dir.file(name));
    EXPECT_EQ(lab.count, 3) << name;
    EXPECT_EQ(lab.labels, (Bytes{3, 1, 4})) << name;
  }
}

TEST(ReadIdxImages, LabelFileGivenAsImagesNamesMagicAndSwap) {
  DataTempDir dir;
  write_file(dir.file("lab"), idx_labels(Bytes{1, 2}));
  std::string msg = user_error([&] { read_idx_images(dir.file("lab")); });
  EXPECT_THAT(msg, HasSubstr(quote_path(dir.file("lab")) + ": not an IDX image file"));
  EXPECT_THAT(msg, HasSubstr("magic number at byte offset 0 is 0x00000801, expected 0x00000803"));
  EXPECT_THAT(msg, HasSubstr("swapped"));
}

TEST(ReadIdxLabels, ImageFileGivenAsLabelsNamesMagic) {
  DataTempDir dir;
  write_gzip(dir.file("img.gz"), idx_images(3, 2, 2, kPixels));
  std::string msg = user_error([&] { read_idx_labels(dir.file("img.gz")); });
  EXPECT_THAT(msg, HasSubstr(quote_path(dir.file("img.gz")) + " (after gunzip): not an IDX label file"));
  EXPECT_THAT(msg, HasSubstr("byte offset 0 is 0x00000803, expected 0x00000801"));
}

TEST(ReadIdxImages, TextFileIsNotIdx) {
  DataTempDir dir;
  write_file(dir.file("x.csv"), std::string("1,2,3\n"));
  std::string msg = user_error([&] { read_idx_images(dir.file("x.csv")); });
  EXPECT_THAT(msg, HasSubstr("byte offset 0 is 0x312c322c"));  // "1,2,"
}

TEST(ReadIdxImages, ShortHeaderNamesSizeAndOffset) {
  DataTempDir dir;
  Bytes b = idx_images(3, 2, 2, {});
  b.resize(10);
  write_file(dir.file("img"), b);
  std::string msg = user_error([&] { read_idx_images(dir.file("img")); });
  EXPECT_THAT(msg, HasSubstr(quote_path(dir.file("img")) + ": truncated IDX image file: it is 10 bytes, shorter "
                             "than the 16-byte header (data ends at byte offset 10)"));
}

TEST(ReadIdxImages, EmptyFileIsTruncated) {
  DataTempDir dir;
  write_file(dir.file("img"), Bytes{});
  std::string msg = user_error([&] { read_idx_images(dir.file("img")); });
  EXPECT_THAT(msg, HasSubstr(quote_path(dir.file("img")) + ": truncated IDX image file: it is 0 bytes, shorter than the 16-byte header"));
}

TEST(ReadIdxImages, TruncatedPayloadNamesExpectedAndActualBytes) {
  DataTempDir dir;
  Bytes b = idx_images(3, 2, 2, kPixels);
  b.resize(b.size() - 2);  // 10 of the 12 pixel bytes
  write_file(dir.file("img"), b);
  std::string msg = user_error([&] { read_idx_images(dir.file("img")); });
  EXPECT_THAT(msg, HasSubstr(quote_path(dir.file("img")) + ": truncated IDX file: the header promises 3 images "
                             "of 2x2 pixels = 12 bytes after the 16-byte header, but only 10 are there "
                             "(data ends at byte offset 26, expected 28)"));
}

TEST(ReadIdxImages, TruncatedPayloadInsideGzipSaysAfterGunzip) {
  DataTempDir dir;
  Bytes b = idx_images(3, 2, 2, kPixels);
  b.resize(b.size() - 1);
  write_gzip(dir.file("img.gz"), b);
  std::string msg = user_error([&] { read_idx_images(dir.file("img.gz")); });
  EXPECT_THAT(msg, HasSubstr(quote_path(dir.file("img.gz")) + " (after gunzip): truncated IDX file"));
  EXPECT_THAT(msg, HasSubstr("data ends at byte offset 27, expected 28"));
}

TEST(ReadIdxImages, ExtraBytesAreAnErrorWithOffset) {
  DataTempDir dir;
  Bytes b = idx_images(3, 2, 2, kPixels);
  b.push_back(0);
  write_file(dir.file("img"), b);
  std::string msg = user_error([&] { read_idx_images(dir.file("img")); });
  EXPECT_THAT(msg, HasSubstr(quote_path(dir.file("img")) + ": 1 unexpected bytes after the IDX data at byte offset 28"));
}

TEST(ReadIdxImages, ZeroSizedImagesAreRejected) {
  DataTempDir dir;
  write_file(dir.file("img"), idx_images(3, 0, 2, {}));
  std::string msg = user_error([&] { read_idx_images(dir.file("img")); });
  EXPECT_THAT(msg, HasSubstr(quote_path(dir.file("img")) + ": the IDX image header at byte offset 8 says 0x2 pixels"));
}

TEST(ReadIdxLabels, TruncatedLabelsNameOffsets) {
  DataTempDir dir;
  Bytes b = idx_labels(Bytes{1, 2, 3, 4});
  b.resize(b.size() - 3);
  write_file(dir.file("lab"), b);
  std::string msg = user_error([&] { read_idx_labels(dir.file("lab")); });
  EXPECT_THAT(msg, HasSubstr(quote_path(dir.file("lab")) + ": truncated IDX file: the header promises 4 labels = "
                             "4 bytes after the 8-byte header, but only 1 are there (data ends at byte "
                             "offset 9, expected 12)"));
}

}  // namespace
}  // namespace mixprec
