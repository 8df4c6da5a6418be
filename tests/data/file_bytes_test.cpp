#include "data/file_bytes.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "data/data_test_util.hpp"

namespace mixprec {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using namespace mixprec::testing;

// Pseudo-random bytes compress poorly, so the output buffer has to grow past its first guess.
Bytes noise(std::size_t n) {
  Bytes b(n);
  std::uint32_t s = 12345;
  for (auto& v : b) {
    s = s * 1664525u + 1013904223u;  // Numerical Recipes LCG
    v = static_cast<std::uint8_t>(s >> 24);
  }
  return b;
}

TEST(ReadFileBytes, PlainFileIsReturnedAsIs) {
  DataTempDir dir;
  Bytes data = {0x00, 0x1f, 0x8b, 0xff, 'a'};  // gzip magic not at the start: plain
  write_file(dir.file("plain.bin"), data);
  FileBytes f = read_file_bytes(dir.file("plain.bin"));
  EXPECT_FALSE(f.gzipped);
  EXPECT_EQ(f.bytes, data);
}

TEST(ReadFileBytes, EmptyPlainFileGivesNoBytes) {
  DataTempDir dir;
  write_file(dir.file("empty"), Bytes{});
  FileBytes f = read_file_bytes(dir.file("empty"));
  EXPECT_FALSE(f.gzipped);
  EXPECT_TRUE(f.bytes.empty());
}

TEST(ReadFileBytes, GzipFileIsDecompressed) {
  DataTempDir dir;
  Bytes data = noise(3 << 20);  // larger than one 1 MiB read chunk
  write_gzip(dir.file("data.gz"), data);
  FileBytes f = read_file_bytes(dir.file("data.gz"));
  EXPECT_TRUE(f.gzipped);
  EXPECT_EQ(f.bytes, data);
}

TEST(ReadFileBytes, GzipOfNothingIsEmpty) {
  DataTempDir dir;
  write_gzip(dir.file("empty.gz"), Bytes{});
  FileBytes f = read_file_bytes(dir.file("empty.gz"));
  EXPECT_TRUE(f.gzipped);
  EXPECT_TRUE(f.bytes.empty());
}

TEST(ReadFileBytes, ConcatenatedGzipMembersAreJoined) {
  DataTempDir dir;
  write_gzip(dir.file("a.gz"), std::string("hello "));
  write_gzip(dir.file("b.gz"), std::string("world"));
  Bytes joined = read_raw(dir.file("a.gz"));
  Bytes b = read_raw(dir.file("b.gz"));
  joined.insert(joined.end(), b.begin(), b.end());
  write_file(dir.file("ab.gz"), joined);
  EXPECT_EQ(read_file_bytes(dir.file("ab.gz")).bytes, to_bytes("hello world"));
}

TEST(ReadFileBytes, MissingFileNamesThePathAndTheFetchScript) {
  DataTempDir dir;
  std::string path = dir.file("nope.gz");
  std::string msg = user_error([&] { read_file_bytes(path); });
  EXPECT_THAT(msg, HasSubstr("cannot open '" + path + "': No such file or directory"));
  EXPECT_THAT(msg, HasSubstr("scripts/fetch_data.sh"));
}

TEST(ReadFileBytes, DirectoryIsRejectedByName) {
  DataTempDir dir;
  std::string msg = user_error([&] { read_file_bytes(dir.path()); });
  EXPECT_THAT(msg, HasSubstr(quote_path(dir.path()) + ": it is a directory"));
}

TEST(ReadFileBytes, TruncatedGzipNamesFileAndOffset) {
  DataTempDir dir;
  write_gzip(dir.file("full.gz"), noise(20000));
  Bytes gz = read_raw(dir.file("full.gz"));
  gz.resize(gz.size() / 2);
  write_file(dir.file("cut.gz"), gz);
  std::string msg = user_error([&] { read_file_bytes(dir.file("cut.gz")); });
  EXPECT_THAT(msg, HasSubstr(quote_path(dir.file("cut.gz")) + ": truncated gzip file"));
  EXPECT_THAT(msg, HasSubstr("ends at byte " + std::to_string(gz.size())));
}

TEST(ReadFileBytes, TruncatedGzipTrailerIsTruncationToo) {
  DataTempDir dir;
  write_gzip(dir.file("full.gz"), std::string("some text"));
  Bytes gz = read_raw(dir.file("full.gz"));
  gz.resize(gz.size() - 3);  // inside the 8-byte CRC32 + length trailer
  write_file(dir.file("cut.gz"), gz);
  std::string msg = user_error([&] { read_file_bytes(dir.file("cut.gz")); });
  EXPECT_THAT(msg, HasSubstr("truncated gzip file"));
  EXPECT_THAT(msg, HasSubstr("ends at byte " + std::to_string(gz.size())));
}

TEST(ReadFileBytes, BadCrcIsCorruptAtTheTrailerOffset) {
  DataTempDir dir;
  write_gzip(dir.file("full.gz"), std::string("some text to check"));
  Bytes gz = read_raw(dir.file("full.gz"));
  gz[gz.size() - 8] ^= 0xff;  // first byte of the CRC32
  write_file(dir.file("crc.gz"), gz);
  std::string msg = user_error([&] { read_file_bytes(dir.file("crc.gz")); });
  EXPECT_THAT(msg, HasSubstr(quote_path(dir.file("crc.gz")) + ": corrupt gzip data near compressed byte offset"));
  EXPECT_THAT(msg, HasSubstr("incorrect data check"));
}

TEST(ReadFileBytes, BadCompressionMethodIsCorruptNearTheHeader) {
  DataTempDir dir;
  write_gzip(dir.file("full.gz"), std::string("abc"));
  Bytes gz = read_raw(dir.file("full.gz"));
  gz[2] = 7;  // CM must be 8 (deflate), RFC 1952 section 2.3
  write_file(dir.file("cm.gz"), gz);
  std::string msg = user_error([&] { read_file_bytes(dir.file("cm.gz")); });
  // zlib stops within the 10-byte header; the exact byte it reports is its own business.
  EXPECT_THAT(msg, MatchesRegex(".*corrupt gzip data near compressed byte offset [0-9]:.*"));
  EXPECT_THAT(msg, HasSubstr("unknown compression method"));
}

TEST(ReadFileBytes, GarbageAfterTheStreamIsAnErrorWithOffset) {
  DataTempDir dir;
  write_gzip(dir.file("full.gz"), std::string("abc"));
  Bytes gz = read_raw(dir.file("full.gz"));
  std::size_t end = gz.size();
  gz.push_back('x');
  gz.push_back('y');
  write_file(dir.file("tail.gz"), gz);
  std::string msg = user_error([&] { read_file_bytes(dir.file("tail.gz")); });
  EXPECT_THAT(msg, HasSubstr("2 unexpected bytes after the end of the gzip stream at compressed byte offset " +
                             std::to_string(end)));
}

TEST(ReadFileBytes, ZeroPaddingAfterTheStreamIsIgnored) {
  DataTempDir dir;
  write_gzip(dir.file("full.gz"), std::string("abc"));
  Bytes gz = read_raw(dir.file("full.gz"));
  gz.resize(gz.size() + 5, 0);  // as tape and block devices pad
  write_file(dir.file("pad.gz"), gz);
  EXPECT_EQ(read_file_bytes(dir.file("pad.gz")).bytes, to_bytes("abc"));
}

TEST(DescribeFile, SaysWhenOffsetsAreAfterGunzip) {
  EXPECT_EQ(describe_file("a", false), "'a'");
  EXPECT_EQ(describe_file("a.gz", true), "'a.gz' (after gunzip)");
}

}  // namespace
}  // namespace mixprec
