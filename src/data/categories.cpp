#include "data/categories.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include <fmt/format.h>

namespace mixprec {
namespace {

// A stored name that reads back as a float entirely is a number category: cell_name
// writes numbers shortest, and texts are only the cells that are not numbers.
bool name_as_number(const std::string& name, float& value) {
  if (name.empty()) return false;
  const char* end = name.data() + name.size();
  auto [ptr, ec] = std::from_chars(name.data(), end, value);
  return ec == std::errc() && ptr == end;
}

}  // namespace

Categories Categories::fit(const CsvColumn& column, std::span<const std::int64_t> rows) {
  std::set<float> numbers;
  std::vector<bool> text_seen(column.texts.size(), false);
  for (std::int64_t r : rows) {
    if (column.is_number(r)) numbers.insert(column.numbers[std::size_t(r)]);
    else if (column.is_text(r)) text_seen[std::size_t(column.text_ids[std::size_t(r)])] = true;
  }
  std::vector<std::string> texts;
  for (std::size_t id = 0; id < text_seen.size(); ++id)
    if (text_seen[id]) texts.push_back(column.texts[id]);
  std::sort(texts.begin(), texts.end());  // byte order: std::string compares char_traits
  Categories c;
  for (float x : numbers) c.names_.push_back(fmt::format("{}", x));
  for (auto& t : texts) c.names_.push_back(std::move(t));
  c.index_names();
  return c;
}

Categories Categories::from_names(std::vector<std::string> names) {
  Categories c;
  c.names_ = std::move(names);
  c.index_names();
  return c;
}

void Categories::index_names() {
  numbers_.clear();
  texts_.clear();
  for (int i = 0; i < size(); ++i) {
    float value = 0;
    if (name_as_number(names_[std::size_t(i)], value)) numbers_.emplace(value, i);
    else texts_.emplace(names_[std::size_t(i)], i);
  }
}

Categories::ColumnLookup Categories::lookup(const CsvColumn& column) const {
  ColumnLookup l;
  l.column_ = &column;
  l.categories_ = this;
  l.text_to_category_.resize(column.texts.size(), kUnseen);
  for (std::size_t id = 0; id < column.texts.size(); ++id) {
    auto it = texts_.find(column.texts[id]);
    if (it != texts_.end()) l.text_to_category_[id] = it->second;
  }
  return l;
}

int Categories::ColumnLookup::index(std::int64_t r) const {
  if (column_->is_text(r)) return text_to_category_[std::size_t(column_->text_ids[std::size_t(r)])];
  if (!column_->is_number(r)) return kUnseen;
  auto it = categories_->numbers_.find(column_->numbers[std::size_t(r)]);
  return it == categories_->numbers_.end() ? kUnseen : it->second;
}

}  // namespace mixprec
