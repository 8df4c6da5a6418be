// The optimizer's state as a named list of buffers: what each rule declares, and how a
// saved list is matched back by name when a run resumes (any order; a missing, unexpected
// or differently stored buffer is a one-line UserError that names it).
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "optim/optimizer.hpp"

namespace mixprec {
namespace {

OptimizerConfig config(OptimizerKind kind, double momentum = 0.9) {
  OptimizerConfig c;
  c.kind = kind;
  c.momentum = momentum;
  return c;
}

std::vector<std::string> names(Optimizer& opt) {
  std::vector<std::string> out;
  for (const OptimizerStateBuffer& b : opt.state_buffers()) out.emplace_back(b.name);
  return out;
}

// A saved buffer of n fp32 values, all `value`.
struct Saved {
  std::string name;
  Format format = Format::kF32;
  std::vector<std::byte> bytes;
  Saved(std::string n, std::size_t count, float value, Format f = Format::kF32)
      : name(std::move(n)), format(f), bytes(count * bytes_per_value(f)) {
    if (f == Format::kF32)
      for (std::size_t i = 0; i < count; ++i) std::memcpy(bytes.data() + 4 * i, &value, 4);
  }
};

std::vector<SavedOptimizerBuffer> views(const std::vector<Saved>& saved) {
  std::vector<SavedOptimizerBuffer> out;
  for (const Saved& s : saved) out.push_back({s.name, s.format, s.bytes});
  return out;
}

// The message of the UserError that check_saved_state throws ("" if none).
std::string check_error(const Optimizer& opt, const std::vector<Saved>& saved) {
  try {
    opt.check_saved_state(views(saved), "run/checkpoint.ckpt");
  } catch (const UserError& e) {
    return e.what();
  }
  return "";
}

#define EXPECT_CONTAINS(text, part) \
  EXPECT_NE(std::string(text).find(part), std::string::npos) << "missing: " << (part) << "\nin: " << (text)

TEST(OptimizerState, EachRuleDeclaresItsBuffers) {
  Optimizer momentum(config(OptimizerKind::kSgd), 3, Format::kF32, Format::kF32, Format::kF32);
  Optimizer plain(config(OptimizerKind::kSgd, 0.0), 3, Format::kF32, Format::kF32, Format::kF32);
  Optimizer adam(config(OptimizerKind::kAdam), 3, Format::kF32, Format::kF32, Format::kBf16);
  Optimizer adamw(config(OptimizerKind::kAdamW), 3, Format::kF32, Format::kF32, Format::kF32);
  EXPECT_EQ(names(momentum), std::vector<std::string>{"momentum_buffer"});
  EXPECT_TRUE(names(plain).empty());
  EXPECT_EQ(names(adam), (std::vector<std::string>{"exp_avg", "exp_avg_sq"}));
  EXPECT_EQ(names(adamw), (std::vector<std::string>{"exp_avg", "exp_avg_sq"}));
  for (const OptimizerStateBuffer& b : adam.state_buffers()) {
    EXPECT_EQ(b.format, Format::kBf16);
    EXPECT_EQ(b.bytes.size(), 6u);
  }
}

TEST(OptimizerState, RestoresBuffersByNameInAnyOrder) {
  Optimizer opt(config(OptimizerKind::kAdam), 2, Format::kF32, Format::kF32, Format::kF32);
  const std::vector<Saved> saved = {Saved("exp_avg_sq", 2, 0.25f), Saved("exp_avg", 2, 0.5f)};
  EXPECT_EQ(check_error(opt, saved), "");
  opt.restore_state(views(saved), 7);
  EXPECT_EQ(opt.steps_taken(), 7);
  const auto buffers = opt.state_buffers();
  float m = 0, v = 0;
  std::memcpy(&m, buffers[0].bytes.data(), 4);
  std::memcpy(&v, buffers[1].bytes.data(), 4);
  EXPECT_EQ(m, 0.5f);   // exp_avg
  EXPECT_EQ(v, 0.25f);  // exp_avg_sq
}

TEST(OptimizerState, AMissingBufferIsNamed) {
  Optimizer opt(config(OptimizerKind::kAdam), 2, Format::kF32, Format::kF32, Format::kF32);
  const std::string m = check_error(opt, {Saved("exp_avg", 2, 0.5f)});
  EXPECT_EQ(m.rfind("run/checkpoint.ckpt: ", 0), 0u) << m;
  EXPECT_CONTAINS(m, "the checkpoint has no optimizer buffer 'exp_avg_sq'");
  EXPECT_CONTAINS(m, "the checkpoint holds [exp_avg], this run's optimizer (adam) keeps [exp_avg, exp_avg_sq]");
  EXPECT_CONTAINS(m, "hint: resume with the optimizer settings the checkpoint was trained with");
  EXPECT_EQ(m.find('\n'), std::string::npos);
}

TEST(OptimizerState, AnUnexpectedBufferIsNamed) {
  Optimizer opt(config(OptimizerKind::kSgd, 0.0), 2, Format::kF32, Format::kF32, Format::kF32);
  const std::string m = check_error(opt, {Saved("momentum_buffer", 2, 0.5f)});
  EXPECT_EQ(m.rfind("run/checkpoint.ckpt: ", 0), 0u) << m;
  EXPECT_CONTAINS(m, "the checkpoint holds optimizer buffer 'momentum_buffer', which this run does not keep");
  EXPECT_CONTAINS(m, "this run's optimizer (sgd with momentum 0) keeps []");
  EXPECT_EQ(m.find('\n'), std::string::npos);
  // One more buffer than the rule declares is just as wrong.
  Optimizer adam(config(OptimizerKind::kAdam), 2, Format::kF32, Format::kF32, Format::kF32);
  EXPECT_CONTAINS(check_error(adam, {Saved("exp_avg", 2, 0.5f), Saved("exp_avg_sq", 2, 0.25f),
                                     Saved("kahan_compensation", 2, 0.0f)}),
                  "optimizer buffer 'kahan_compensation', which this run does not keep");
}

TEST(OptimizerState, ABufferInAnotherFormatOrSizeIsNamed) {
  Optimizer opt(config(OptimizerKind::kSgd), 2, Format::kF32, Format::kF32, Format::kF32);
  EXPECT_CONTAINS(check_error(opt, {Saved("momentum_buffer", 2, 0.0f, Format::kBf16)}),
                  "optimizer buffer 'momentum_buffer' holds 2 bf16 values, this run keeps 2 fp32 values");
  EXPECT_CONTAINS(check_error(opt, {Saved("momentum_buffer", 3, 0.0f)}),
                  "optimizer buffer 'momentum_buffer' holds 3 fp32 values, this run keeps 2 fp32 values");
}

TEST(OptimizerState, RestoringWithoutTheCheckIsAProgrammingError) {
  Optimizer opt(config(OptimizerKind::kAdam), 2, Format::kF32, Format::kF32, Format::kF32);
  const std::vector<Saved> saved = {Saved("exp_avg", 2, 0.5f)};
  EXPECT_THROW(opt.restore_state(views(saved), 1), std::logic_error);
}

}  // namespace
}  // namespace mixprec
