#include "config/config_enums.hpp"

namespace mixprec {

template <>
const EnumNames<DataFormat>& enum_names<DataFormat>() {
  static const EnumNames<DataFormat> names = {{"idx", DataFormat::kIdx},
                                              {"csv", DataFormat::kCsv}};
  return names;
}

template <>
const EnumNames<Normalize>& enum_names<Normalize>() {
  static const EnumNames<Normalize> names = {{"none", Normalize::kNone},
                                             {"scale", Normalize::kScale},
                                             {"standardize", Normalize::kStandardize}};
  return names;
}

template <>
const EnumNames<CsvHeader>& enum_names<CsvHeader>() {
  static const EnumNames<CsvHeader> names = {
      {"auto", CsvHeader::kAuto}, {"true", CsvHeader::kYes}, {"false", CsvHeader::kNo}};
  return names;
}

template <>
const EnumNames<MissingPolicy>& enum_names<MissingPolicy>() {
  static const EnumNames<MissingPolicy> names = {{"error", MissingPolicy::kError},
                                                 {"mean", MissingPolicy::kMean}};
  return names;
}

template <>
const EnumNames<Activation>& enum_names<Activation>() {
  static const EnumNames<Activation> names = {
      {"relu", Activation::kRelu}, {"gelu", Activation::kGelu}, {"tanh", Activation::kTanh}};
  return names;
}

template <>
const EnumNames<Init>& enum_names<Init>() {
  static const EnumNames<Init> names = {
      {"auto", Init::kAuto}, {"he", Init::kHe}, {"xavier", Init::kXavier}};
  return names;
}

template <>
const EnumNames<OptimizerKind>& enum_names<OptimizerKind>() {
  static const EnumNames<OptimizerKind> names = {{"sgd", OptimizerKind::kSgd},
                                                 {"adam", OptimizerKind::kAdam},
                                                 {"adamw", OptimizerKind::kAdamW}};
  return names;
}

template <>
const EnumNames<ScheduleKind>& enum_names<ScheduleKind>() {
  static const EnumNames<ScheduleKind> names = {{"constant", ScheduleKind::kConstant},
                                                {"step", ScheduleKind::kStep},
                                                {"cosine", ScheduleKind::kCosine}};
  return names;
}

template <>
const EnumNames<LossScaling>& enum_names<LossScaling>() {
  static const EnumNames<LossScaling> names = {{"none", LossScaling::kNone},
                                               {"static", LossScaling::kStatic},
                                               {"dynamic", LossScaling::kDynamic}};
  return names;
}

template <>
const EnumNames<RoundingMode>& enum_names<RoundingMode>() {
  static const EnumNames<RoundingMode> names = [] {
    EnumNames<RoundingMode> out;
    for (RoundingMode m : {RoundingMode::kNearestEven, RoundingMode::kStochastic})
      out.emplace_back(std::string(to_string(m)), m);
    return out;
  }();
  return names;
}

template <>
const EnumNames<Compensation>& enum_names<Compensation>() {
  static const EnumNames<Compensation> names = {{"none", Compensation::kNone},
                                                {"kahan", Compensation::kKahan}};
  return names;
}

std::string to_string(DataFormat v) { return enum_name(v); }
std::string to_string(Normalize v) { return enum_name(v); }
std::string to_string(CsvHeader v) { return enum_name(v); }
std::string to_string(MissingPolicy v) { return enum_name(v); }
std::string to_string(Activation v) { return enum_name(v); }
std::string to_string(Init v) { return enum_name(v); }
std::string to_string(OptimizerKind v) { return enum_name(v); }
std::string to_string(ScheduleKind v) { return enum_name(v); }
std::string to_string(Compensation v) { return enum_name(v); }

}  // namespace mixprec
