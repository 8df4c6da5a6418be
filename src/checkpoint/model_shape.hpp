#pragma once
// What a checkpoint's weights fit: the precision mode and the MLP's layout. A checkpoint is
// only used with a config (or data) of the same shape; require_same_shape says what differs.
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace mixprec {

struct ModelShape {
  Precision precision = Precision::kFp32;
  int input_dim = 0;
  std::vector<int> hidden;
  int num_classes = 0;
  Activation activation = Activation::kRelu;

  bool operator==(const ModelShape&) const = default;
};

// "784-64-10 relu, fp16-mixed"
std::string describe(const ModelShape& s);

// Throws UserError "<file>: the checkpoint holds a <shape> model, but <what> describes a
// <shape> model (<which fields differ>)..." unless the shapes are equal.
void require_same_shape(const ModelShape& stored, const ModelShape& expected,
                        const std::string& file, std::string_view what);

}  // namespace mixprec
