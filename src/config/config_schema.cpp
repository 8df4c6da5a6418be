#include "config/config_schema.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <tuple>
#include <utility>

#include <fmt/format.h>

namespace mixprec {

const std::vector<KeySpec>& config_keys() {
  using K = KeyKind;
  static const std::vector<KeySpec> keys = {
      {"name", K::kString},
      {"precision", K::kValue},
      {"seed", K::kValue},
      {"threads", K::kValue},
      {"data", K::kObject},
      {"data.format", K::kValue},
      {"data.dir", K::kString},
      {"data.train", K::kString},
      {"data.test", K::kString},
      {"data.test_fraction", K::kValue},
      {"data.label_column", K::kValue},
      {"data.header", K::kValue},
      {"data.normalize", K::kValue},
      {"data.validation_fraction", K::kValue},
      {"data.max_train_samples", K::kValue},
      {"data.categorical", K::kValue},
      {"data.missing", K::kValue},
      {"model", K::kObject},
      {"model.hidden", K::kValue},
      {"model.activation", K::kValue},
      {"model.init", K::kValue},
      {"optimizer", K::kObject},
      {"optimizer.name", K::kValue},
      {"optimizer.lr", K::kValue},
      {"optimizer.momentum", K::kValue},
      {"optimizer.dampening", K::kValue},
      {"optimizer.nesterov", K::kValue},
      {"optimizer.weight_decay", K::kValue},
      {"optimizer.beta1", K::kValue},
      {"optimizer.beta2", K::kValue},
      {"optimizer.eps", K::kValue},
      {"optimizer.clip_grad_norm", K::kValue},
      {"optimizer.compensation", K::kValue},
      {"schedule", K::kObject},
      {"schedule.name", K::kValue},
      {"schedule.warmup_epochs", K::kValue},
      {"schedule.step_epochs", K::kValue},
      {"schedule.gamma", K::kValue},
      {"schedule.min_lr", K::kValue},
      {"loss_scale", K::kObject},
      {"loss_scale.mode", K::kValue},
      {"loss_scale.init", K::kValue},
      {"loss_scale.growth_factor", K::kValue},
      {"loss_scale.growth_interval", K::kValue},
      {"loss_scale.backoff_factor", K::kValue},
      {"loss_scale.min", K::kValue},
      {"rounding", K::kObject},
      {"rounding.weights", K::kValue},
      {"rounding.gradients", K::kValue},
      {"train", K::kObject},
      {"train.epochs", K::kValue},
      {"train.batch_size", K::kValue},
      {"train.eval_batch_size", K::kValue},
      {"train.shuffle", K::kValue},
  };
  return keys;
}

const KeySpec* find_key(std::string_view path) {
  for (const auto& key : config_keys())
    if (key.path == path) return &key;
  return nullptr;
}

namespace {

std::string_view parent_of(std::string_view path) {
  auto dot = path.rfind('.');
  return dot == std::string_view::npos ? std::string_view{} : path.substr(0, dot);
}

std::string_view last_of(std::string_view path) {
  auto dot = path.rfind('.');
  return dot == std::string_view::npos ? path : path.substr(dot + 1);
}

// How many edits still count as a typo of a word this long: none for one- or two-letter
// words (any two-letter word is two edits from any other), then about one in three.
std::size_t allowed_edits(std::size_t length) {
  if (length <= 2) return 0;
  if (length <= 4) return 1;
  if (length <= 8) return 2;
  return 3;
}

// Names people bring from other tools that no edit distance would connect.
const std::array<std::pair<std::string_view, std::string_view>, 10> kSynonyms = {{
    {"learning_rate", "optimizer.lr"},
    {"optim", "optimizer"},
    {"scheduler", "schedule"},
    {"lr_scheduler", "schedule"},
    {"lr_schedule", "schedule"},
    {"dtype", "precision"},
    {"layers", "model.hidden"},
    {"num_epochs", "train.epochs"},
    {"max_epochs", "train.epochs"},
    {"grad_clip", "optimizer.clip_grad_norm"},
}};

std::string quoted_list(const std::vector<std::string>& words, std::string_view conjunction) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += i + 1 == words.size() ? fmt::format(" {} ", conjunction) : ", ";
    out += '"' + words[i] + '"';
  }
  return out;
}

}  // namespace

std::vector<std::string> child_keys(std::string_view object_path) {
  std::vector<std::string> out;
  for (const auto& key : config_keys())
    if (parent_of(key.path) == object_path) out.emplace_back(last_of(key.path));
  return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  auto norm = [](char c) {
    return c == '-' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  };
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t substitute = diagonal + (norm(a[i - 1]) == norm(b[j - 1]) ? 0 : 1);
      diagonal = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitute});
    }
  }
  return row[b.size()];
}

std::vector<std::string> closest_words(std::string_view word,
                                       const std::vector<std::string>& candidates) {
  std::size_t best = allowed_edits(word.size()) + 1;
  std::vector<std::string> out;
  for (const auto& candidate : candidates) {
    std::size_t d = edit_distance(word, candidate);
    if (d < best) {
      best = d;
      out.clear();
    }
    if (d == best && out.size() < 3) out.push_back(candidate);
  }
  return out;
}

std::string unknown_key_message(std::string_view path) {
  std::string message = fmt::format("unknown key \"{}\"", path);

  // Walk down the known part of the path: the deepest known object is where the bad key
  // sits; a known non-object on the way means the user tried to set inside a value.
  std::string_view parent;
  for (std::size_t dot = path.find('.'); dot != std::string_view::npos;
       dot = path.find('.', dot + 1)) {
    const KeySpec* prefix = find_key(path.substr(0, dot));
    if (prefix == nullptr) break;
    if (prefix->kind != KeyKind::kObject) {
      message += fmt::format("; \"{}\" takes a single value, not sub-keys", prefix->path);
      if (prefix->path == "model.hidden") message += " (set the whole list: model.hidden=[256,128])";
      return message;
    }
    parent = prefix->path;
  }

  // Score every valid key on the whole path and on its last component, so that a key in
  // the wrong object ("lr" at the top level) finds its home ("optimizer.lr").
  std::string_view last = last_of(path);
  std::string_view synonym;
  for (const auto& [from, to] : kSynonyms)
    if (edit_distance(last, from) == 0) synonym = to;
  using Score = std::tuple<std::size_t, bool, std::size_t, std::size_t>;  // distance, other
                                                                          // object, full, index
  std::vector<std::pair<Score, std::string_view>> scored;
  const auto& keys = config_keys();
  for (std::size_t i = 0; i < keys.size(); ++i) {
    std::string_view candidate = keys[i].path;
    std::size_t full = edit_distance(path, candidate);
    std::size_t d = std::min(full, edit_distance(last, last_of(candidate)));
    if (candidate == synonym) d = 0;
    if (d > allowed_edits(last.size()) && candidate != synonym) continue;
    scored.push_back({{d, parent_of(candidate) != parent, full, i}, candidate});
  }
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> suggestions;
  for (const auto& [score, candidate] : scored)
    if (std::get<0>(score) == std::get<0>(scored.front().first) && suggestions.size() < 3)
      suggestions.emplace_back(candidate);
  if (!suggestions.empty())
    return message + fmt::format("; did you mean {}?", quoted_list(suggestions, "or"));

  std::string valid = fmt::format("{}", fmt::join(child_keys(parent), ", "));
  if (parent.empty()) return message + fmt::format("; valid top-level keys: {}", valid);
  return message + fmt::format("; valid keys of \"{}\": {}", parent, valid);
}

}  // namespace mixprec
