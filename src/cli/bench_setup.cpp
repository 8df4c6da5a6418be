#include "cli/bench_setup.hpp"

#include <filesystem>
#include <optional>

#include "common/error.hpp"
#include "config/config_loader.hpp"
#include "data/load_data.hpp"

namespace mixprec {
namespace {

namespace fs = std::filesystem;

// The default config ships in the repository's configs/, next to build/ where the binary
// is: found from the binary, so that bench works from any folder. Its data paths are
// relative to the repository, which then stands in for the working folder.
struct FoundConfig {
  std::string path;
  fs::path data_root;  // where the config's relative data paths start
};

FoundConfig find_config(const std::string& given, bool user_given) {
  if (user_given || fs::path(given).is_absolute()) return {given, fs::current_path()};
  std::error_code ec;
  if (fs::is_regular_file(given, ec)) return {given, fs::current_path()};
  const fs::path repo = fs::path(self_path()).parent_path().parent_path();
  if (fs::is_regular_file(repo / given, ec)) return {(repo / given).string(), repo};
  fail("bench: default config {} not found in the working folder nor in {} (hint: pass "
       "--config FILE)", given, repo.string());
}

}  // namespace

std::string self_path() {
  std::error_code ec;
  const fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? "mixprec" : p.string();
}

BenchSetup load_bench_setup(const std::string& config_path, bool config_given,
                            const std::vector<std::string>& overrides) {
  const FoundConfig found = find_config(config_path, config_given);
  Config cfg = load_config(found.path, overrides);
  std::vector<std::string> child_overrides = overrides;
  for (auto [key, value] : {std::pair{"data.dir", &cfg.data.dir}, {"data.train", &cfg.data.train},
                            {"data.test", &cfg.data.test}}) {
    if (value->empty() || fs::path(*value).is_absolute()) continue;
    *value = (found.data_root / *value).lexically_normal().string();
    child_overrides.push_back(std::string(key) + "=" + *value);
  }
  // The same loader as train: the layout's widths are the data's, after encoding.
  std::optional<DataSplits> data;
  try {
    data = load_data(cfg.data, cfg.seed);
  } catch (const UserError& e) {
    fail("bench reads {}'s data for the model's input width and class count: {}", found.path, e.what());
  }
  ParamLayout layout(data->train.dim(), cfg.model.hidden, data->train.num_classes);
  return {found.path, std::move(cfg), std::move(child_overrides), data->description, std::move(layout)};
}

}  // namespace mixprec
