#pragma once
// Canonical names of the config enums: one table per enum, shared by the JSON loader,
// to_json and any CLI flag that wants a name->enum map (CLI11's CheckedTransformer).
// to_string returns std::string, not string_view: CLI11 2.1 fails to compile an enum
// option when an ADL-visible to_string returns string_view (STYLE.md).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.hpp"

namespace mixprec {

template <typename E>
using EnumNames = std::vector<std::pair<std::string, E>>;

// The canonical names of enum E, in declaration order. Defined for every enum below.
template <typename E>
const EnumNames<E>& enum_names();

template <> const EnumNames<DataFormat>& enum_names<DataFormat>();
template <> const EnumNames<Normalize>& enum_names<Normalize>();
template <> const EnumNames<CsvHeader>& enum_names<CsvHeader>();
template <> const EnumNames<MissingPolicy>& enum_names<MissingPolicy>();
template <> const EnumNames<Activation>& enum_names<Activation>();
template <> const EnumNames<Init>& enum_names<Init>();
template <> const EnumNames<OptimizerKind>& enum_names<OptimizerKind>();
template <> const EnumNames<ScheduleKind>& enum_names<ScheduleKind>();
template <> const EnumNames<LossScaling>& enum_names<LossScaling>();
template <> const EnumNames<RoundingMode>& enum_names<RoundingMode>();
template <> const EnumNames<Compensation>& enum_names<Compensation>();

std::string to_string(DataFormat v);
std::string to_string(Normalize v);
std::string to_string(CsvHeader v);  // "auto", "true", "false" (JSON writes true/false)
std::string to_string(MissingPolicy v);
std::string to_string(Activation v);
std::string to_string(Init v);
std::string to_string(OptimizerKind v);
std::string to_string(ScheduleKind v);
std::string to_string(Compensation v);
// to_string(LossScaling) is not here: src/train/loss_scaler.hpp defines it (same names).
// to_string(RoundingMode) is not here either: precision/rounding.hpp spells its names, and
// enum_names<RoundingMode> takes them from there.

// The canonical name of any enum with a table above.
template <typename E>
std::string enum_name(E v) {
  for (const auto& [name, value] : enum_names<E>())
    if (value == v) return name;
  return "?";  // unreachable for a valid enumerator
}

// `"a", "b", "c"`: the allowed names for an error message.
template <typename E>
std::string quoted_names() {
  std::string out;
  for (const auto& [name, value] : enum_names<E>()) {
    if (!out.empty()) out += ", ";
    out += '"' + name + '"';
  }
  return out;
}

}  // namespace mixprec
