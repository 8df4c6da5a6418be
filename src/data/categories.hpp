#pragma once
// The distinct values of a CSV column used as categories: the one-hot slots of a
// categorical feature, or the class names of a label column. Sorted once, so that the
// same training data always gives the same order: numbers by value first, then texts in
// byte order ("2" < "10" < "blue" < "red").
#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "data/csv.hpp"

namespace mixprec {

class Categories {
 public:
  static constexpr int kUnseen = -1;

  Categories() = default;
  // The categories of `rows` of `column`, sorted; missing cells are skipped.
  static Categories fit(const CsvColumn& column, std::span<const std::int64_t> rows);
  // Names as stored (a checkpoint, data_encoding.json): the index order is kept.
  static Categories from_names(std::vector<std::string> names);

  int size() const { return static_cast<int>(names_.size()); }
  const std::vector<std::string>& names() const { return names_; }

  // Looks up the cells of one column: index(r) is the category of row r, or kUnseen.
  class ColumnLookup {
   public:
    int index(std::int64_t r) const;
   private:
    friend class Categories;
    const CsvColumn* column_ = nullptr;
    const Categories* categories_ = nullptr;
    std::vector<int> text_to_category_;  // per text id of the column
  };
  ColumnLookup lookup(const CsvColumn& column) const;

 private:
  void index_names();
  std::vector<std::string> names_;
  std::unordered_map<float, int> numbers_;       // a number's category
  std::unordered_map<std::string, int> texts_;   // a text's category
};

}  // namespace mixprec
