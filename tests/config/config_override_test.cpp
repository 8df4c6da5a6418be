// --set overrides (apply_override) and the whole load_config path with real files.
#include <gtest/gtest.h>

#include "config/config_loader.hpp"
#include "config/config_test_util.hpp"

namespace mixprec {
namespace {

using nlohmann::json;
using testing::error_of;
using testing::TempFile;

json set(json j, const std::string& assignment) { return apply_override(std::move(j), assignment); }

TEST(ConfigOverride, ValueIsParsedAsJson) {
  json j = json::object();
  EXPECT_EQ(set(j, "optimizer.lr=0.01")["optimizer"]["lr"], 0.01);
  EXPECT_EQ(set(j, "model.hidden=[256,128]")["model"]["hidden"], json::array({256, 128}));
  EXPECT_EQ(set(j, "model.hidden=[]")["model"]["hidden"], json::array());
  EXPECT_EQ(set(j, "train.shuffle=false")["train"]["shuffle"], false);
  EXPECT_EQ(set(j, "train.epochs=3")["train"]["epochs"], 3);
  EXPECT_EQ(set(j, "data.label_column=3")["data"]["label_column"], 3);
  EXPECT_EQ(set(j, "loss_scale=1024")["loss_scale"], 1024);
  EXPECT_EQ(set(j, "name=\"quoted\"")["name"], "quoted");
}

TEST(ConfigOverride, TextThatIsNotJsonIsAString) {
  json j = json::object();
  EXPECT_EQ(set(j, "precision=bf16-mixed")["precision"], "bf16-mixed");
  EXPECT_EQ(set(j, "name=foo")["name"], "foo");
  EXPECT_EQ(set(j, "data.label_column=label")["data"]["label_column"], "label");
  EXPECT_EQ(set(j, "loss_scale=dynamic")["loss_scale"], "dynamic");
  // Free-text keys keep what was typed even when it would parse as JSON.
  EXPECT_EQ(set(j, "name=2024")["name"], "2024");
  EXPECT_EQ(set(j, "data.dir=true")["data"]["dir"], "true");
  EXPECT_EQ(set(j, "name=")["name"], "");
  // Only the first '=' separates key and value.
  EXPECT_EQ(set(j, "name=a=b")["name"], "a=b");
}

TEST(ConfigOverride, CreatesAbsentObjectsAndKeepsSiblings) {
  json j = {{"optimizer", {{"name", "adam"}}}};
  json out = set(j, "schedule.name=cosine");
  EXPECT_EQ(out["schedule"], (json{{"name", "cosine"}}));
  out = set(out, "optimizer.lr=0.5");
  EXPECT_EQ(out["optimizer"], (json{{"name", "adam"}, {"lr", 0.5}}));
}

TEST(ConfigOverride, WholeObjectIsReplaced) {
  json j = {{"optimizer", {{"name", "adam"}, {"lr", 0.5}}}};
  EXPECT_EQ(set(j, R"(optimizer={"name":"sgd"})")["optimizer"], (json{{"name", "sgd"}}));
}

TEST(ConfigOverride, InsideLossScaleShorthand) {
  EXPECT_EQ(set({{"loss_scale", "dynamic"}}, "loss_scale.init=1024")["loss_scale"],
            (json{{"mode", "dynamic"}, {"init", 1024}}));
  EXPECT_EQ(set({{"loss_scale", 512}}, "loss_scale.growth_interval=10")["loss_scale"],
            (json{{"mode", "static"}, {"init", 512}, {"growth_interval", 10}}));
  EXPECT_EQ(set({{"loss_scale", "auto"}}, "loss_scale.min=2")["loss_scale"], (json{{"min", 2}}));
}

TEST(ConfigOverride, UnknownKeyIsAnErrorEvenIfTheFileOmitsIt) {
  EXPECT_EQ(error_of([] { set(json::object(), "optimizer.lrr=0.1"); }),
            "--set optimizer.lrr=0.1: unknown key \"optimizer.lrr\"; did you mean "
            "\"optimizer.lr\"?");
  EXPECT_EQ(error_of([] { set(json::object(), "lr=0.1"); }),
            "--set lr=0.1: unknown key \"lr\"; did you mean \"optimizer.lr\"?");
  EXPECT_EQ(error_of([] { set(json::object(), "optimzer.lr=0.1"); }),
            "--set optimzer.lr=0.1: unknown key \"optimzer.lr\"; did you mean "
            "\"optimizer.lr\"?");
  EXPECT_EQ(error_of([] { set(json::object(), "train.foo=1"); }),
            "--set train.foo=1: unknown key \"train.foo\"; valid keys of \"train\": epochs, "
            "batch_size, eval_batch_size, shuffle");
  EXPECT_EQ(error_of([] { set(json::object(), "optimizer.lr.x=1"); }),
            "--set optimizer.lr.x=1: unknown key \"optimizer.lr.x\"; \"optimizer.lr\" takes a "
            "single value, not sub-keys");
}

TEST(ConfigOverride, MalformedAssignments) {
  EXPECT_EQ(error_of([] { set(json::object(), "optimizer.lr"); }),
            "--set optimizer.lr: expected KEY=VALUE, e.g. --set optimizer.lr=0.01");
  EXPECT_CONTAINS(error_of([] { set(json::object(), "=1"); }), "--set =1: malformed key \"\"");
  EXPECT_CONTAINS(error_of([] { set(json::object(), "optimizer..lr=1"); }),
                  "malformed key \"optimizer..lr\"");
  std::string e = error_of([] { set(json::object(), "model.hidden=[256,128"); });
  EXPECT_CONTAINS(e, "--set model.hidden=[256,128: invalid JSON value [256,128:");
  e = error_of([] { set({{"data", "mnist"}}, "data.dir=x"); });
  EXPECT_EQ(e, "--set data.dir=x: cannot set a key inside \"data\", which is \"mnist\" rather "
               "than an object");
}

TEST(LoadConfig, AppliesOverridesInOrder) {
  TempFile file("order.json", R"({"data": {"dir": "mnist"}, "optimizer": {"lr": 0.1}})");
  Config c = load_config(file.path(), {"optimizer.lr=0.2", "optimizer.lr=0.3",
                                       "precision=bf16", "model.hidden=[8,4]",
                                       "schedule.name=cosine", "name=foo"});
  EXPECT_EQ(c.optimizer.lr, 0.3);
  EXPECT_EQ(c.precision, Precision::kBf16Mixed);
  EXPECT_EQ(c.model.hidden, (std::vector<int>{8, 4}));
  EXPECT_EQ(c.schedule.kind, ScheduleKind::kCosine);
  EXPECT_EQ(c.name, "foo");
  EXPECT_EQ(c.data.dir, "mnist");
  EXPECT_EQ(load_config(file.path(), {"precision=16"}).precision, Precision::kFp16Mixed);
}

TEST(LoadConfig, BadOverriddenValueBlamesTheSet) {
  TempFile file("blame.json", R"({"data": {"dir": "mnist"}, "train": {"epochs": 1.5}})");
  // The file's own mistake is reported against the file...
  std::string e = error_of([&] { load_config(file.path()); });
  EXPECT_EQ(e, file.path() + ": train.epochs = 1.5: expected an integer >= 1, got a fractional "
                             "number");
  // ...and fixed by a --set; a bad --set value is reported against the --set.
  EXPECT_NO_THROW(load_config(file.path(), {"train.epochs=2"}));
  e = error_of([&] { load_config(file.path(), {"train.epochs=2", "optimizer.lr=0"}); });
  EXPECT_EQ(e, "--set optimizer.lr=0: optimizer.lr = 0: expected a number > 0");
  e = error_of([&] { load_config(file.path(), {"train.epochs=2", "precision=fp8"}); });
  EXPECT_CONTAINS(e, "--set precision=fp8: precision: unknown precision \"fp8\"");
  e = error_of([&] { load_config(file.path(), {"train.epochs=2", "optimizer.lrr=1"}); });
  EXPECT_CONTAINS(e, "--set optimizer.lrr=1: unknown key \"optimizer.lrr\"; did you mean");
  e = error_of([&] { load_config(file.path(), {R"(train={"epochs": 2, "epoch": 3})"}); });
  EXPECT_CONTAINS(e, R"(--set train={"epochs": 2, "epoch": 3}: unknown key "train.epoch")");
}

TEST(LoadConfig, RemedyOverrides) {
  TempFile file("remedies.json", R"({"data": {"dir": "mnist"}, "precision": "bf16-true"})");
  Config c = load_config(file.path(), {"rounding.weights=stochastic", "rounding.gradients=stochastic",
                                       "optimizer.compensation=kahan"});
  EXPECT_EQ(c.rounding.weights, RoundingMode::kStochastic);
  EXPECT_EQ(c.rounding.gradients, RoundingMode::kStochastic);
  EXPECT_EQ(c.optimizer.compensation, Compensation::kKahan);
  EXPECT_EQ(load_config(file.path(), {"rounding.weights=stochastic", "rounding.weights=nearest"})
                .rounding.weights,
            RoundingMode::kNearestEven);
  // A remedy the mode cannot use blames whichever --set came last: the remedy's...
  std::string e = error_of([&] {
    load_config(file.path(), {"precision=bf16-mixed", "rounding.weights=stochastic"});
  });
  EXPECT_CONTAINS(e, "--set rounding.weights=stochastic: rounding.weights = \"stochastic\" only "
                     "applies to the modes without master weights");
  // ...or the precision's, which broke a config that was fine.
  TempFile sr("sr.json", R"({"data": {"dir": "mnist"}, "precision": "bf16-true",
                             "rounding": {"weights": "stochastic"}})");
  e = error_of([&] { load_config(sr.path(), {"precision=bf16-mixed"}); });
  EXPECT_CONTAINS(e, "--set precision=bf16-mixed: rounding.weights = \"stochastic\"");
  e = error_of([&] { load_config(file.path(), {"rounding.weights=random"}); });
  EXPECT_EQ(e, "--set rounding.weights=random: rounding.weights = \"random\": expected one of "
               "\"nearest\", \"stochastic\"");
  e = error_of([&] { load_config(file.path(), {"rounding.weight=stochastic"}); });
  EXPECT_EQ(e, "--set rounding.weight=stochastic: unknown key \"rounding.weight\"; did you mean "
               "\"rounding.weights\"?");
}

TEST(LoadConfig, RequiresADataSource) {
  TempFile empty("nodata.json", "{}");
  std::string e = error_of([&] { load_config(empty.path()); });
  EXPECT_CONTAINS(e, empty.path() + ": data.dir is not set");
  EXPECT_CONTAINS(e, "--set data.dir=PATH");
  EXPECT_EQ(load_config(empty.path(), {"data.dir=mnist"}).data.dir, "mnist");
  e = error_of([&] { load_config(empty.path(), {"data.format=csv"}); });
  EXPECT_CONTAINS(e, "data.train is not set");
  EXPECT_CONTAINS(e, "--set data.train=PATH");
  Config c = load_config(empty.path(), {"data.format=csv", "data.train=train.csv"});
  EXPECT_EQ(c.data.train, "train.csv");
}

TEST(LoadConfig, MissingFileIsNamed) {
  std::string e = error_of([] { load_config("/nonexistent/mixprec/cfg.json"); });
  EXPECT_CONTAINS(e, "/nonexistent/mixprec/cfg.json: config file not found");
  e = error_of([] { load_config(std::filesystem::temp_directory_path().string()); });
  EXPECT_CONTAINS(e, "is a directory");
}

TEST(LoadConfig, TopLevelMustBeAnObject) {
  TempFile file("array.json", "[1, 2]");
  EXPECT_EQ(error_of([&] { load_config(file.path()); }),
            file.path() + ": expected a JSON object {...} at the top level, got array");
}

}  // namespace
}  // namespace mixprec
