// docs/config.md must not drift from the code: its JSON examples must load, the full
// example must name every key, and the key tables must have a row for every key.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "config/config_loader.hpp"
#include "config/config_schema.hpp"
#include "config/config_test_util.hpp"

namespace mixprec {
namespace {

using nlohmann::json;

std::string read_docs() {
  std::ifstream in(MIXPREC_SOURCE_DIR "/docs/config.md");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<std::string> json_blocks(const std::string& text) {
  std::vector<std::string> blocks;
  for (std::size_t at = text.find("```json\n"); at != std::string::npos;
       at = text.find("```json\n", at)) {
    at += 8;
    std::size_t end = text.find("```", at);
    blocks.push_back(text.substr(at, end - at));
  }
  return blocks;
}

void collect_paths(const json& j, const std::string& prefix, std::set<std::string>& out) {
  for (const auto& [key, value] : j.items()) {
    std::string path = prefix.empty() ? key : prefix + "." + key;
    out.insert(path);
    if (value.is_object()) collect_paths(value, path, out);
  }
}

TEST(ConfigDocs, ExamplesLoadAndTheFullOneNamesEveryKey) {
  std::string docs = read_docs();
  ASSERT_FALSE(docs.empty()) << "docs/config.md not found";
  auto blocks = json_blocks(docs);
  ASSERT_EQ(blocks.size(), 2u);
  for (const auto& block : blocks) {
    Config c;
    EXPECT_NO_THROW(c = parse_config(json::parse(block), "docs/config.md")) << block;
    EXPECT_NO_THROW(require_data_source(c, "docs/config.md")) << block;
  }
  std::set<std::string> documented;
  collect_paths(json::parse(blocks[0]), "", documented);
  std::set<std::string> schema;
  for (const auto& key : config_keys()) schema.emplace(key.path);
  EXPECT_EQ(documented, schema);
}

TEST(ConfigDocs, EveryKeyHasATableRow) {
  std::string docs = read_docs();
  for (const auto& key : config_keys()) {
    if (key.kind == KeyKind::kObject) continue;  // objects are headings, not rows
    EXPECT_NE(docs.find("| `" + std::string(key.path) + "` |"), std::string::npos) << key.path;
  }
}

}  // namespace
}  // namespace mixprec
