#pragma once
// The one-screen data summary `mixprec validate` prints: rows per split, inputs after
// encoding, classes with counts, categorical columns, missing cells, and each numeric
// column's range on the training split after normalisation.
#include <string>

#include "data/load_data.hpp"

namespace mixprec {

std::string data_summary_text(const DataSplits& data);

}  // namespace mixprec
