// to_json: the fully resolved config with canonical names, e.g. for the run log, so that
// a run can be reproduced from its own record.
#include "config/config_loader.hpp"

namespace mixprec {

using nlohmann::json;

json to_json(const Config& c) {
  const DataConfig& d = c.data;
  json label = d.label_column_name.empty() ? json(d.label_column_index)
                                           : json(d.label_column_name);
  json header = d.header == CsvHeader::kAuto ? json("auto") : json(d.header == CsvHeader::kYes);
  json categorical = json::array();
  for (const ColumnRef& ref : d.categorical)
    categorical.push_back(ref.by_name() ? json(ref.name) : json(ref.index));
  const LossScaleConfig& l = c.loss_scale;
  return json{
      {"name", c.name},
      {"precision", to_string(c.precision)},
      {"seed", c.seed},
      {"threads", c.threads},
      {"data",
       {{"format", to_string(d.format)},
        {"dir", d.dir},
        {"train", d.train},
        {"test", d.test},
        {"test_fraction", d.test_fraction},
        {"label_column", label},
        {"header", header},
        {"normalize", to_string(d.normalize)},
        {"validation_fraction", d.validation_fraction},
        {"max_train_samples", d.max_train_samples},
        {"categorical", categorical},
        {"missing", to_string(d.missing)}}},
      {"model",
       {{"hidden", c.model.hidden},
        {"activation", to_string(c.model.activation)},
        {"init", to_string(c.model.init)}}},
      {"optimizer",
       {{"name", to_string(c.optimizer.kind)},
        {"lr", c.optimizer.lr},
        {"momentum", c.optimizer.momentum},
        {"dampening", c.optimizer.dampening},
        {"nesterov", c.optimizer.nesterov},
        {"weight_decay", c.optimizer.weight_decay},
        {"beta1", c.optimizer.beta1},
        {"beta2", c.optimizer.beta2},
        {"eps", c.optimizer.eps},
        {"clip_grad_norm", c.optimizer.clip_grad_norm},
        {"compensation", to_string(c.optimizer.compensation)}}},
      {"schedule",
       {{"name", to_string(c.schedule.kind)},
        {"warmup_epochs", c.schedule.warmup_epochs},
        {"step_epochs", c.schedule.step_epochs},
        {"gamma", c.schedule.gamma},
        {"min_lr", c.schedule.min_lr}}},
      {"loss_scale",
       {{"mode", l.mode ? enum_name(*l.mode) : std::string("auto")},
        {"init", l.init},
        {"growth_factor", l.growth_factor},
        {"growth_interval", l.growth_interval},
        {"backoff_factor", l.backoff_factor},
        {"min", l.min}}},
      {"rounding",
       {{"weights", enum_name(c.rounding.weights)},
        {"gradients", enum_name(c.rounding.gradients)}}},
      {"train",
       {{"epochs", c.train.epochs},
        {"batch_size", c.train.batch_size},
        {"eval_batch_size", c.train.eval_batch_size},
        {"shuffle", c.train.shuffle}}},
  };
}

}  // namespace mixprec
