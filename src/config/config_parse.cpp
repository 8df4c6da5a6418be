// parse_config: every key is read by hand (no NLOHMANN_JSON_SERIALIZE_ENUM, no WITH_DEFAULT
// macros: both accept bad input silently, STYLE.md), checked for type and range, and
// every object is checked for unknown keys against config_schema.
#include "config/config_parse.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string_view>

#include "common/error.hpp"
#include "config/config_enums.hpp"
#include "config/config_loader.hpp"
#include "config/config_schema.hpp"

namespace mixprec {

using nlohmann::json;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// An interval of allowed numbers; describe() writes it as the error message expects.
struct Range {
  double lo;
  bool lo_closed;
  double hi;
  bool hi_closed;

  bool contains(double x) const {
    return (lo_closed ? x >= lo : x > lo) && (hi_closed ? x <= hi : x < hi);
  }
  std::string describe() const {
    if (hi == kInf) return fmt::format("{} {}", lo_closed ? ">=" : ">", lo);
    return fmt::format("in {}{}, {}{}", lo_closed ? '[' : '(', lo, hi, hi_closed ? ']' : ')');
  }
};

constexpr Range kPositive{0, false, kInf, false};
constexpr Range kNonNegative{0, true, kInf, false};
constexpr Range kFraction{0, true, 1, false};       // [0, 1)
constexpr Range kOpenUnit{0, false, 1, false};      // (0, 1)
constexpr Range kUnitNoZero{0, false, 1, true};     // (0, 1]
constexpr Range kAboveOne{1, false, kInf, false};

// The JSON value as the user wrote it, shortened if it is a large object.
std::string shown(const json& v) {
  std::string text = v.dump();
  return text.size() <= 60 ? text : text.substr(0, 57) + "...";
}

std::string type_of(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "an integer";
    case json::value_t::number_float: {
      // JSON keeps no trace of how a whole number was written: 2.0, 1e2 and an integer
      // beyond 64 bits all arrive as a double.
      double x = v.get<double>();
      if (x != std::floor(x)) return "a fractional number";
      if (std::abs(x) >= 0x1p64) return "an integer too large for 64 bits";
      return "a number in floating-point form (a decimal point or an exponent, as in 2.0 or 1e2)";
    }
    case json::value_t::string: return "a string";
    case json::value_t::array: return "a list";
    case json::value_t::object: return "an object";
    default: return "an unsupported JSON value";
  }
}

// A hint for the usual type slips: a quoted number, or 2.0 where an integer is needed.
std::string type_hint(const json& v, bool want_integer) {
  if (v.is_string()) {
    json inner = json::parse(v.get<std::string>(), nullptr, false);
    if (inner.is_number() || inner.is_boolean())
      return fmt::format(" (hint: remove the quotes: {})", inner.dump());
  }
  if (want_integer && v.is_number_float()) {
    double x = v.get<double>();
    if (x == std::floor(x) && std::abs(x) < 1e15)
      return fmt::format(" (hint: write {} without a decimal point or exponent)",
                         static_cast<long long>(x));
  }
  return {};
}

std::string join_path(std::string_view parent, std::string_view key) {
  return parent.empty() ? std::string(key) : fmt::format("{}.{}", parent, key);
}

class Parser {
 public:
  Parser(const std::string& source, const std::vector<OverrideOrigin>& overrides)
      : source_(source), overrides_(overrides) {}

  // The file, or the last --set that wrote `path` or an object above it.
  std::string origin(std::initializer_list<std::string_view> paths) const {
    std::string found = source_;
    for (const auto& o : overrides_) {
      for (std::string_view path : paths) {
        bool covers = path == o.path ||
                      (path.size() > o.path.size() && path.substr(0, o.path.size()) == o.path &&
                       (path[o.path.size()] == '.' || path[o.path.size()] == '['));
        if (covers) found = "--set " + o.assignment;
      }
    }
    return found;
  }
  std::string origin(std::string_view path) const { return origin({path}); }

  [[noreturn]] void wrong_type(std::string_view key, const json& v, std::string_view expected,
                               bool want_integer = false) const {
    fail("{}: {} = {}: expected {}, got {}{}", origin(key), key, shown(v), expected, type_of(v),
         type_hint(v, want_integer));
  }

  [[noreturn]] void out_of_range(std::string_view key, const json& v,
                                 std::string_view expected) const {
    fail("{}: {} = {}: expected {}", origin(key), key, shown(v), expected);
  }

  // `v` must be an object whose keys are all in the schema under `path`.
  void check_object(const json& v, std::string_view path) const {
    if (!v.is_object()) {
      if (path.empty()) fail("{}: expected a JSON object {{...}} at the top level, got {}",
                             source_, type_of(v));
      wrong_type(path, v, fmt::format("an object with keys {}", fmt::join(child_keys(path), ", ")));
    }
    for (const auto& [key, value] : v.items()) {
      std::string full = join_path(path, key);
      if (find_key(full) == nullptr) fail("{}: {}", origin(full), unknown_key_message(full));
    }
  }

  double number(const json& v, std::string_view key, Range range) const {
    std::string expected = "a number " + range.describe();
    if (!v.is_number()) wrong_type(key, v, expected);
    double x = v.get<double>();
    if (!std::isfinite(x) || !range.contains(x)) out_of_range(key, v, expected);
    return x;
  }

  std::int64_t integer(const json& v, std::string_view key, std::int64_t lo,
                       std::int64_t hi = INT_MAX) const {
    std::string expected = fmt::format("an integer >= {}", lo);
    if (!v.is_number_integer()) wrong_type(key, v, expected, true);
    bool too_big = v.is_number_unsigned()
                       ? v.get<std::uint64_t>() > static_cast<std::uint64_t>(hi)
                       : v.get<std::int64_t>() > hi;
    if (too_big) out_of_range(key, v, fmt::format("an integer in [{}, {}]", lo, hi));
    // nlohmann stores every non-negative integer as unsigned, so the lower bound applies
    // to both kinds (it once skipped unsigned values, letting "batch_size": 0 through).
    // An unsigned value is <= hi here, so it fits an int64.
    const std::int64_t x = v.is_number_unsigned() ? static_cast<std::int64_t>(v.get<std::uint64_t>())
                                                  : v.get<std::int64_t>();
    if (x < lo) out_of_range(key, v, expected);
    return x;
  }

  int small_integer(const json& v, std::string_view key, int lo) const {
    return static_cast<int>(integer(v, key, lo, INT_MAX));
  }

  std::uint64_t unsigned_integer(const json& v, std::string_view key) const {
    if (v.is_number_unsigned()) return v.get<std::uint64_t>();
    if (v.is_number_integer()) out_of_range(key, v, "an integer >= 0");
    wrong_type(key, v, "an integer >= 0", true);
  }

  bool boolean(const json& v, std::string_view key) const {
    if (!v.is_boolean()) wrong_type(key, v, "true or false");
    return v.get<bool>();
  }

  std::string string(const json& v, std::string_view key, bool allow_empty) const {
    if (!v.is_string()) wrong_type(key, v, "a string");
    std::string s = v.get<std::string>();
    if (s.empty() && !allow_empty) out_of_range(key, v, "a non-empty string");
    return s;
  }

  // One of enum E's names, with a did-you-mean for a near miss.
  template <typename E>
  E choice(const json& v, std::string_view key) const {
    std::string expected = "one of " + quoted_names<E>();
    if (!v.is_string()) wrong_type(key, v, expected);
    const std::string& text = v.get_ref<const std::string&>();
    std::vector<std::string> names;
    for (const auto& [name, value] : enum_names<E>()) {
      if (name == text) return value;
      names.push_back(name);
    }
    unknown_name(key, v, expected, names);
  }

  [[noreturn]] void unknown_name(std::string_view key, const json& v, std::string_view expected,
                                 const std::vector<std::string>& names) const {
    auto close = closest_words(v.get<std::string>(), names);
    std::string suggestion =
        close.empty() ? std::string{} : fmt::format("; did you mean \"{}\"?", close.front());
    fail("{}: {} = {}: expected {}{}", origin(key), key, shown(v), expected, suggestion);
  }

  void parse_data(const json& j, DataConfig& d) const;
  void parse_model(const json& j, ModelConfig& m) const;
  void parse_optimizer(const json& j, OptimizerConfig& o) const;
  void parse_schedule(const json& j, ScheduleConfig& s) const;
  void parse_loss_scale(const json& j, LossScaleConfig& l) const;
  void parse_rounding(const json& j, RoundingConfig& r) const;
  void parse_train(const json& j, TrainConfig& t) const;
  Precision parse_precision_value(const json& v) const;
  void check_consistency(const Config& c) const;
  void check_remedies(const Config& c) const;

 private:
  const std::string& source_;
  const std::vector<OverrideOrigin>& overrides_;
};

// Calls fn(value) when `object` has `key`.
template <typename Fn>
void with(const json& object, const char* key, Fn&& fn) {
  auto it = object.find(key);
  if (it != object.end()) fn(*it);
}

void Parser::parse_data(const json& j, DataConfig& d) const {
  check_object(j, "data");
  with(j, "format", [&](const json& v) { d.format = choice<DataFormat>(v, "data.format"); });
  with(j, "dir", [&](const json& v) { d.dir = string(v, "data.dir", true); });
  with(j, "train", [&](const json& v) { d.train = string(v, "data.train", true); });
  with(j, "test", [&](const json& v) { d.test = string(v, "data.test", true); });
  with(j, "test_fraction",
       [&](const json& v) { d.test_fraction = number(v, "data.test_fraction", kFraction); });
  with(j, "label_column", [&](const json& v) {
    const char* expected = "a column name (string) or a 0-based column index (integer)";
    if (v.is_string()) {
      d.label_column_name = string(v, "data.label_column", false);
      d.label_column_index = -1;  // the initialiser, so that to_json round-trips
    } else if (v.is_number_integer()) {
      d.label_column_index = static_cast<int>(integer(v, "data.label_column", INT_MIN));
      d.label_column_name.clear();
    } else {
      wrong_type("data.label_column", v, expected, true);
    }
  });
  with(j, "header", [&](const json& v) {
    if (v.is_boolean()) {
      d.header = v.get<bool>() ? CsvHeader::kYes : CsvHeader::kNo;
    } else if (v.is_string() && v.get<std::string>() == "auto") {
      d.header = CsvHeader::kAuto;
    } else if (v.is_string()) {
      out_of_range("data.header", v, "\"auto\", true or false (true and false without quotes)");
    } else {
      wrong_type("data.header", v, "\"auto\", true or false");
    }
  });
  with(j, "normalize", [&](const json& v) { d.normalize = choice<Normalize>(v, "data.normalize"); });
  with(j, "validation_fraction", [&](const json& v) {
    d.validation_fraction = number(v, "data.validation_fraction", kFraction);
  });
  with(j, "max_train_samples", [&](const json& v) {
    d.max_train_samples = integer(v, "data.max_train_samples", 0, INT64_MAX);
  });
  with(j, "missing", [&](const json& v) { d.missing = choice<MissingPolicy>(v, "data.missing"); });
  with(j, "categorical", [&](const json& v) {
    const char* expected = "a list of column names (strings) or 0-based column indices (integers)";
    if (!v.is_array()) wrong_type("data.categorical", v, expected);
    d.categorical.clear();
    for (std::size_t i = 0; i < v.size(); ++i) {
      const std::string key = fmt::format("data.categorical[{}]", i);
      ColumnRef ref;
      if (v[i].is_string()) ref.name = string(v[i], key, false);
      else if (v[i].is_number_integer()) ref.index = small_integer(v[i], key, 0);
      else wrong_type(key, v[i], "a column name (string) or a 0-based column index (integer)", true);
      d.categorical.push_back(ref);
    }
  });
}

void Parser::parse_model(const json& j, ModelConfig& m) const {
  check_object(j, "model");
  with(j, "hidden", [&](const json& v) {
    if (!v.is_array())
      wrong_type("model.hidden", v, "a list of positive integers such as [256, 128] or []");
    m.hidden.clear();
    for (std::size_t i = 0; i < v.size(); ++i)
      m.hidden.push_back(small_integer(v[i], fmt::format("model.hidden[{}]", i), 1));
  });
  with(j, "activation",
       [&](const json& v) { m.activation = choice<Activation>(v, "model.activation"); });
  with(j, "init", [&](const json& v) { m.init = choice<Init>(v, "model.init"); });
}

void Parser::parse_optimizer(const json& j, OptimizerConfig& o) const {
  check_object(j, "optimizer");
  with(j, "name", [&](const json& v) { o.kind = choice<OptimizerKind>(v, "optimizer.name"); });
  with(j, "lr", [&](const json& v) { o.lr = number(v, "optimizer.lr", kPositive); });
  with(j, "momentum",
       [&](const json& v) { o.momentum = number(v, "optimizer.momentum", kFraction); });
  with(j, "dampening",
       [&](const json& v) { o.dampening = number(v, "optimizer.dampening", kFraction); });
  with(j, "nesterov", [&](const json& v) { o.nesterov = boolean(v, "optimizer.nesterov"); });
  with(j, "weight_decay",
       [&](const json& v) { o.weight_decay = number(v, "optimizer.weight_decay", kNonNegative); });
  with(j, "beta1", [&](const json& v) { o.beta1 = number(v, "optimizer.beta1", kFraction); });
  with(j, "beta2", [&](const json& v) { o.beta2 = number(v, "optimizer.beta2", kFraction); });
  with(j, "eps", [&](const json& v) { o.eps = number(v, "optimizer.eps", kPositive); });
  with(j, "clip_grad_norm", [&](const json& v) {
    o.clip_grad_norm = number(v, "optimizer.clip_grad_norm", kNonNegative);
  });
  with(j, "compensation", [&](const json& v) {
    o.compensation = choice<Compensation>(v, "optimizer.compensation");
  });
}

void Parser::parse_schedule(const json& j, ScheduleConfig& s) const {
  check_object(j, "schedule");
  with(j, "name", [&](const json& v) { s.kind = choice<ScheduleKind>(v, "schedule.name"); });
  with(j, "warmup_epochs", [&](const json& v) {
    s.warmup_epochs = number(v, "schedule.warmup_epochs", kNonNegative);
  });
  with(j, "step_epochs",
       [&](const json& v) { s.step_epochs = small_integer(v, "schedule.step_epochs", 1); });
  with(j, "gamma", [&](const json& v) { s.gamma = number(v, "schedule.gamma", kUnitNoZero); });
  with(j, "min_lr", [&](const json& v) { s.min_lr = number(v, "schedule.min_lr", kNonNegative); });
}

void Parser::parse_loss_scale(const json& j, LossScaleConfig& l) const {
  const char* expected_mode = "one of \"auto\", \"none\", \"static\", \"dynamic\"";
  auto mode = [&](const json& v, std::string_view key) -> std::optional<LossScaling> {
    if (!v.is_string()) wrong_type(key, v, expected_mode);
    if (v.get<std::string>() == "auto") return std::nullopt;
    std::vector<std::string> names = {"auto"};
    for (const auto& [name, value] : enum_names<LossScaling>()) {
      if (name == v.get<std::string>()) return value;
      names.push_back(name);
    }
    unknown_name(key, v, expected_mode, names);
  };
  if (j.is_string()) {  // shorthand: "dynamic"
    l.mode = mode(j, "loss_scale");
    return;
  }
  if (j.is_number()) {  // shorthand: a static scale
    l.mode = LossScaling::kStatic;
    l.init = number(j, "loss_scale", kPositive);
    return;
  }
  if (!j.is_object())
    wrong_type("loss_scale", j,
               "\"auto\", \"none\", \"static\", \"dynamic\", a number (a static scale) or an "
               "object");
  check_object(j, "loss_scale");
  with(j, "mode", [&](const json& v) { l.mode = mode(v, "loss_scale.mode"); });
  with(j, "init", [&](const json& v) { l.init = number(v, "loss_scale.init", kPositive); });
  with(j, "growth_factor", [&](const json& v) {
    l.growth_factor = number(v, "loss_scale.growth_factor", kAboveOne);
  });
  with(j, "growth_interval", [&](const json& v) {
    l.growth_interval = small_integer(v, "loss_scale.growth_interval", 1);
  });
  with(j, "backoff_factor", [&](const json& v) {
    l.backoff_factor = number(v, "loss_scale.backoff_factor", kOpenUnit);
  });
  with(j, "min", [&](const json& v) { l.min = number(v, "loss_scale.min", kPositive); });
}

void Parser::parse_rounding(const json& j, RoundingConfig& r) const {
  check_object(j, "rounding");
  with(j, "weights",
       [&](const json& v) { r.weights = choice<RoundingMode>(v, "rounding.weights"); });
  with(j, "gradients",
       [&](const json& v) { r.gradients = choice<RoundingMode>(v, "rounding.gradients"); });
}

void Parser::parse_train(const json& j, TrainConfig& t) const {
  check_object(j, "train");
  with(j, "epochs", [&](const json& v) { t.epochs = small_integer(v, "train.epochs", 1); });
  with(j, "batch_size",
       [&](const json& v) { t.batch_size = small_integer(v, "train.batch_size", 1); });
  with(j, "eval_batch_size",
       [&](const json& v) { t.eval_batch_size = small_integer(v, "train.eval_batch_size", 1); });
  with(j, "shuffle", [&](const json& v) { t.shuffle = boolean(v, "train.shuffle"); });
}

Precision Parser::parse_precision_value(const json& v) const {
  // Lightning users write precision=16 or 32 as numbers; take those as their names.
  std::string where = fmt::format("{}: precision", origin("precision"));
  if (v.is_number_integer()) return parse_precision(v.dump(), where);
  if (!v.is_string())
    wrong_type("precision", v, "a precision name such as \"fp32\" or \"bf16-mixed\"");
  return parse_precision(v.get<std::string>(), where);
}

// Rules that tie keys together. Every one holds for Config{}.
void Parser::check_consistency(const Config& c) const {
  // The name starts the run folder's name (<name>-<precision>-<UTC time>, up to NAME_MAX
  // = 255 bytes in all): refused here, not when the run has already loaded its data.
  const std::string& n = c.name;
  const bool control = std::any_of(n.begin(), n.end(), [](char ch) { return (unsigned char)ch < 0x20 || ch == 0x7f; });
  if (n == "." || n == ".." || n.find('/') != std::string::npos || control || n.size() > 200)
    fail("{}: name = {}: cannot start a folder name (<name>-<precision>-<time>): expected at "
         "most 200 bytes, no '/', no control characters, not \".\" or \"..\" (hint: use "
         "letters, digits, '-' or '_')", origin("name"), shown(json(n)));
  const DataConfig& d = c.data;
  if (d.format == DataFormat::kIdx) {
    for (const auto& [key, value] : {std::pair{"data.train", d.train}, {"data.test", d.test}})
      if (!value.empty())
        fail("{}: {} = \"{}\" is only read when data.format is \"csv\", but data.format is "
             "\"idx\" (hint: add \"format\": \"csv\" to data)",
             origin({key, "data.format"}), key, value);
    if (!d.categorical.empty())
      fail("{}: data.categorical lists {} columns, but IDX images have no columns to encode "
           "(hint: data.categorical is for data.format \"csv\"; remove it)",
           origin({"data.categorical", "data.format"}), d.categorical.size());
  } else if (!d.dir.empty()) {
    fail("{}: data.dir = \"{}\" is only read when data.format is \"idx\", but data.format is "
         "\"csv\" (hint: name the csv file in data.train)",
         origin({"data.dir", "data.format"}), d.dir);
  }

  const OptimizerConfig& o = c.optimizer;
  if (o.nesterov && o.kind != OptimizerKind::kSgd)
    fail("{}: optimizer.nesterov = true only applies to optimizer.name \"sgd\", got \"{}\"",
         origin({"optimizer.nesterov", "optimizer.name"}), to_string(o.kind));
  // PyTorch's SGD raises the same error: Nesterov momentum needs momentum and no dampening.
  if (o.nesterov && (o.momentum <= 0 || o.dampening != 0))
    fail("{}: optimizer.nesterov = true requires optimizer.momentum > 0 and "
         "optimizer.dampening = 0 (got momentum {}, dampening {}), as in PyTorch's SGD",
         origin({"optimizer.nesterov", "optimizer.momentum", "optimizer.dampening"}), o.momentum,
         o.dampening);

  if (c.schedule.kind == ScheduleKind::kCosine && c.schedule.min_lr > o.lr)
    fail("{}: schedule.min_lr = {} is above optimizer.lr = {}: a cosine schedule decays from "
         "lr down to min_lr",
         origin({"schedule.min_lr", "optimizer.lr", "schedule.name"}), c.schedule.min_lr, o.lr);

  // The trainer keeps these in fp32: a value that rounds to 0 there passes "> 0" here but
  // trains nothing.
  if (float(o.lr) == 0.0f)
    fail("{}: optimizer.lr = {} rounds to 0 in fp32, where the update is computed: expected "
         "at least {:g} (hint: a learning rate this small trains nothing; try 1e-4 to 0.1)",
         origin("optimizer.lr"), o.lr, double(std::numeric_limits<float>::denorm_min()));
  if (float(o.eps) == 0.0f)
    fail("{}: optimizer.eps = {} rounds to 0 in fp32: expected at least {:g} (hint: the usual "
         "value is 1e-8)", origin("optimizer.eps"), o.eps,
         double(std::numeric_limits<float>::denorm_min()));

  const LossScaleConfig& l = c.loss_scale;
  LossScaling mode = l.mode.value_or(policy_for(c.precision).default_loss_scaling);
  // The scale is an fp32 number: above its maximum it is inf, every scaled gradient is
  // inf, and every step is skipped: the run would "complete" having trained nothing.
  constexpr double kFloatMax = std::numeric_limits<float>::max();
  if (mode != LossScaling::kNone && l.init > kFloatMax)
    fail("{}: loss_scale.init = {} is above the fp32 maximum {:g}, where the scale is kept: it "
         "would be inf and every step skipped (hint: 65536 is the usual start; dynamic scaling "
         "finds the right scale by itself)", origin({"loss_scale", "loss_scale.init"}), l.init,
         kFloatMax);
  if (mode == LossScaling::kDynamic && l.init * l.growth_factor > kFloatMax)
    fail("{}: loss_scale.growth_factor = {} would grow loss_scale.init = {} past the fp32 "
         "maximum {:g} at its first growth (hint: the usual factor is 2)",
         origin({"loss_scale.growth_factor", "loss_scale.init", "loss_scale"}), l.growth_factor,
         l.init, kFloatMax);
  if (mode == LossScaling::kDynamic && l.init < l.min)
    fail("{}: loss_scale.init = {} is below loss_scale.min = {}: a dynamic scale below its "
         "minimum ends the run at once",
         origin({"loss_scale", "precision"}), l.init, l.min);
  check_remedies(c);
}

// The modes, from the mode table, where an update rounds into the stored weights: those
// without master weights (the mixed modes and fp32 update an fp32 master).
bool updates_round(const ModeTraits& mode) { return !mode.has_master(); }

// ...and those that round some gradient from the format it is computed in.
bool gradients_round(const ModeTraits& mode) {
  for (TensorRole role : {TensorRole::kOutputGrad, TensorRole::kWeightGrad})
    if (traits(mode.format(role)).bits < traits(mode.accumulate).bits) return true;
  return false;
}

std::string modes_where(bool (*applies)(const ModeTraits&)) {
  std::vector<std::string> names;
  for (Precision p : all_precisions())
    if (applies(policy_for(p))) names.push_back(to_string(p));
  return fmt::format("{}", fmt::join(names, ", "));
}

// NUMERICS.md "Beyond nearest rounding": each remedy needs a mode that rounds what it acts on.
void Parser::check_remedies(const Config& c) const {
  const ModeTraits& mode = policy_for(c.precision);
  const Format stored = mode.format(TensorRole::kWeight);
  auto update_remedy = [&](std::string_view key, const std::string& value) {
    if (updates_round(mode)) return;
    // A mixed mode's master already keeps the small updates that rounding would lose; the
    // way to these remedies is the mode that stores the same weights without one.
    const ModeTraits* same_weights = nullptr;
    for (Precision p : all_precisions())
      if (updates_round(policy_for(p)) && policy_for(p).format(TensorRole::kWeight) == stored)
        same_weights = &policy_for(p);
    const std::string cause =
        stored == mode.update_format()
            ? fmt::format("keeps its weights in {}", to_string(stored))
            : fmt::format("applies its updates to {} master weights",
                          to_string(mode.update_format()));
    const std::string hint =
        same_weights ? fmt::format("the master already keeps small updates; precision \"{}\" is "
                                   "{} without one", same_weights->name, to_string(stored))
                     : fmt::format("remove {}, or use one of those modes", key);
    fail("{}: {} = \"{}\" only applies to the modes without master weights ({}), where each "
         "update rounds into the stored weights; precision \"{}\" {} (hint: {})",
         origin({key, "precision"}), key, value, modes_where(updates_round), mode.name, cause,
         hint);
  };
  if (c.rounding.weights != RoundingMode::kNearestEven)
    update_remedy("rounding.weights", enum_name(c.rounding.weights));
  if (c.optimizer.compensation != Compensation::kNone)
    update_remedy("optimizer.compensation", enum_name(c.optimizer.compensation));
  if (c.rounding.gradients != RoundingMode::kNearestEven && !gradients_round(mode))
    fail("{}: rounding.gradients = \"{}\" only applies to the modes that round gradients from "
         "{} ({}); precision \"{}\" keeps its gradients in {} (hint: remove rounding.gradients, "
         "or use one of those modes)",
         origin({"rounding.gradients", "precision"}), enum_name(c.rounding.gradients),
         to_string(mode.accumulate), modes_where(gradients_round), mode.name,
         to_string(mode.format(TensorRole::kWeightGrad)));
}

}  // namespace

std::string override_key(const std::string& assignment) {
  auto eq = assignment.find('=');
  if (eq == std::string::npos)
    fail("--set {}: expected KEY=VALUE, e.g. --set optimizer.lr=0.01", assignment);
  std::string key = assignment.substr(0, eq);
  while (!key.empty() && key.back() == ' ') key.pop_back();
  while (!key.empty() && key.front() == ' ') key.erase(0, 1);
  bool malformed = key.empty() || key.front() == '.' || key.back() == '.' ||
                   key.find("..") != std::string::npos;
  if (malformed)
    fail("--set {}: malformed key \"{}\"; expected a dotted key such as optimizer.lr",
         assignment, key);
  return key;
}

Config parse_config_with_origins(const json& j, const std::string& source,
                                 const std::vector<OverrideOrigin>& overrides) {
  Parser p(source, overrides);
  p.check_object(j, "");
  Config c;
  with(j, "name", [&](const json& v) { c.name = p.string(v, "name", false); });
  with(j, "precision", [&](const json& v) { c.precision = p.parse_precision_value(v); });
  with(j, "seed", [&](const json& v) { c.seed = p.unsigned_integer(v, "seed"); });
  // 1024: more than any CPU this tool runs on has cores; validate compares with this machine.
  with(j, "threads", [&](const json& v) { c.threads = int(p.integer(v, "threads", 0, 1024)); });
  with(j, "data", [&](const json& v) { p.parse_data(v, c.data); });
  with(j, "model", [&](const json& v) { p.parse_model(v, c.model); });
  with(j, "optimizer", [&](const json& v) { p.parse_optimizer(v, c.optimizer); });
  with(j, "schedule", [&](const json& v) { p.parse_schedule(v, c.schedule); });
  with(j, "loss_scale", [&](const json& v) { p.parse_loss_scale(v, c.loss_scale); });
  with(j, "rounding", [&](const json& v) { p.parse_rounding(v, c.rounding); });
  with(j, "train", [&](const json& v) { p.parse_train(v, c.train); });
  p.check_consistency(c);
  return c;
}

Config parse_config(const json& j, const std::string& source) {
  return parse_config_with_origins(j, source, {});
}

}  // namespace mixprec
