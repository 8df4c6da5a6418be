#include "sweep/group_name.hpp"

#include "config/config_enums.hpp"

namespace mixprec {

const std::vector<Remedy>& remedies() {
  static const std::vector<Remedy> table = {
      {"rounding.weights", enum_name(RoundingMode::kNearestEven),
       enum_name(RoundingMode::kStochastic), "sr"},
      {"rounding.gradients", enum_name(RoundingMode::kNearestEven),
       enum_name(RoundingMode::kStochastic), "sr-grad"},
      {"optimizer.compensation", enum_name(Compensation::kNone), enum_name(Compensation::kKahan),
       "kahan"},
  };
  return table;
}

namespace {

bool is_on(const FlatConfig& settings, const Remedy& r) {
  const auto it = settings.find(r.key);
  return it != settings.end() && it->second == r.on;
}

}  // namespace

void fill_absent_remedies(FlatConfig& settings) {
  for (const Remedy& r : remedies()) settings.emplace(r.key, r.off);
}

std::string group_name(const FlatConfig& settings) {
  const auto precision = settings.find("precision");
  std::string name = precision != settings.end() && precision->second.is_string()
                         ? precision->second.get<std::string>()
                         : "?";
  for (const Remedy& r : remedies())
    if (is_on(settings, r)) name += "+" + r.suffix;
  return name;
}

std::pair<int, int> remedy_order(const FlatConfig& settings) {
  // A bit per remedy, the first remedy's the lowest: among equal counts, +sr before +kahan.
  int count = 0, bits = 0;
  for (std::size_t i = 0; i < remedies().size(); ++i)
    if (is_on(settings, remedies()[i])) {
      ++count;
      bits |= 1 << i;
    }
  return {count, bits};
}

}  // namespace mixprec
