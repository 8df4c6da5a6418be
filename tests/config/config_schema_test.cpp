#include <gtest/gtest.h>

#include <set>

#include "config/config_loader.hpp"
#include "config/config_schema.hpp"

namespace mixprec {
namespace {

using nlohmann::json;

void collect_paths(const json& j, const std::string& prefix, std::set<std::string>& out) {
  for (const auto& [key, value] : j.items()) {
    std::string path = prefix.empty() ? key : prefix + "." + key;
    out.insert(path);
    if (value.is_object()) collect_paths(value, path, out);
  }
}

// The schema table and to_json are written separately; they must name the same keys.
TEST(ConfigSchema, MatchesToJson) {
  std::set<std::string> from_json;
  collect_paths(to_json(Config{}), "", from_json);
  std::set<std::string> from_schema;
  for (const auto& key : config_keys()) from_schema.emplace(key.path);
  EXPECT_EQ(from_json, from_schema);
  EXPECT_EQ(from_schema.size(), 54u);  // 11 top-level keys + 43 inside the 7 objects
}

TEST(ConfigSchema, ChildKeysInSchemaOrder) {
  EXPECT_EQ(child_keys("train"),
            (std::vector<std::string>{"epochs", "batch_size", "eval_batch_size", "shuffle"}));
  EXPECT_TRUE(child_keys("optimizer.lr").empty());
}

TEST(ConfigSchema, EditDistance) {
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);  // the textbook example
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("lr", "lr"), 0u);
  EXPECT_EQ(edit_distance("LR", "lr"), 0u);                // case-insensitive
  EXPECT_EQ(edit_distance("batch-size", "batch_size"), 0u);  // '-' == '_'
}

TEST(ConfigSchema, ClosestWords) {
  std::vector<std::string> names = {"sgd", "adam", "adamw"};
  EXPECT_EQ(closest_words("adm", names), (std::vector<std::string>{"adam"}));
  EXPECT_EQ(closest_words("ADAMW", names), (std::vector<std::string>{"adamw"}));
  EXPECT_TRUE(closest_words("lbfgs", names).empty());
}

}  // namespace
}  // namespace mixprec
