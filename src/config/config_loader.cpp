#include "config/config_loader.hpp"

#include "common/error.hpp"
#include "config/config_parse.hpp"
#include "config/json_file.hpp"

namespace mixprec {

Config load_config(const std::string& path, const std::vector<std::string>& overrides) {
  return load_config_text(read_config_file(path), path, overrides);
}

Config load_config_text(const std::string& text, const std::string& source,
                        const std::vector<std::string>& overrides) {
  nlohmann::json j = parse_json_text(text, source);
  if (!j.is_object())
    fail("{}: expected a JSON object {{...}} at the top level, got {}", source, j.type_name());
  std::vector<OverrideOrigin> origins;
  for (const auto& assignment : overrides) {
    j = apply_override(std::move(j), assignment);
    origins.push_back({override_key(assignment), assignment});
  }
  Config c = parse_config_with_origins(j, source, origins);
  require_data_source(c, source);
  return c;
}

void require_data_source(const Config& c, const std::string& source) {
  if (c.data.format == DataFormat::kIdx && c.data.dir.empty())
    fail("{}: data.dir is not set: data.format \"idx\" reads train-images-idx3-ubyte and the "
         "other MNIST files from a folder (hint: add \"data\": {{\"dir\": \"path/to/mnist\"}} "
         "or pass --set data.dir=PATH; for a csv file set data.format to \"csv\" and "
         "data.train)",
         source);
  if (c.data.format == DataFormat::kCsv && c.data.train.empty())
    fail("{}: data.train is not set: data.format \"csv\" needs a training file (hint: add "
         "\"train\": \"path/to/train.csv\" to data or pass --set data.train=PATH)",
         source);
}

}  // namespace mixprec
