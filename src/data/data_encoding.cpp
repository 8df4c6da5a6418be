#include "data/data_encoding.hpp"

#include "common/error.hpp"
#include "config/config_enums.hpp"

namespace mixprec {

using nlohmann::json;

json to_json(const DataEncoding& e) {
  json features = json::array();
  for (const ColumnEncoding& c : e.features.columns) {
    json f = {{"column", c.source}, {"name", c.name}, {"kind", c.categorical ? "categorical" : "numeric"}};
    if (c.categorical) {
      f["categories"] = c.categories.names();
      f["missing_category"] = c.missing_slot;
    } else {
      f["fill"] = c.fill;
    }
    features.push_back(std::move(f));
  }
  json classes = e.classes.named ? json{{"named", true}, {"names", e.classes.names.names()}}
                                 : json{{"named", false}, {"count", e.classes.integer_classes}};
  return {
      {"format", to_string(e.format)},
      {"columns", {{"header", e.has_header}, {"names", e.column_names}, {"count", e.num_columns},
                   {"label", e.label_column}}},
      {"classes", classes},
      {"missing", to_string(e.features.missing)},
      {"features", features},
      {"normalize", {{"kind", to_string(e.normalizer.kind)}, {"offset", e.normalizer.offset},
                     {"scale", e.normalizer.scale}}},
  };
}

DataEncoding data_encoding_from_json(const json& j, const std::string& origin) {
  try {
    DataEncoding e;
    auto pick = [&](const std::string& name, auto names) {
      for (const auto& [n, v] : names)
        if (n == name) return v;
      throw json::other_error::create(501, "unknown name " + name, nullptr);
    };
    e.format = pick(j.at("format").get<std::string>(), enum_names<DataFormat>());
    const json& cols = j.at("columns");
    e.has_header = cols.at("header").get<bool>();
    e.column_names = cols.at("names").get<std::vector<std::string>>();
    e.num_columns = cols.at("count").get<int>();
    e.label_column = cols.at("label").get<int>();
    const json& classes = j.at("classes");
    e.classes.named = classes.at("named").get<bool>();
    if (e.classes.named) e.classes.names = Categories::from_names(classes.at("names").get<std::vector<std::string>>());
    else e.classes.integer_classes = classes.at("count").get<int>();
    e.features.missing = pick(j.at("missing").get<std::string>(), enum_names<MissingPolicy>());
    for (const json& f : j.at("features")) {
      ColumnEncoding c;
      c.source = f.at("column").get<int>();
      c.name = f.at("name").get<std::string>();
      c.categorical = f.at("kind").get<std::string>() == "categorical";
      if (c.categorical) {
        c.categories = Categories::from_names(f.at("categories").get<std::vector<std::string>>());
        c.missing_slot = f.at("missing_category").get<bool>();
      } else {
        c.fill = f.at("fill").get<double>();
      }
      e.features.columns.push_back(std::move(c));
    }
    const json& n = j.at("normalize");
    e.normalizer.kind = pick(n.at("kind").get<std::string>(), enum_names<Normalize>());
    e.normalizer.offset = n.at("offset").get<std::vector<double>>();
    e.normalizer.scale = n.at("scale").get<std::vector<double>>();
    const bool csv = e.format == DataFormat::kCsv;
    const bool consistent =
        e.normalizer.offset.size() == e.normalizer.scale.size() && e.num_classes() >= 2 &&
        (!csv || (e.num_columns >= 2 && e.label_column >= 0 && e.label_column < e.num_columns &&
                  (e.column_names.empty() || int(e.column_names.size()) == e.num_columns) &&
                  (e.normalizer.kind == Normalize::kNone ||
                   int(e.normalizer.offset.size()) == e.features.width())));
    if (!consistent) throw json::other_error::create(501, "inconsistent sizes", nullptr);
    for (const ColumnEncoding& c : e.features.columns)
      if (c.source < 0 || c.source >= e.num_columns || c.source == e.label_column)
        throw json::other_error::create(501, "feature column out of range", nullptr);
    return e;
  } catch (const json::exception& ex) {
    fail("{}: the stored data encoding is not valid ({}) (hint: the file is damaged or was written "
         "by another version of mixprec; evaluate with --config to fit the data again)", origin, ex.what());
  }
}

}  // namespace mixprec
