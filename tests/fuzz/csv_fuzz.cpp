// libFuzzer target: bytes -> the CSV reader (plain or gzipped) and the encoding of its
// labels and feature columns, as `load_data` reads data.train/data.test (every row a
// training row). The first byte picks the options (data.header, data.label_column and
// data.missing), the rest is the file:
//   bits 0-1: header 0 auto, 1 yes, 2 no, 3 auto
//   bits 2-4: label column index, one of kIndices
//   bit 5:    label column by the name "label" instead of the index
//   bit 6:    with bit 5, give the index as well (a config error the reader must report)
//   bit 7:    data.missing "mean" instead of "error"
// A UserError is the expected answer to bad input; anything else is a finding, and so is
// a table whose sizes or values break the reader's promises (csv.hpp).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "common/error.hpp"
#include "data/csv.hpp"
#include "data/csv_encode_util.hpp"

namespace {

constexpr int kIndices[8] = {-1, 0, 1, 2, -2, -3, 5, -9};

mixprec::CsvOptions options_from(std::uint8_t b) {
  mixprec::CsvOptions o;
  constexpr mixprec::CsvHeader kHeaders[4] = {mixprec::CsvHeader::kAuto, mixprec::CsvHeader::kYes,
                                              mixprec::CsvHeader::kNo, mixprec::CsvHeader::kAuto};
  o.header = kHeaders[b & 3];
  o.label_column_index = kIndices[(b >> 2) & 7];
  if (b & 0x20) {
    o.label_column_name = "label";
    if (!(b & 0x40)) o.label_column_index = -1;
  }
  return o;
}

void check(const mixprec::testing::EncodedCsv& t) {
  const auto rows = static_cast<std::size_t>(t.rows);
  if (t.rows < 1 || t.num_columns < 2 || t.label_column < 0 || t.label_column >= t.num_columns ||
      t.features.size() != rows * static_cast<std::size_t>(t.inputs) || t.labels.size() != rows ||
      t.lines.size() != rows ||
      !(t.column_names.empty() || t.column_names.size() == static_cast<std::size_t>(t.num_columns))) {
    std::abort();
  }
  for (float x : t.features) {
    if (!std::isfinite(x)) std::abort();
  }
  for (std::int32_t label : t.labels) {
    if (label < 0 || label >= static_cast<std::int32_t>(t.classes.size())) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const mixprec::CsvOptions options = options_from(data[0]);
  mixprec::DataConfig cfg;
  cfg.missing = (data[0] & 0x80) ? mixprec::MissingPolicy::kMean : mixprec::MissingPolicy::kError;
  try {
    const mixprec::FileBytes file = mixprec::decode_file_bytes({data + 1, data + size}, "fuzz.csv");
    const auto table = mixprec::parse_csv(file, "fuzz.csv", options.header);
    check(mixprec::testing::encode_csv(table, options, cfg));
  } catch (const mixprec::UserError&) {
  }
  return 0;
}
