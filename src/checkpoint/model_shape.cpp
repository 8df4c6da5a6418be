#include "checkpoint/model_shape.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/error.hpp"
#include "config/config_enums.hpp"

namespace mixprec {

std::string describe(const ModelShape& s) {
  // fmt::join, not "-" + std::to_string: that trips a GCC 12 -Wrestrict false positive.
  return fmt::format("{}{}{}-{} {}, {}", s.input_dim, s.hidden.empty() ? "" : "-",
                     fmt::join(s.hidden, "-"), s.num_classes, to_string(s.activation),
                     to_string(s.precision));
}

void require_same_shape(const ModelShape& stored, const ModelShape& expected,
                        const std::string& file, std::string_view what) {
  if (stored == expected) return;
  std::vector<std::string> diffs;
  if (stored.precision != expected.precision)
    diffs.push_back(fmt::format("precision {} vs {}", to_string(stored.precision),
                                to_string(expected.precision)));
  if (stored.input_dim != expected.input_dim)
    diffs.push_back(fmt::format("input dimension {} vs {}", stored.input_dim, expected.input_dim));
  if (stored.hidden != expected.hidden)
    diffs.push_back(fmt::format("model.hidden [{}] vs [{}]", fmt::join(stored.hidden, ","),
                                fmt::join(expected.hidden, ",")));
  if (stored.num_classes != expected.num_classes)
    diffs.push_back(fmt::format("classes {} vs {}", stored.num_classes, expected.num_classes));
  if (stored.activation != expected.activation)
    diffs.push_back(fmt::format("model.activation {} vs {}", to_string(stored.activation),
                                to_string(expected.activation)));
  fail("{}: the checkpoint holds a {} model, but {} describes a {} model ({}) (hint: use the "
       "config and data the checkpoint was trained with)",
       file, describe(stored), what, describe(expected), fmt::join(diffs, "; "));
}

}  // namespace mixprec
