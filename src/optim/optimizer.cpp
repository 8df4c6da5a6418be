#include "optim/optimizer.hpp"

#include "common/intrinsics_warnings.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>

#if defined(__SSE2__)
#include <immintrin.h>
#endif

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/error.hpp"
#include "common/huge_pages.hpp"
#include "config/config_enums.hpp"
#include "precision/round_loops.hpp"
#include "optim/fused_update.hpp"
#include "optim/mul_add.hpp"

namespace mixprec {
namespace {

constexpr std::int64_t kBlock = kUpdateBlock;
// State buffers a rule may declare: Adam's two, and room for a compensation buffer (the
// scratch for them lives on the stack of each block).
constexpr std::size_t kMaxStateBuffers = 4;

// The block [begin, begin + n) of num_params values of `format` in fp32: the storage
// itself for fp32, else `scratch` filled with the exact widening of the storage. Each
// buffer has its own format, looked up once per block, outside the element loops; fp32
// storage, the common case, costs no call.
float* widen_16bit(Format format, const void* values, std::int64_t begin, std::int64_t n,
                   float* scratch) {
  dispatch_format(format, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_same_v<T, float>)
      to_float_array(static_cast<const T*>(values) + begin, scratch, static_cast<std::size_t>(n));
  });
  return scratch;
}

inline float* widen(Format format, const void* values, std::int64_t begin, std::int64_t n,
                    float* scratch) {
  if (format == kFloatFormat) return const_cast<float*>(static_cast<const float*>(values)) + begin;
  return widen_16bit(format, values, begin, n, scratch);
}

// Rounds a widened block back into 16-bit storage as `rounding` says (already advanced to
// the block); fp32 storage was updated in place.
void narrow_16bit(const float* block, Format format, void* values, std::int64_t begin,
                  std::int64_t n, const Rounding& rounding) {
  dispatch_format(format, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_same_v<T, float>)
      round_into(block, static_cast<T*>(values) + begin, static_cast<std::size_t>(n), rounding, nullptr);
  });
}

inline void narrow(const float* block, Format format, void* values, std::int64_t begin,
                   std::int64_t n, const Rounding& rounding) {
  if (format != kFloatFormat) narrow_16bit(block, format, values, begin, n, rounding);
}

// The buffer of Kahan's compensation (optim/apply_update.hpp): not a rule's state, kept
// after the rule's buffers under this name (checkpoints store it with them).
constexpr std::string_view kCompensationName = "kahan_compensation";

// The state each rule keeps (PyTorch's state keys), in the order the rule reads it.
std::vector<std::string_view> state_names(const OptimizerConfig& cfg) {
  if (cfg.kind == OptimizerKind::kSgd) {
    if (cfg.momentum == 0.0) return {};
    return {"momentum_buffer"};
  }
  return {"exp_avg", "exp_avg_sq"};
}

// What a rule sees of one block of n values, all fp32: the weights before the step, the
// gradients as stored (before grad_multiplier), its state buffers in the order it declared
// them (updated in place), and a block of scratch.
struct RuleBlock {
  const float* w;
  const float* g;
  float* const* state;
  float* scratch;
  std::int64_t n;
};

// A rule is a type with prepare(const RuleBlock&), which runs whatever passes the rule needs
// over the whole block and returns its per-element update: a callable (i, w) -> u that
// add_update inlines into its loop. One rule type per configuration, chosen once per step,
// so the loops have no branches and vectorise.

struct SgdParams {
  float mult, weight_decay, momentum, one_minus_dampening;
};

// torch.optim.SGD (https://pytorch.org/docs/stable/generated/torch.optim.SGD.html):
//   g_t = grad + lambda * theta_{t-1}                         (weight_decay != 0)
//   b_t = g_t                          if t == 1              (momentum != 0)
//       = mu * b_{t-1} + (1 - tau) * g_t otherwise
//   g_t = g_t + mu * b_t if nesterov else b_t
//   theta_t = theta_{t-1} - gamma * g_t
// The rule's update is u = g_t; the last line is the apply step's, with scale -gamma. The
// fp32 b_t is used for the update; the stored buffer is its rounding. Each mul_add fuses
// the product that GCC fused in the earlier per-element loop, so the results did not change
// with it (tests/optim/optimizer_reference_test.cpp pins them).
enum class Momentum { kNone, kFirstStep, kLater };

template <bool kDecay, Momentum kMomentum, bool kNesterov>
struct SgdRule {
  static constexpr std::size_t kStateBuffers = kMomentum == Momentum::kNone ? 0 : 1;
  SgdParams p;

  // The update of one value (V = float) or sixteen (V = Lanes16): g the gradient as stored,
  // w the weight, s[0] the momentum buffer (updated; unused without momentum).
  template <class V>
  V update(V g, V w, V* s) const {
    V d = kDecay ? mul_add(V(p.weight_decay), w, g * V(p.mult)) : g * V(p.mult);
    if constexpr (kMomentum != Momentum::kNone) {
      const V bt = kMomentum == Momentum::kFirstStep
                       ? d
                       : mul_add(V(p.momentum), s[0], V(p.one_minus_dampening) * d);
      s[0] = bt;
      d = kNesterov ? mul_add(V(p.momentum), bt, d) : bt;
    }
    return d;
  }

  auto prepare(const RuleBlock& blk) const {
    const SgdRule rule = *this;  // a copy: the compiler need not reload it after each store
    const float* g = blk.g;
    float* b = blk.state[0];  // momentum_buffer; null without momentum
    return [=](std::int64_t i, float w) {
      return rule.update<float>(g[i], w, kStateBuffers ? &b[i] : nullptr);
    };
  }
};

// Calls fn(SgdRule<...>{p}) with the rule type of this configuration.
template <bool kDecay, class Fn>
void with_sgd_rule(Momentum momentum, bool nesterov, const SgdParams& p, Fn&& fn) {
  switch (momentum) {
    case Momentum::kNone: return fn(SgdRule<kDecay, Momentum::kNone, false>{p});
    case Momentum::kFirstStep:
      return nesterov ? fn(SgdRule<kDecay, Momentum::kFirstStep, true>{p})
                      : fn(SgdRule<kDecay, Momentum::kFirstStep, false>{p});
    case Momentum::kLater:
      return nesterov ? fn(SgdRule<kDecay, Momentum::kLater, true>{p})
                      : fn(SgdRule<kDecay, Momentum::kLater, false>{p});
  }
}

template <class Fn>
void with_sgd_rule(bool decay, Momentum momentum, bool nesterov, const SgdParams& p, Fn&& fn) {
  if (decay) with_sgd_rule<true>(momentum, nesterov, p, fn);
  else with_sgd_rule<false>(momentum, nesterov, p, fn);
}

// x[i] = sqrt(x[i]), correctly rounded, in vector registers. std::sqrt in a loop stays
// scalar under GCC (it may have to set errno), and Eigen's AVX-512 packet sqrt is an
// approximation when EIGEN_FAST_MATH is on (its default).
inline void sqrt_in_place(float* x, std::int64_t n) {
  std::int64_t i = 0;
#if defined(__AVX512F__)
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(x + i, _mm512_sqrt_ps(_mm512_loadu_ps(x + i)));
#elif defined(__AVX__)
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, _mm256_sqrt_ps(_mm256_loadu_ps(x + i)));
#elif defined(__SSE2__)
  for (; i + 4 <= n; i += 4) _mm_storeu_ps(x + i, _mm_sqrt_ps(_mm_loadu_ps(x + i)));
#endif
  for (; i < n; ++i) x[i] = std::sqrt(x[i]);
}

struct AdamParams {
  float lr, mult, weight_decay, beta1, beta2, one_minus_beta1, one_minus_beta2, eps;
  float bias_correction1, bias_correction2;
};

// torch.optim.Adam (https://pytorch.org/docs/stable/generated/torch.optim.Adam.html):
//   g_t = grad + lambda * theta_{t-1}                         (Adam, weight_decay != 0)
//   m_t = beta1 * m_{t-1} + (1 - beta1) * g_t
//   v_t = beta2 * v_{t-1} + (1 - beta2) * g_t^2
//   mhat_t = m_t / (1 - beta1^t),  vhat_t = v_t / (1 - beta2^t)
//   theta_t = theta_{t-1} - gamma * mhat_t / (sqrt(vhat_t) + eps)
// torch.optim.AdamW (https://pytorch.org/docs/stable/generated/torch.optim.AdamW.html)
// replaces the L2 term by the decoupled decay theta_t = theta_{t-1} - gamma*lambda*theta_{t-1}
// applied first (PyTorch: param.mul_(1 - lr * weight_decay)), then the Adam step above.
// The rule's update is u = gamma * mhat_t / (sqrt(vhat_t) + eps); the apply step subtracts
// it, after the decay for AdamW (its weight_factor). The fp32 m_t, v_t are used for the
// update; the stored moments are their roundings.
template <bool kL2>
struct AdamRule {
  static constexpr std::size_t kStateBuffers = 2;
  AdamParams p;

  // m_t and v_t from the gradient as stored (g) and the weight (w), into m and v; returns
  // vhat_t.
  template <class V>
  V moments(V g, V w, V& m, V& v) const {
    const V grad = kL2 ? mul_add(V(p.weight_decay), w, g * V(p.mult)) : g * V(p.mult);
    m = mul_add(V(p.beta1), m, V(p.one_minus_beta1) * grad);
    v = mul_add(V(p.beta2), v, V(p.one_minus_beta2) * grad * grad);
    return v / V(p.bias_correction2);
  }

  // u from m_t and sqrt(vhat_t).
  template <class V>
  V step(V m, V root) const {
    const V mhat = m / V(p.bias_correction1);
    return V(p.lr) * mhat / (root + V(p.eps));
  }

  // The update of sixteen values (fused_update.hpp) or one; s = {exp_avg, exp_avg_sq}.
  template <class V>
  V update(V g, V w, V* s) const {
    return step(s[0], square_root(moments(g, w, s[0], s[1])));
  }

  // The array form: std::sqrt in a loop stays scalar under GCC, so the roots are taken in a
  // pass of their own.
  auto prepare(const RuleBlock& blk) const {
    const AdamRule rule = *this;  // a copy: the compiler need not reload it after each store
    const float* __restrict w = blk.w;
    const float* __restrict g = blk.g;
    float* __restrict m = blk.state[0];  // exp_avg
    float* __restrict v = blk.state[1];  // exp_avg_sq
    float* __restrict root = blk.scratch;  // vhat_t, then sqrt(vhat_t)
    for (std::int64_t i = 0; i < blk.n; ++i) root[i] = rule.moments<float>(g[i], w[i], m[i], v[i]);
    sqrt_in_place(root, blk.n);
    const float* mt = m;
    const float* sq = root;
    return [=](std::int64_t i, float) { return rule.step<float>(mt[i], sq[i]); };
  }
};

// The buffers one step reads and writes, as the block loop sees them.
struct StepBuffers {
  Format weight_format;
  void* weights;
  Format grad_format;
  const void* grads;
  void* working_copy;  // null, or num_params values of grad_format
  std::span<const OptimizerStateBuffer> state;  // the rule's buffers, in its order
  Rounding state_rounding;  // of state buffer k: for_tensor(tensor_id::kOptimizerState + k)
  WeightRounding weight_rounding;
  UpdateStats* block_stats;  // one per block: summed in block order, whatever the threads
};

// Whether the block loop may run the one-pass update (fused_update.hpp): the -true modes'
// storage, every buffer in the weights' 16-bit format, and AVX-512 registers to hold it.
bool one_pass_update(const StepBuffers& s) {
#if defined(__AVX512F__)
  if (s.weight_format == kFloatFormat || s.grad_format != s.weight_format || s.working_copy != nullptr)
    return false;
  for (const OptimizerStateBuffer& b : s.state)
    if (b.format != s.weight_format) return false;
  return true;
#else
  (void)s;
  return false;
#endif
}

#if defined(__AVX512F__)
// The block [begin, begin + len) by the one-pass update, its counts into `counted`.
template <class Rule>
void update_block_one_pass(const StepBuffers& s, std::int64_t begin, std::int64_t len,
                           const UpdateForm& form, const Rule& rule, UpdateStats& counted) {
  dispatch_format(s.weight_format, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_same_v<T, float>) {
      constexpr std::size_t kState = Rule::kStateBuffers;
      Block16<T, kState> b{};
      b.weights = static_cast<T*>(s.weights) + begin;
      b.grads = static_cast<const T*>(s.grads) + begin;
      for (std::size_t k = 0; k < kState; ++k) {
        b.state[k] = reinterpret_cast<T*>(s.state[k].bytes.data()) + begin;
        b.state_rounding[k] = s.state_rounding.for_tensor(tensor_id::kOptimizerState + std::uint32_t(k))
                                  .starting_at(std::uint64_t(begin));
      }
      b.compensation = s.weight_rounding.compensation
                           ? static_cast<T*>(s.weight_rounding.compensation) + begin
                           : nullptr;
      b.weight_rounding = s.weight_rounding.rounding.starting_at(std::uint64_t(begin));
      b.len = len;
      if (b.weight_rounding.mode == RoundingMode::kStochastic)
        update_block_16bit<T, true>(b, rule, form, counted);
      else
        update_block_16bit<T, false>(b, rule, form, counted);
    }
  });
}
#endif

// Runs the rule over the n values block by block: 16-bit storage is widened into fp32
// scratch, the rule updates its state and gives each element's update, add_update turns it
// into the new weight, the state is rounded back once, and store_updated_weights writes the
// weights (and the working copy, where there is one). The -true modes take the one-pass
// update instead, which does the same in registers. Blocks are statically scheduled and
// every value is computed on its own, so the result does not depend on the thread count.
template <class Rule>
UpdateStats update_blocks(const StepBuffers& s, std::int64_t n, const UpdateForm& form,
                          const Rule& rule) {
  const std::int64_t blocks = (n + kBlock - 1) / kBlock;
  const bool fp32_weights = s.weight_format == kFloatFormat;
  const bool one_pass = one_pass_update(s);
  if (s.state.size() != Rule::kStateBuffers)
    throw std::logic_error("update_blocks: the rule reads a different number of state buffers");
#pragma omp parallel
  {
#pragma omp for schedule(static)
    for (std::int64_t blk = 0; blk < blocks; ++blk) {
      const std::int64_t begin = blk * kBlock;
      const std::int64_t len = std::min(kBlock, n - begin);
#if defined(__AVX512F__)
      if (one_pass) {
        UpdateStats& counted = s.block_stats[blk];
        counted = UpdateStats{};
        update_block_one_pass(s, begin, len, form, rule, counted);
        continue;
      }
#endif
      alignas(64) float w_scratch[kBlock], w_new_scratch[kBlock], g_scratch[kBlock], scratch[kBlock];
      alignas(64) float state_scratch[kMaxStateBuffers][kBlock];
      float* views[kMaxStateBuffers] = {};
      float* w_old = widen(s.weight_format, s.weights, begin, len, w_scratch);
      float* w_new = fp32_weights ? w_old : w_new_scratch;  // fp32 weights: in place
      const float* g = widen(s.grad_format, s.grads, begin, len, g_scratch);
      for (std::size_t k = 0; k < s.state.size(); ++k)
        views[k] = widen(s.state[k].format, s.state[k].bytes.data(), begin, len, state_scratch[k]);
      add_update(form, rule.prepare(RuleBlock{w_old, g, views, scratch, len}), w_old, w_new, len);
      for (std::size_t k = 0; k < s.state.size(); ++k) {
        const Rounding rounding =
            s.state_rounding.for_tensor(tensor_id::kOptimizerState + std::uint32_t(k)).starting_at(std::uint64_t(begin));
        narrow(views[k], s.state[k].format, s.state[k].bytes.data(), begin, len, rounding);
      }
      if (!fp32_weights || s.working_copy != nullptr) {  // fp32 weights hold w_new already
        UpdateStats& counted = s.block_stats[blk];
        counted = UpdateStats{};
        store_updated_weights(w_new, w_old, s.weight_format, s.weights, s.grad_format,
                              s.working_copy, s.weight_rounding, begin, len, counted);
      }
    }
  }
  (void)one_pass;
  UpdateStats total;
  if (!fp32_weights)
    for (std::int64_t blk = 0; blk < blocks; ++blk) total += s.block_stats[blk];
  return total;
}

// `bytes` zero bytes (+0 in every format), on huge pages where the kernel gives them.
void allocate_state(std::vector<std::byte>& state, std::size_t bytes) {
  state.reserve(bytes);
  advise_huge_pages(state.data(), bytes);  // before the first write
  state.assign(bytes, std::byte{0});
}

}  // namespace

Optimizer::Optimizer(const OptimizerConfig& cfg, std::size_t num_params, Format weight_format,
                     Format grad_format, Format state_format, RoundingMode weight_rounding,
                     std::uint64_t seed)
    : cfg_(cfg),
      num_params_(num_params),
      weight_format_(weight_format),
      grad_format_(grad_format),
      block_stats_(std::size_t((std::int64_t(num_params) + kBlock - 1) / kBlock)) {
  rounding_.mode = weight_rounding;
  rounding_.seed = seed;
  // The remedies act where rounding loses updates: 16-bit weights (config validation names
  // the keys; this guards the library).
  if (weight_format == kFloatFormat &&
      (weight_rounding != RoundingMode::kNearestEven || cfg.compensation != Compensation::kNone))
    fail("optimizer.compensation / rounding.weights: the weights are fp32 here, so nothing is "
         "rounded; hint: use them with fp16-true or bf16-true");
  // The checks torch.optim makes in its constructors, named by config key.
  if (!(cfg.weight_decay >= 0.0))
    fail("optimizer.weight_decay: got {}, expected >= 0; hint: 0 turns it off", cfg.weight_decay);
  if (cfg.kind == OptimizerKind::kSgd) {
    if (!(cfg.momentum >= 0.0))
      fail("optimizer.momentum: got {}, expected >= 0; hint: 0 is plain SGD", cfg.momentum);
    if (!(cfg.dampening >= 0.0 && cfg.dampening <= 1.0))
      fail("optimizer.dampening: got {}, expected a value in [0, 1]; hint: PyTorch's default is 0",
           cfg.dampening);
    if (cfg.nesterov && (cfg.momentum <= 0.0 || cfg.dampening != 0.0))
      fail("optimizer.nesterov: needs momentum > 0 and dampening = 0 (got momentum {}, "
           "dampening {}); hint: as torch.optim.SGD, set dampening to 0 or nesterov to false",
           cfg.momentum, cfg.dampening);
  } else {
    if (!(cfg.beta1 >= 0.0 && cfg.beta1 < 1.0))
      fail("optimizer.beta1: got {}, expected a value in [0, 1); hint: the usual value is 0.9",
           cfg.beta1);
    if (!(cfg.beta2 >= 0.0 && cfg.beta2 < 1.0))
      fail("optimizer.beta2: got {}, expected a value in [0, 1); hint: the usual value is 0.999",
           cfg.beta2);
    if (!(cfg.eps >= 0.0))
      fail("optimizer.eps: got {}, expected >= 0; hint: the usual value is 1e-8", cfg.eps);
  }
  // Zero bits are +0 in all three formats: b_0 = m_0 = v_0 = 0.
  const std::vector<std::string_view> names = state_names(cfg);
  if (names.size() > kMaxStateBuffers)
    throw std::logic_error("Optimizer: more state buffers than kMaxStateBuffers");
  for (std::string_view name : names) {
    StateBuffer& b = state_.emplace_back(StateBuffer{std::string(name), state_format, {}});
    allocate_state(b.bytes, num_params * bytes_per_value(state_format));
  }
  rule_buffers_ = state_.size();
  if (cfg.compensation == Compensation::kKahan) {  // c_0 = 0, in the weights' format
    StateBuffer& c = state_.emplace_back(StateBuffer{std::string(kCompensationName), weight_format, {}});
    allocate_state(c.bytes, num_params * bytes_per_value(weight_format));
  }
}

std::size_t Optimizer::state_bytes() const {
  std::size_t bytes = 0;
  for (std::size_t k = 0; k < rule_buffers_; ++k) bytes += state_[k].bytes.size();
  return bytes;
}

std::size_t Optimizer::compensation_bytes() const {
  return state_.size() > rule_buffers_ ? state_.back().bytes.size() : 0;
}

void Optimizer::step(void* weights, const void* grads, float lr, float grad_multiplier,
                     UpdateStats* stats, void* working_copy) {
  if (working_copy != nullptr &&
      (weight_format_ != kFloatFormat || grad_format_ == kFloatFormat))
    throw std::logic_error("Optimizer::step: a working copy needs fp32 weights, 16-bit grads");
  ++steps_taken_;
  const auto n = static_cast<std::int64_t>(num_params_);
  // Views of the state buffers, without allocating: at most kMaxStateBuffers of them.
  OptimizerStateBuffer state[kMaxStateBuffers];
  for (std::size_t k = 0; k < rule_buffers_; ++k)
    state[k] = {state_[k].name, state_[k].format, state_[k].bytes};
  // Stochastic rounding is keyed by this update's number (restored on resume).
  Rounding rounding = rounding_;
  rounding.step = std::uint64_t(steps_taken_);
  WeightRounding weight_rounding{rounding.for_tensor(tensor_id::kWeights), nullptr};
  if (compensation_bytes() != 0) weight_rounding.compensation = state_.back().bytes.data();
  const StepBuffers buffers{weight_format_, weights, grad_format_, grads, working_copy,
                            std::span<const OptimizerStateBuffer>(state, rule_buffers_),
                            rounding, weight_rounding, block_stats_.data()};
  UpdateStats counted;
  // The update rule is chosen once per step; the formats are looked up once per block.
  if (cfg_.kind == OptimizerKind::kSgd) {
    const SgdParams p{grad_multiplier, static_cast<float>(cfg_.weight_decay),
                      static_cast<float>(cfg_.momentum), static_cast<float>(1.0 - cfg_.dampening)};
    const Momentum momentum = rule_buffers_ == 0      ? Momentum::kNone
                              : steps_taken_ == 1 ? Momentum::kFirstStep
                                                  : Momentum::kLater;
    with_sgd_rule(p.weight_decay != 0.0f, momentum, cfg_.nesterov, p, [&](const auto& rule) {
      counted = update_blocks(buffers, n, UpdateForm{-lr, 1.0f}, rule);
    });
  } else {
    // Bias corrections in double, as PyTorch computes them on Python floats.
    const double t = static_cast<double>(steps_taken_);
    const bool decoupled = cfg_.kind == OptimizerKind::kAdamW;
    const AdamParams p{lr,
                       grad_multiplier,
                       static_cast<float>(cfg_.weight_decay),
                       static_cast<float>(cfg_.beta1),
                       static_cast<float>(cfg_.beta2),
                       static_cast<float>(1.0 - cfg_.beta1),
                       static_cast<float>(1.0 - cfg_.beta2),
                       static_cast<float>(cfg_.eps),
                       static_cast<float>(1.0 - std::pow(cfg_.beta1, t)),
                       static_cast<float>(1.0 - std::pow(cfg_.beta2, t))};
    const UpdateForm form{
        -1.0f, decoupled ? static_cast<float>(1.0 - double{lr} * cfg_.weight_decay) : 1.0f};
    if (!decoupled && p.weight_decay != 0.0f) counted = update_blocks(buffers, n, form, AdamRule<true>{p});
    else counted = update_blocks(buffers, n, form, AdamRule<false>{p});
  }
  if (stats != nullptr) *stats += counted;
}

std::vector<OptimizerStateBuffer> Optimizer::state_buffers() {
  std::vector<OptimizerStateBuffer> out;
  for (StateBuffer& b : state_) out.push_back({b.name, b.format, b.bytes});
  return out;
}

void Optimizer::set_steps_taken(std::int64_t steps) {
  if (steps < 0) fail("optimizer state: step count {} is negative; hint: the checkpoint is damaged", steps);
  steps_taken_ = steps;
}

// What the errors call this optimizer: its name and what decides its state.
std::string Optimizer::describe() const {
  if (cfg_.kind == OptimizerKind::kSgd) return fmt::format("sgd with momentum {}", cfg_.momentum);
  return to_string(cfg_.kind);
}

void Optimizer::check_saved_state(std::span<const SavedOptimizerBuffer> saved,
                                  std::string_view where) const {
  std::vector<std::string_view> kept, held;
  for (const StateBuffer& b : state_) kept.push_back(b.name);
  for (const SavedOptimizerBuffer& b : saved) held.push_back(b.name);
  const auto lists = [&] {
    return fmt::format("the checkpoint holds [{}], this run's optimizer ({}) keeps [{}]",
                       fmt::join(held, ", "), describe(), fmt::join(kept, ", "));
  };
  constexpr std::string_view kHint =
      "hint: resume with the optimizer settings the checkpoint was trained with";
  for (const StateBuffer& b : state_) {
    const auto n = std::count(held.begin(), held.end(), std::string_view(b.name));
    if (n == 0) fail("{}: the checkpoint has no optimizer buffer '{}' ({}) ({})", where, b.name, lists(), kHint);
    if (n > 1) fail("{}: the checkpoint holds optimizer buffer '{}' {} times ({}) ({})", where, b.name, n, lists(), kHint);
  }
  for (const SavedOptimizerBuffer& b : saved) {
    const auto own = std::find_if(state_.begin(), state_.end(),
                                  [&](const StateBuffer& s) { return s.name == b.name; });
    if (own == state_.end())
      fail("{}: the checkpoint holds optimizer buffer '{}', which this run does not keep ({}) ({})",
           where, b.name, lists(), kHint);
    if (b.format != own->format || b.bytes.size() != own->bytes.size()) {
      fail("{}: optimizer buffer '{}' holds {} {} values, this run keeps {} {} values ({})", where,
           b.name, b.bytes.size() / bytes_per_value(b.format), to_string(b.format), num_params_,
           to_string(own->format), kHint);
    }
  }
}

void Optimizer::restore_state(std::span<const SavedOptimizerBuffer> saved, std::int64_t steps) {
  for (StateBuffer& b : state_) {
    const auto from = std::find_if(saved.begin(), saved.end(),
                                   [&](const SavedOptimizerBuffer& s) { return s.name == b.name; });
    if (from == saved.end() || from->bytes.size() != b.bytes.size() || from->format != b.format)
      throw std::logic_error("Optimizer::restore_state: call check_saved_state first");
    if (!b.bytes.empty()) std::memcpy(b.bytes.data(), from->bytes.data(), b.bytes.size());
  }
  set_steps_taken(steps);
}

}  // namespace mixprec
