// The five modes' policies (the NUMERICS.md "Modes" table, row by row) and the names a
// user may type for them.
#include <gtest/gtest.h>

#include <string>

#include "common/error.hpp"
#include "precision/precision.hpp"

namespace mixprec {
namespace {

TEST(Policy, MatchesTheModesTable) {
  struct Row {
    Precision precision;
    Format compute;
    bool has_fp32_master;
    Format optimizer_state;
    LossScaling loss_scaling;
  };
  const Row rows[] = {
      {Precision::kFp32, Format::kF32, true, Format::kF32, LossScaling::kNone},
      {Precision::kFp16Mixed, Format::kF16, true, Format::kF32, LossScaling::kDynamic},
      {Precision::kBf16Mixed, Format::kBf16, true, Format::kF32, LossScaling::kNone},
      {Precision::kFp16True, Format::kF16, false, Format::kF16, LossScaling::kDynamic},
      {Precision::kBf16True, Format::kBf16, false, Format::kBf16, LossScaling::kNone},
  };
  for (const Row& r : rows) {
    const PrecisionPolicy p = policy_for(r.precision);
    const std::string name = to_string(r.precision);
    EXPECT_EQ(p.precision, r.precision) << name;
    for (TensorRole role : kAllTensorRoles) EXPECT_EQ(p.format(role), r.compute) << name;
    EXPECT_EQ(p.has_master(), r.has_fp32_master) << name;
    if (p.has_master()) EXPECT_EQ(*p.master, Format::kF32) << name;
    EXPECT_EQ(p.accumulate, Format::kF32) << name;
    EXPECT_EQ(p.update_format(), r.has_fp32_master ? Format::kF32 : r.compute) << name;
    EXPECT_EQ(p.optimizer_state, r.optimizer_state) << name;
    EXPECT_EQ(p.default_loss_scaling, r.loss_scaling) << name;
  }
}

TEST(Policy, CheckpointCodesAreThoseOfEarlierVersionsAndReadBack) {
  // Codes 0..4 in this order were written by checkpoint versions 1 and 2.
  const Precision order[] = {Precision::kFp32, Precision::kFp16Mixed, Precision::kBf16Mixed,
                             Precision::kFp16True, Precision::kBf16True};
  for (std::uint8_t code = 0; code < 5; ++code) {
    EXPECT_EQ(policy_for(order[code]).checkpoint_code, code);
    EXPECT_EQ(precision_from_checkpoint_code(code), order[code]);
  }
  EXPECT_FALSE(precision_from_checkpoint_code(5).has_value());
}

TEST(Policy, AllPrecisionsListsEachModeOnceInTableOrder) {
  const auto& all = all_precisions();
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all[0], Precision::kFp32);
  EXPECT_EQ(all[1], Precision::kFp16Mixed);
  EXPECT_EQ(all[2], Precision::kBf16Mixed);
  EXPECT_EQ(all[3], Precision::kFp16True);
  EXPECT_EQ(all[4], Precision::kBf16True);
}

TEST(ParsePrecision, CanonicalNamesRoundTrip) {
  for (Precision p : all_precisions()) EXPECT_EQ(parse_precision(to_string(p)), p);
  EXPECT_EQ(to_string(Precision::kFp32), "fp32");
  EXPECT_EQ(to_string(Precision::kFp16Mixed), "fp16-mixed");
  EXPECT_EQ(to_string(Precision::kBf16Mixed), "bf16-mixed");
  EXPECT_EQ(to_string(Precision::kFp16True), "fp16-true");
  EXPECT_EQ(to_string(Precision::kBf16True), "bf16-true");
}

TEST(ParsePrecision, LightningAliases) {
  // Lightning's Trainer(precision=...) spellings: "16" and "bf16" are the mixed modes.
  EXPECT_EQ(parse_precision("32"), Precision::kFp32);
  EXPECT_EQ(parse_precision("32-true"), Precision::kFp32);
  EXPECT_EQ(parse_precision("float32"), Precision::kFp32);
  EXPECT_EQ(parse_precision("16"), Precision::kFp16Mixed);
  EXPECT_EQ(parse_precision("16-mixed"), Precision::kFp16Mixed);
  EXPECT_EQ(parse_precision("fp16"), Precision::kFp16Mixed);
  EXPECT_EQ(parse_precision("bf16"), Precision::kBf16Mixed);
  EXPECT_EQ(parse_precision("bfloat16"), Precision::kBf16Mixed);
  EXPECT_EQ(parse_precision("16-true"), Precision::kFp16True);
}

TEST(ParsePrecision, UnknownNamesAreUserErrorsNamingTheKey) {
  for (const char* bad : {"", "fp8", "FP32", "16-True", "bf16_mixed", " fp32", "64"}) {
    try {
      parse_precision(bad, "--precision");
      ADD_FAILURE() << "accepted \"" << bad << "\"";
    } catch (const UserError& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find("--precision"), std::string::npos) << msg;
      EXPECT_NE(msg.find("fp16-mixed"), std::string::npos) << msg;  // lists the valid names
      EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;          // one line
    }
  }
}

}  // namespace
}  // namespace mixprec
