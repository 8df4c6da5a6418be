#include "cli/precision_tables.hpp"

#include <fmt/format.h>

#include "precision/precision.hpp"
#include "train/loss_scaler.hpp"

namespace mixprec {
namespace {

std::string_view inf_nan_name(SpecialValues s) {
  switch (s) {
    case SpecialValues::kInfAndNan: return "inf and NaN";
    case SpecialValues::kNanOnly: return "NaN only";
  }
  return "?";
}

std::string_view overflow_name(OverflowRule r) {
  switch (r) {
    case OverflowRule::kToInfinity: return "to inf";
    case OverflowRule::kSaturate: return "saturates";
  }
  return "?";
}

}  // namespace

nlohmann::json formats_json() {
  nlohmann::json out = nlohmann::json::array();
  for (Format f : all_formats()) {
    const FormatTraits& t = traits(f);
    out.push_back({{"name", t.name},
                   {"bits", t.bits},
                   {"exponent_bits", t.exponent_bits},
                   {"mantissa_bits", t.mantissa_bits},
                   {"bias", t.bias},
                   {"largest_finite", t.largest_finite},
                   {"smallest_normal", t.smallest_normal},
                   {"smallest_subnormal", t.smallest_subnormal},
                   {"inf_nan", inf_nan_name(t.special)},
                   {"overflow", overflow_name(t.overflow)},
                   {"storage_bytes", t.storage_bytes},
                   {"checkpoint_code", t.checkpoint_code}});
  }
  return out;
}

nlohmann::json modes_json() {
  nlohmann::json out = nlohmann::json::array();
  for (Precision p : all_precisions()) {
    const ModeTraits& m = policy_for(p);
    nlohmann::json aliases = nlohmann::json::array(), roles = nlohmann::json::object();
    for (std::string_view a : m.aliases)
      if (!a.empty()) aliases.push_back(a);
    for (TensorRole r : kAllTensorRoles) roles[std::string(to_string(r))] = to_string(m.format(r));
    out.push_back({{"name", m.name},
                   {"aliases", aliases},
                   {"formats", roles},
                   {"master_weights", m.master ? to_string(*m.master) : "none"},
                   {"optimizer_state", to_string(m.optimizer_state)},
                   {"accumulate", to_string(m.accumulate)},
                   {"loss_scaling", to_string(m.default_loss_scaling)},
                   {"checkpoint_code", m.checkpoint_code}});
  }
  return out;
}

std::string formats_text(const nlohmann::json& formats) {
  std::string out = "format  bits  exp  mant  bias  largest finite  smallest normal  smallest subnormal  inf/NaN      overflow\n";
  for (const auto& f : formats)
    out += fmt::format("{:<7} {:>4}  {:>3}  {:>4}  {:>4}  {:<14.6g}  {:<15.6g}  {:<18.6g}  {:<12} {}\n",
                       f["name"].get<std::string>(), f["bits"].get<int>(), f["exponent_bits"].get<int>(),
                       f["mantissa_bits"].get<int>(), f["bias"].get<int>(),
                       f["largest_finite"].get<double>(), f["smallest_normal"].get<double>(),
                       f["smallest_subnormal"].get<double>(), f["inf_nan"].get<std::string>(),
                       f["overflow"].get<std::string>());
  return out;
}

std::string modes_text(const nlohmann::json& modes) {
  std::string out =
      "mode        input  weight  output_grad  weight_grad  saved_act  master  opt. state  loss scaling\n";
  for (const auto& m : modes) {
    const auto& r = m["formats"];
    out += fmt::format("{:<11} {:<6} {:<7} {:<12} {:<12} {:<10} {:<7} {:<11} {}\n",
                       m["name"].get<std::string>(), r["input"].get<std::string>(),
                       r["weight"].get<std::string>(), r["output_grad"].get<std::string>(),
                       r["weight_grad"].get<std::string>(), r["saved_activation"].get<std::string>(),
                       m["master_weights"].get<std::string>(), m["optimizer_state"].get<std::string>(),
                       m["loss_scaling"].get<std::string>());
  }
  return out;
}

}  // namespace mixprec
