// parse_config / to_json: defaults, every value form, and one test per error class that
// checks the message names the key, the bad value and the suggestion or allowed list.
#include <gtest/gtest.h>

#include <cstdint>

#include "config/config_loader.hpp"
#include "config/config_test_util.hpp"

namespace mixprec {
namespace {

using nlohmann::json;
using testing::error_of;
using testing::same_config;

Config parse(const json& j) { return parse_config(j, "f.json"); }
std::string parse_error(const json& j) {
  return error_of([&] { parse(j); });
}

TEST(ConfigDefaults, RoundTripThroughToJson) {
  EXPECT_TRUE(same_config(parse(to_json(Config{})), Config{}));
  // ...and through text, as a run log would store it.
  EXPECT_TRUE(same_config(parse(json::parse(to_json(Config{}).dump())), Config{}));
}

TEST(ConfigDefaults, EmptyObjectGivesTheInitialisers) {
  EXPECT_TRUE(same_config(parse(json::object()), Config{}));
}

TEST(ConfigDefaults, DefaultJsonUsesCanonicalNames) {
  // The values of the initialisers in config.hpp, written out by hand.
  json d = to_json(Config{});
  EXPECT_EQ(d["name"], "run");
  EXPECT_EQ(d["precision"], "fp32");
  EXPECT_EQ(d["seed"], 0);
  EXPECT_EQ(d["threads"], 0);
  EXPECT_EQ(d["data"]["format"], "idx");
  EXPECT_EQ(d["data"]["label_column"], -1);
  EXPECT_EQ(d["data"]["header"], "auto");
  EXPECT_EQ(d["data"]["normalize"], "scale");
  EXPECT_EQ(d["data"]["test_fraction"], 0.2);
  EXPECT_EQ(d["model"]["hidden"], json::array({256}));
  EXPECT_EQ(d["model"]["activation"], "relu");
  EXPECT_EQ(d["model"]["init"], "auto");
  EXPECT_EQ(d["optimizer"]["name"], "sgd");
  EXPECT_EQ(d["optimizer"]["lr"], 0.1);
  EXPECT_EQ(d["optimizer"]["eps"], 1e-8);
  EXPECT_EQ(d["optimizer"]["compensation"], "none");
  EXPECT_EQ(d["schedule"]["name"], "constant");
  EXPECT_EQ(d["loss_scale"]["mode"], "auto");
  EXPECT_EQ(d["loss_scale"]["init"], 65536.0);
  EXPECT_EQ(d["loss_scale"]["growth_interval"], 2000);
  EXPECT_EQ(d["rounding"], (json{{"weights", "nearest"}, {"gradients", "nearest"}}));
  EXPECT_EQ(d["train"]["epochs"], 5);
  EXPECT_EQ(d["train"]["shuffle"], true);
}

const json kFull = json::parse(R"({
  "name": "full", "precision": "bf16", "seed": 18446744073709551615, "threads": 3,
  "data": {"format": "csv", "train": "a.csv", "test": "b.csv", "test_fraction": 0,
           "label_column": "digit", "header": false, "normalize": "standardize",
           "validation_fraction": 0.25, "max_train_samples": 5000000000},
  "model": {"hidden": [64, 32, 16], "activation": "tanh", "init": "xavier"},
  "optimizer": {"name": "adamw", "lr": 0.001, "momentum": 0, "dampening": 0.5,
                "nesterov": false, "weight_decay": 0.01, "beta1": 0.8, "beta2": 0.99,
                "eps": 1e-6, "clip_grad_norm": 1, "compensation": "none"},
  "schedule": {"name": "cosine", "warmup_epochs": 0.5, "step_epochs": 3, "gamma": 1,
               "min_lr": 1e-5},
  "loss_scale": {"mode": "dynamic", "init": 1024, "growth_factor": 4, "growth_interval": 10,
                 "backoff_factor": 0.25, "min": 0.5},
  "rounding": {"weights": "nearest", "gradients": "stochastic"},
  "train": {"epochs": 7, "batch_size": 32, "eval_batch_size": 64, "shuffle": false}
})");

TEST(ConfigParse, EveryKeyIsRead) {
  Config c = parse(kFull);
  EXPECT_EQ(c.name, "full");
  EXPECT_EQ(c.precision, Precision::kBf16Mixed);
  EXPECT_EQ(c.seed, UINT64_MAX);
  EXPECT_EQ(c.threads, 3);
  EXPECT_EQ(c.data.format, DataFormat::kCsv);
  EXPECT_EQ(c.data.train, "a.csv");
  EXPECT_EQ(c.data.test, "b.csv");
  EXPECT_EQ(c.data.test_fraction, 0.0);
  EXPECT_EQ(c.data.label_column_name, "digit");
  EXPECT_EQ(c.data.label_column_index, -1);
  EXPECT_EQ(c.data.header, CsvHeader::kNo);
  EXPECT_EQ(c.data.normalize, Normalize::kStandardize);
  EXPECT_EQ(c.data.validation_fraction, 0.25);
  EXPECT_EQ(c.data.max_train_samples, 5000000000);
  EXPECT_EQ(c.model.hidden, (std::vector<int>{64, 32, 16}));
  EXPECT_EQ(c.model.activation, Activation::kTanh);
  EXPECT_EQ(c.model.init, Init::kXavier);
  EXPECT_EQ(c.optimizer.kind, OptimizerKind::kAdamW);
  EXPECT_EQ(c.optimizer.lr, 0.001);
  EXPECT_EQ(c.optimizer.momentum, 0.0);
  EXPECT_EQ(c.optimizer.dampening, 0.5);
  EXPECT_EQ(c.optimizer.weight_decay, 0.01);
  EXPECT_EQ(c.optimizer.beta1, 0.8);
  EXPECT_EQ(c.optimizer.beta2, 0.99);
  EXPECT_EQ(c.optimizer.eps, 1e-6);
  EXPECT_EQ(c.optimizer.clip_grad_norm, 1.0);
  EXPECT_EQ(c.schedule.kind, ScheduleKind::kCosine);
  EXPECT_EQ(c.schedule.warmup_epochs, 0.5);
  EXPECT_EQ(c.schedule.step_epochs, 3);
  EXPECT_EQ(c.schedule.gamma, 1.0);
  EXPECT_EQ(c.schedule.min_lr, 1e-5);
  EXPECT_EQ(c.loss_scale.mode, LossScaling::kDynamic);
  EXPECT_EQ(c.loss_scale.init, 1024.0);
  EXPECT_EQ(c.loss_scale.growth_factor, 4.0);
  EXPECT_EQ(c.loss_scale.growth_interval, 10);
  EXPECT_EQ(c.loss_scale.backoff_factor, 0.25);
  EXPECT_EQ(c.loss_scale.min, 0.5);
  EXPECT_EQ(c.optimizer.compensation, Compensation::kNone);
  EXPECT_EQ(c.rounding.weights, RoundingMode::kNearestEven);
  EXPECT_EQ(c.rounding.gradients, RoundingMode::kStochastic);
  EXPECT_EQ(c.train.epochs, 7);
  EXPECT_EQ(c.train.batch_size, 32);
  EXPECT_EQ(c.train.eval_batch_size, 64);
  EXPECT_FALSE(c.train.shuffle);
}

TEST(ConfigParse, NonDefaultConfigRoundTrips) {
  Config c = parse(kFull);
  EXPECT_TRUE(same_config(parse(to_json(c)), c));
  EXPECT_TRUE(same_config(parse(json::parse(to_json(c).dump())), c));
  EXPECT_EQ(to_json(c)["precision"], "bf16-mixed");  // the alias is written canonically
  EXPECT_EQ(to_json(c)["data"]["header"], false);
}

TEST(ConfigParse, PrecisionAliases) {
  EXPECT_EQ(parse({{"precision", "bf16"}}).precision, Precision::kBf16Mixed);
  EXPECT_EQ(parse({{"precision", "16-mixed"}}).precision, Precision::kFp16Mixed);
  EXPECT_EQ(parse({{"precision", "32"}}).precision, Precision::kFp32);
  EXPECT_EQ(parse({{"precision", "16-true"}}).precision, Precision::kFp16True);
  EXPECT_EQ(parse({{"precision", "bf16-true"}}).precision, Precision::kBf16True);
  // Lightning also takes the bare numbers.
  EXPECT_EQ(parse({{"precision", 16}}).precision, Precision::kFp16Mixed);
  EXPECT_EQ(parse({{"precision", 32}}).precision, Precision::kFp32);
}

TEST(ConfigParse, UnknownPrecisionListsTheNames) {
  std::string e = parse_error({{"precision", "fp8"}});
  EXPECT_CONTAINS(e, "f.json: precision");
  EXPECT_CONTAINS(e, "\"fp8\"");
  EXPECT_CONTAINS(e, "bf16-mixed");
  e = parse_error({{"precision", 1.5}});
  EXPECT_CONTAINS(e, "precision = 1.5");
}

TEST(ConfigParse, IntegersMustBeJsonIntegers) {
  std::string e = parse_error({{"train", {{"epochs", 1.5}}}});
  EXPECT_EQ(e, "f.json: train.epochs = 1.5: expected an integer >= 1, got a fractional number");
  e = parse_error({{"train", {{"epochs", 2.0}}}});
  EXPECT_CONTAINS(e, "train.epochs = 2.0");
  EXPECT_CONTAINS(e, "hint: write 2 without a decimal point");
  e = parse_error({{"model", {{"hidden", {256, 1.5}}}}});
  EXPECT_CONTAINS(e, "model.hidden[1] = 1.5: expected an integer >= 1");
  e = parse_error({{"seed", 1e3}});
  EXPECT_CONTAINS(e, "seed = 1000.0: expected an integer >= 0");
}

TEST(ConfigParse, NumbersAcceptIntegers) {
  Config c = parse({{"optimizer", {{"lr", 1}, {"weight_decay", 0}}}});
  EXPECT_EQ(c.optimizer.lr, 1.0);
  EXPECT_EQ(c.optimizer.weight_decay, 0.0);
}

TEST(ConfigParse, WrongTypeNamesKeyValueAndType) {
  EXPECT_EQ(parse_error({{"optimizer", {{"lr", "0.1"}}}}),
            "f.json: optimizer.lr = \"0.1\": expected a number > 0, got a string (hint: remove "
            "the quotes: 0.1)");
  std::string e = parse_error({{"train", {{"shuffle", "yes"}}}});
  EXPECT_CONTAINS(e, "train.shuffle = \"yes\": expected true or false, got a string");
  e = parse_error({{"data", 5}});
  EXPECT_CONTAINS(e, "data = 5: expected an object");
  e = parse_error({{"model", {{"hidden", 128}}}});
  EXPECT_CONTAINS(e, "model.hidden = 128: expected a list of positive integers");
  e = parse_error({{"name", nullptr}});
  EXPECT_CONTAINS(e, "name = null: expected a string, got null");
  e = parse_error({{"data", {{"label_column", 1.5}}}});
  EXPECT_CONTAINS(e, "data.label_column = 1.5: expected a column name (string) or a 0-based");
  e = parse_error(json::array({1, 2}));
  EXPECT_EQ(e, "f.json: expected a JSON object {...} at the top level, got a list");
}

TEST(ConfigParse, OutOfRangeNamesKeyValueAndRange) {
  EXPECT_EQ(parse_error({{"optimizer", {{"lr", 0}}}}),
            "f.json: optimizer.lr = 0: expected a number > 0");
  EXPECT_EQ(parse_error({{"optimizer", {{"momentum", 1}}}}),
            "f.json: optimizer.momentum = 1: expected a number in [0, 1)");
  EXPECT_EQ(parse_error({{"schedule", {{"gamma", 0}}}}),
            "f.json: schedule.gamma = 0: expected a number in (0, 1]");
  EXPECT_EQ(parse_error({{"loss_scale", {{"growth_factor", 1}}}}),
            "f.json: loss_scale.growth_factor = 1: expected a number > 1");
  EXPECT_EQ(parse_error({{"loss_scale", {{"backoff_factor", 1}}}}),
            "f.json: loss_scale.backoff_factor = 1: expected a number in (0, 1)");
  EXPECT_EQ(parse_error({{"train", {{"batch_size", 0}}}}),
            "f.json: train.batch_size = 0: expected an integer >= 1");
  EXPECT_EQ(parse_error({{"threads", -1}}), "f.json: threads = -1: expected an integer >= 0");
  EXPECT_EQ(parse_error({{"seed", -1}}), "f.json: seed = -1: expected an integer >= 0");
  EXPECT_EQ(parse_error({{"data", {{"test_fraction", 1}}}}),
            "f.json: data.test_fraction = 1: expected a number in [0, 1)");
  EXPECT_EQ(parse_error({{"train", {{"epochs", 3000000000}}}}),
            "f.json: train.epochs = 3000000000: expected an integer in [1, 2147483647]");
  EXPECT_EQ(parse_error({{"model", {{"hidden", {64, 0}}}}}),
            "f.json: model.hidden[1] = 0: expected an integer >= 1");
  EXPECT_CONTAINS(parse_error({{"name", ""}}), "name = \"\": expected a non-empty string");
  EXPECT_CONTAINS(parse_error({{"data", {{"label_column", ""}}}}), "data.label_column = \"\"");
  EXPECT_CONTAINS(parse_error({{"schedule", {{"warmup_epochs", -0.5}}}}),
                  "schedule.warmup_epochs = -0.5: expected a number >= 0");
  // Boundaries that are allowed.
  EXPECT_NO_THROW(parse({{"optimizer", {{"momentum", 0}}}, {"schedule", {{"gamma", 1}}}}));
  EXPECT_NO_THROW(parse({{"model", {{"hidden", json::array()}}}}));
}

TEST(ConfigParse, UnknownNameListsTheAllowedNames) {
  EXPECT_EQ(parse_error({{"optimizer", {{"name", "adm"}}}}),
            "f.json: optimizer.name = \"adm\": expected one of \"sgd\", \"adam\", \"adamw\"; "
            "did you mean \"adam\"?");
  EXPECT_EQ(parse_error({{"model", {{"activation", "swish"}}}}),
            "f.json: model.activation = \"swish\": expected one of \"relu\", \"gelu\", \"tanh\"");
  std::string e = parse_error({{"loss_scale", "dynamc"}});
  EXPECT_CONTAINS(e, "loss_scale = \"dynamc\"");
  EXPECT_CONTAINS(e, "\"auto\", \"none\", \"static\", \"dynamic\"");
  EXPECT_CONTAINS(e, "did you mean \"dynamic\"?");
  e = parse_error({{"data", {{"header", "yes"}}}});
  EXPECT_CONTAINS(e, "data.header = \"yes\": expected \"auto\", true or false");
  e = parse_error({{"schedule", {{"name", 3}}}});
  EXPECT_CONTAINS(e, "schedule.name = 3: expected one of \"constant\", \"step\", \"cosine\", got");
  e = parse_error({{"data", {{"format", "CSV"}}}});
  EXPECT_CONTAINS(e, "did you mean \"csv\"?");
}

TEST(ConfigParse, UnknownKeySuggestsTheClosestKey) {
  EXPECT_EQ(parse_error({{"optimizer", {{"lrr", 0.1}}}}),
            "f.json: unknown key \"optimizer.lrr\"; did you mean \"optimizer.lr\"?");
  // A key in the wrong object finds its home by its last component.
  EXPECT_EQ(parse_error({{"lr", 0.1}}),
            "f.json: unknown key \"lr\"; did you mean \"optimizer.lr\"?");
  EXPECT_EQ(parse_error({{"model", {{"epochs", 3}}}}),
            "f.json: unknown key \"model.epochs\"; did you mean \"train.epochs\"?");
  EXPECT_EQ(parse_error({{"init", "he"}}),
            "f.json: unknown key \"init\"; did you mean \"model.init\" or \"loss_scale.init\"?");
  EXPECT_EQ(parse_error({{"optimzer", json::object()}}),
            "f.json: unknown key \"optimzer\"; did you mean \"optimizer\"?");
  EXPECT_EQ(parse_error({{"train", {{"batchsize", 3}}}}),
            "f.json: unknown key \"train.batchsize\"; did you mean \"train.batch_size\"?");
  EXPECT_EQ(parse_error({{"learning_rate", 0.1}}),
            "f.json: unknown key \"learning_rate\"; did you mean \"optimizer.lr\"?");
}

TEST(ConfigParse, UnknownKeyListsValidKeysWhenNothingIsClose) {
  EXPECT_EQ(parse_error({{"optimizer", {{"foo", 1}}}}),
            "f.json: unknown key \"optimizer.foo\"; valid keys of \"optimizer\": name, lr, "
            "momentum, dampening, nesterov, weight_decay, beta1, beta2, eps, clip_grad_norm, "
            "compensation");
  EXPECT_EQ(parse_error({{"xyzzy", 1}}),
            "f.json: unknown key \"xyzzy\"; valid top-level keys: name, precision, seed, "
            "threads, data, model, optimizer, schedule, loss_scale, rounding, train");
  EXPECT_EQ(parse_error({{"rounding", {{"bias", 1}}}}),
            "f.json: unknown key \"rounding.bias\"; valid keys of \"rounding\": weights, gradients");
}

TEST(ConfigParse, LossScaleForms) {
  EXPECT_EQ(parse({{"loss_scale", "dynamic"}}).loss_scale.mode, LossScaling::kDynamic);
  EXPECT_EQ(parse({{"loss_scale", "none"}}).loss_scale.mode, LossScaling::kNone);
  EXPECT_EQ(parse({{"loss_scale", "auto"}}).loss_scale.mode, std::nullopt);
  Config c = parse({{"loss_scale", 1024}});
  EXPECT_EQ(c.loss_scale.mode, LossScaling::kStatic);
  EXPECT_EQ(c.loss_scale.init, 1024.0);
  EXPECT_EQ(to_json(c)["loss_scale"]["mode"], "static");
  EXPECT_EQ(parse({{"loss_scale", {{"mode", "auto"}}}}).loss_scale.mode, std::nullopt);
  EXPECT_EQ(parse_error({{"loss_scale", 0}}), "f.json: loss_scale = 0: expected a number > 0");
  EXPECT_CONTAINS(parse_error({{"loss_scale", true}}),
                  "loss_scale = true: expected \"auto\", \"none\", \"static\", \"dynamic\", a "
                  "number (a static scale) or an object, got a boolean");
  EXPECT_CONTAINS(parse_error({{"loss_scale", {{"mod", "none"}}}}),
                  "unknown key \"loss_scale.mod\"; did you mean \"loss_scale.mode\"?");
}

TEST(ConfigParse, LabelColumnByNameOrIndex) {
  Config by_name = parse({{"data", {{"label_column", "digit"}}}});
  EXPECT_EQ(by_name.data.label_column_name, "digit");
  EXPECT_EQ(by_name.data.label_column_index, -1);
  EXPECT_EQ(to_json(by_name)["data"]["label_column"], "digit");
  Config by_index = parse({{"data", {{"label_column", 0}}}});
  EXPECT_EQ(by_index.data.label_column_name, "");
  EXPECT_EQ(by_index.data.label_column_index, 0);
  EXPECT_EQ(to_json(by_index)["data"]["label_column"], 0);
  EXPECT_EQ(parse({{"data", {{"label_column", -2}}}}).data.label_column_index, -2);
}

TEST(ConfigParse, HeaderAutoTrueFalse) {
  EXPECT_EQ(parse({{"data", {{"header", "auto"}}}}).data.header, CsvHeader::kAuto);
  EXPECT_EQ(parse({{"data", {{"header", true}}}}).data.header, CsvHeader::kYes);
  EXPECT_EQ(parse({{"data", {{"header", false}}}}).data.header, CsvHeader::kNo);
}

TEST(ConfigParse, NesterovNeedsMomentumAndNoDampening) {
  EXPECT_NO_THROW(parse({{"optimizer", {{"nesterov", true}, {"momentum", 0.9}}}}));
  std::string e = parse_error({{"optimizer", {{"nesterov", true}, {"momentum", 0}}}});
  EXPECT_EQ(e,
            "f.json: optimizer.nesterov = true requires optimizer.momentum > 0 and "
            "optimizer.dampening = 0 (got momentum 0, dampening 0), as in PyTorch's SGD");
  e = parse_error({{"optimizer", {{"nesterov", true}, {"dampening", 0.1}}}});
  EXPECT_CONTAINS(e, "dampening 0.1");
  e = parse_error({{"optimizer", {{"nesterov", true}, {"name", "adam"}}}});
  EXPECT_CONTAINS(e, "optimizer.nesterov = true only applies to optimizer.name \"sgd\"");
}

TEST(ConfigParse, CrossKeyRules) {
  std::string e = parse_error(
      {{"schedule", {{"name", "cosine"}, {"min_lr", 0.5}}}, {"optimizer", {{"lr", 0.1}}}});
  EXPECT_CONTAINS(e, "schedule.min_lr = 0.5 is above optimizer.lr = 0.1");
  // A constant schedule ignores min_lr, so it is not an error there.
  EXPECT_NO_THROW(parse({{"schedule", {{"min_lr", 0.5}}}}));
  e = parse_error({{"data", {{"train", "a.csv"}}}});
  EXPECT_CONTAINS(e, "data.train = \"a.csv\" is only read when data.format is \"csv\"");
  EXPECT_CONTAINS(e, "hint: add \"format\": \"csv\"");
  e = parse_error({{"data", {{"format", "csv"}, {"dir", "mnist"}}}});
  EXPECT_CONTAINS(e, "data.dir = \"mnist\" is only read when data.format is \"idx\"");
  // fp16-mixed defaults to dynamic scaling, which must start at or above its minimum.
  e = parse_error({{"precision", "fp16-mixed"}, {"loss_scale", {{"init", 0.5}}}});
  EXPECT_CONTAINS(e, "loss_scale.init = 0.5 is below loss_scale.min = 1");
  EXPECT_NO_THROW(parse({{"precision", "fp32"}, {"loss_scale", {{"init", 0.5}}}}));
}

// NUMERICS.md "Beyond nearest rounding": stochastic rounding of the weights and Kahan
// compensation act where updates round into stored 16-bit weights (the -true modes);
// stochastic rounding of gradients wherever gradients are 16-bit (every mode but fp32).
TEST(ConfigRemedies, ReadWrittenAndRoundTripped) {
  const json j = {{"precision", "bf16-true"},
                  {"optimizer", {{"compensation", "kahan"}}},
                  {"rounding", {{"weights", "stochastic"}, {"gradients", "stochastic"}}}};
  Config c = parse(j);
  EXPECT_EQ(c.optimizer.compensation, Compensation::kKahan);
  EXPECT_EQ(c.rounding.weights, RoundingMode::kStochastic);
  EXPECT_EQ(c.rounding.gradients, RoundingMode::kStochastic);
  EXPECT_EQ(to_json(c)["optimizer"]["compensation"], "kahan");
  EXPECT_EQ(to_json(c)["rounding"], (json{{"weights", "stochastic"}, {"gradients", "stochastic"}}));
  EXPECT_TRUE(same_config(parse(json::parse(to_json(c).dump())), c));
  // Each alone, in each mode the table allows it.
  for (const char* mode : {"fp16-true", "bf16-true"}) {
    EXPECT_NO_THROW(parse({{"precision", mode}, {"rounding", {{"weights", "stochastic"}}}})) << mode;
    EXPECT_NO_THROW(parse({{"precision", mode}, {"optimizer", {{"compensation", "kahan"}}}})) << mode;
  }
  for (const char* mode : {"fp16-mixed", "bf16-mixed", "fp16-true", "bf16-true"})
    EXPECT_NO_THROW(parse({{"precision", mode}, {"rounding", {{"gradients", "stochastic"}}}})) << mode;
  // The defaults are allowed everywhere, written out or not.
  EXPECT_NO_THROW(parse({{"rounding", {{"weights", "nearest"}, {"gradients", "nearest"}}},
                         {"optimizer", {{"compensation", "none"}}}}));
}

TEST(ConfigRemedies, UnknownNamesAndWrongTypes) {
  EXPECT_EQ(parse_error({{"rounding", {{"weights", "stochastc"}}}}),
            "f.json: rounding.weights = \"stochastc\": expected one of \"nearest\", "
            "\"stochastic\"; did you mean \"stochastic\"?");
  EXPECT_EQ(parse_error({{"optimizer", {{"compensation", "kahn"}}}}),
            "f.json: optimizer.compensation = \"kahn\": expected one of \"none\", \"kahan\"; "
            "did you mean \"kahan\"?");
  EXPECT_EQ(parse_error({{"rounding", {{"gradients", true}}}}),
            "f.json: rounding.gradients = true: expected one of \"nearest\", \"stochastic\", got "
            "a boolean");
  EXPECT_CONTAINS(parse_error({{"rounding", "stochastic"}}),
                  "rounding = \"stochastic\": expected an object with keys weights, gradients");
}

TEST(ConfigRemedies, EachNeedsAModeThatRoundsWhatItActsOn) {
  // A mixed mode: its fp32 master keeps the updates; the hint names the -true mode with the
  // same weights.
  EXPECT_EQ(parse_error({{"precision", "bf16-mixed"}, {"rounding", {{"weights", "stochastic"}}}}),
            "f.json: rounding.weights = \"stochastic\" only applies to the modes without master "
            "weights (fp16-true, bf16-true), where each update rounds into the stored weights; "
            "precision \"bf16-mixed\" applies its updates to fp32 master weights (hint: the master "
            "already keeps small updates; precision \"bf16-true\" is bf16 without one)");
  EXPECT_EQ(parse_error({{"precision", "fp16-mixed"}, {"optimizer", {{"compensation", "kahan"}}}}),
            "f.json: optimizer.compensation = \"kahan\" only applies to the modes without master "
            "weights (fp16-true, bf16-true), where each update rounds into the stored weights; "
            "precision \"fp16-mixed\" applies its updates to fp32 master weights (hint: the master "
            "already keeps small updates; precision \"fp16-true\" is fp16 without one)");
  // fp32: no mode stores fp32 weights without a master.
  EXPECT_EQ(parse_error({{"optimizer", {{"compensation", "kahan"}}}}),
            "f.json: optimizer.compensation = \"kahan\" only applies to the modes without master "
            "weights (fp16-true, bf16-true), where each update rounds into the stored weights; "
            "precision \"fp32\" keeps its weights in fp32 (hint: remove optimizer.compensation, or "
            "use one of those modes)");
  EXPECT_CONTAINS(parse_error({{"rounding", {{"weights", "stochastic"}}}}),
                  "precision \"fp32\" keeps its weights in fp32 (hint: remove rounding.weights, or");
  EXPECT_EQ(parse_error({{"rounding", {{"gradients", "stochastic"}}}}),
            "f.json: rounding.gradients = \"stochastic\" only applies to the modes that round "
            "gradients from fp32 (fp16-mixed, bf16-mixed, fp16-true, bf16-true); precision \"fp32\" "
            "keeps its gradients in fp32 (hint: remove rounding.gradients, or use one of those "
            "modes)");
}

TEST(ConfigEnums, ToStringGivesCanonicalNames) {
  EXPECT_EQ(to_string(Activation::kGelu), "gelu");
  EXPECT_EQ(to_string(Init::kXavier), "xavier");
  EXPECT_EQ(to_string(OptimizerKind::kAdamW), "adamw");
  EXPECT_EQ(to_string(ScheduleKind::kStep), "step");
  EXPECT_EQ(to_string(DataFormat::kCsv), "csv");
  EXPECT_EQ(to_string(Normalize::kStandardize), "standardize");
  EXPECT_EQ(to_string(CsvHeader::kNo), "false");
  EXPECT_EQ(enum_name(LossScaling::kDynamic), "dynamic");
  EXPECT_EQ(to_string(Compensation::kKahan), "kahan");
  // The rounding names are rounding.hpp's; the config table takes them from there.
  EXPECT_EQ(enum_name(RoundingMode::kNearestEven), "nearest");
  EXPECT_EQ(enum_name(RoundingMode::kStochastic), to_string(RoundingMode::kStochastic));
}

}  // namespace
}  // namespace mixprec
