#include "optim/optimizer.hpp"

// GCC 12 reports the AVX-512 intrinsics' own _mm512_undefined_*() placeholders as
// "maybe uninitialized" once they are inlined here (GCC PR 105593).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <type_traits>

#if defined(__SSE2__)
#include <immintrin.h>
#endif

#include "common/error.hpp"
#include "common/huge_pages.hpp"
#include "precision/round_loops.hpp"  // header-only: mixprec_optim does not link kernels
#include "optim/mul_add.hpp"

namespace mixprec {
namespace {

// Values per block: the unit of OpenMP work and of the fp32 scratch copies of 16-bit
// storage (a few KiB of stack per thread, so the copies stay in L1).
constexpr std::int64_t kBlock = 512;

template <class T>
constexpr bool kIsF32 = std::is_same_v<T, float>;

// One block of n values in fp32: the storage itself when T is float, else `scratch`
// filled with the exact widening of the storage.
template <class T>
float* fp32_view(T* storage, float* scratch, std::int64_t n) {
  if constexpr (kIsF32<T>) {
    return storage;
  } else {
    to_float_array(storage, scratch, static_cast<std::size_t>(n));
    return scratch;
  }
}

template <class T>
const float* fp32_view(const T* storage, float* scratch, std::int64_t n) {
  return fp32_view(const_cast<T*>(storage), scratch, n);
}

// Rounds the block back into 16-bit storage (RNE); float storage was updated in place.
template <class T>
void store_back(const float* values, T* storage, std::int64_t n) {
  if constexpr (!kIsF32<T>) from_float_array(values, storage, static_cast<std::size_t>(n));
}

struct SgdParams {
  float lr, mult, weight_decay, momentum, one_minus_dampening;
};

// torch.optim.SGD (https://pytorch.org/docs/stable/generated/torch.optim.SGD.html):
//   g_t = grad + lambda * theta_{t-1}                         (weight_decay != 0)
//   b_t = g_t                          if t == 1              (momentum != 0)
//       = mu * b_{t-1} + (1 - tau) * g_t otherwise
//   g_t = g_t + mu * b_t if nesterov else b_t
//   theta_t = theta_{t-1} - gamma * g_t
// The fp32 b_t is used for the update; the stored buffer is its rounding. One update rule
// per configuration, chosen once per step, so the loop has no branches and vectorises.
// Each mul_add fuses the product that GCC fused in the earlier per-element loop, so the
// results did not change with it (tests/optim/optimizer_reference_test.cpp pins them).
// w, b: updated in place (fp32); b is unused without momentum.
enum class Momentum { kNone, kFirstStep, kLater };

template <bool kDecay, Momentum kMomentum, bool kNesterov>
void sgd_rule(float* __restrict w, const float* __restrict g, float* __restrict b,
              std::int64_t n, const SgdParams& p) {
  const float lr = p.lr, mult = p.mult, wd = p.weight_decay, mu = p.momentum,
              damp = p.one_minus_dampening;
  for (std::int64_t i = 0; i < n; ++i) {
    const float old_w = w[i];
    float d = kDecay ? mul_add(wd, old_w, g[i] * mult) : g[i] * mult;
    if constexpr (kMomentum != Momentum::kNone) {
      const float bt = kMomentum == Momentum::kFirstStep ? d : mul_add(mu, b[i], damp * d);
      b[i] = bt;
      d = kNesterov ? mul_add(mu, bt, d) : bt;
    }
    w[i] = mul_add(-lr, d, old_w);
  }
}

using SgdRule = void (*)(float*, const float*, float*, std::int64_t, const SgdParams&);

template <bool kDecay>
SgdRule pick_sgd_rule(Momentum momentum, bool nesterov) {
  switch (momentum) {
    case Momentum::kNone: return sgd_rule<kDecay, Momentum::kNone, false>;
    case Momentum::kFirstStep:
      return nesterov ? sgd_rule<kDecay, Momentum::kFirstStep, true>
                      : sgd_rule<kDecay, Momentum::kFirstStep, false>;
    default:
      return nesterov ? sgd_rule<kDecay, Momentum::kLater, true>
                      : sgd_rule<kDecay, Momentum::kLater, false>;
  }
}

SgdRule pick_sgd_rule(bool decay, Momentum momentum, bool nesterov) {
  return decay ? pick_sgd_rule<true>(momentum, nesterov)
               : pick_sgd_rule<false>(momentum, nesterov);
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
  float decoupled_factor;  // AdamW: 1 - lr * weight_decay
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
// The fp32 m_t, v_t are used for the update; the stored moments are their roundings.
enum class AdamDecay { kNone, kL2, kDecoupled };

template <AdamDecay kDecay>
void adam_rule(float* __restrict w, const float* __restrict g, float* __restrict m,
               float* __restrict v, std::int64_t n, const AdamParams& p) {
  const AdamParams q = p;  // locals: the compiler need not reload them after each store
  if constexpr (kDecay == AdamDecay::kDecoupled) {
    // A pass of its own (PyTorch's param.mul_ before addcdiv_): the decayed weight is
    // rounded before the step is subtracted, which GCC would otherwise fuse into one FMA.
    for (std::int64_t i = 0; i < n; ++i) w[i] *= q.decoupled_factor;
  }
  alignas(64) float root[kBlock];  // vhat_t, then sqrt(vhat_t)
  for (std::int64_t i = 0; i < n; ++i) {
    const float grad = kDecay == AdamDecay::kL2 ? mul_add(q.weight_decay, w[i], g[i] * q.mult)
                                                : g[i] * q.mult;
    m[i] = mul_add(q.beta1, m[i], q.one_minus_beta1 * grad);
    v[i] = mul_add(q.beta2, v[i], q.one_minus_beta2 * grad * grad);
    root[i] = v[i] / q.bias_correction2;
  }
  sqrt_in_place(root, n);
  for (std::int64_t i = 0; i < n; ++i) {
    const float mhat = m[i] / q.bias_correction1;
    w[i] = w[i] - q.lr * mhat / (root[i] + q.eps);
  }
}

using AdamRule = void (*)(float*, const float*, float*, float*, std::int64_t, const AdamParams&);

AdamRule pick_adam_rule(AdamDecay decay) {
  switch (decay) {
    case AdamDecay::kNone: return adam_rule<AdamDecay::kNone>;
    case AdamDecay::kL2: return adam_rule<AdamDecay::kL2>;
    default: return adam_rule<AdamDecay::kDecoupled>;
  }
}

// Runs rule(w, g, a, b, n) over the n values block by block: 16-bit storage is widened
// into fp32 scratch, updated, and rounded back once. For 16-bit weights it also counts
// the updates that moved the fp32 weight and those that rounding undid (NUMERICS.md
// "lost updates"). Blocks are statically scheduled and every value is computed on its
// own, so the result does not depend on the thread count.
// copy (may be null) receives the rounding of the new fp32 weights to G.
template <class W, class G, class S, class Rule>
void update_blocks(W* w, const G* g, S* a, S* b, G* copy, std::int64_t n, const Rule& rule,
                   std::uint64_t& nonzero, std::uint64_t& lost) {
  const std::int64_t blocks = (n + kBlock - 1) / kBlock;
  std::uint64_t nz = 0, ls = 0;
#pragma omp parallel for schedule(static) reduction(+ : nz, ls)
  for (std::int64_t blk = 0; blk < blocks; ++blk) {
    const std::int64_t begin = blk * kBlock;
    const std::int64_t len = std::min(kBlock, n - begin);
    alignas(64) float w_scratch[kBlock], g_scratch[kBlock], a_scratch[kBlock],
        b_scratch[kBlock], old_w[kBlock];
    float* wf = fp32_view(w + begin, w_scratch, len);
    const float* gf = fp32_view(g + begin, g_scratch, len);
    float* af = a != nullptr ? fp32_view(a + begin, a_scratch, len) : nullptr;
    float* bf = b != nullptr ? fp32_view(b + begin, b_scratch, len) : nullptr;
    if constexpr (!kIsF32<W>) std::memcpy(old_w, wf, static_cast<std::size_t>(len) * 4);
    rule(wf, gf, af, bf, len);
    if (a != nullptr) store_back(af, a + begin, len);
    if (b != nullptr) store_back(bf, b + begin, len);
    store_back(wf, w + begin, len);
    if (copy != nullptr) from_float_array(wf, copy + begin, static_cast<std::size_t>(len));
    if constexpr (!kIsF32<W>) {
      // The stored weight read back (g_scratch is free now): a moved value is lost when
      // the stored weight equals the old one. NaN != NaN counts as moved, never as lost.
      float* stored = g_scratch;
      to_float_array(w + begin, stored, static_cast<std::size_t>(len));
      std::uint32_t block_nz = 0, block_ls = 0;
      for (std::int64_t i = 0; i < len; ++i) {
        const bool moved = wf[i] != old_w[i];
        block_nz += moved;
        block_ls += moved & (stored[i] == old_w[i]);
      }
      nz += block_nz;
      ls += block_ls;
    }
  }
  nonzero += nz;
  lost += ls;
}

// `bytes` zero bytes (+0 in every format), on huge pages where the kernel gives them.
void allocate_state(std::vector<std::byte>& state, std::size_t bytes) {
  state.reserve(bytes);
  advise_huge_pages(state.data(), bytes);  // before the first write
  state.assign(bytes, std::byte{0});
}

}  // namespace

Optimizer::Optimizer(const OptimizerConfig& cfg, std::size_t num_params, Format weight_format,
                     Format grad_format, Format state_format)
    : cfg_(cfg),
      num_params_(num_params),
      weight_format_(weight_format),
      grad_format_(grad_format),
      state_format_(state_format) {
  // The checks torch.optim makes in its constructors, named by config key.
  if (!(cfg.weight_decay >= 0.0))
    fail("optimizer.weight_decay: got {}, expected >= 0; hint: 0 turns it off", cfg.weight_decay);
  const std::size_t state_size = num_params * bytes_per_value(state_format);
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
    if (cfg.momentum != 0.0) allocate_state(state_a_, state_size);
  } else {
    if (!(cfg.beta1 >= 0.0 && cfg.beta1 < 1.0))
      fail("optimizer.beta1: got {}, expected a value in [0, 1); hint: the usual value is 0.9",
           cfg.beta1);
    if (!(cfg.beta2 >= 0.0 && cfg.beta2 < 1.0))
      fail("optimizer.beta2: got {}, expected a value in [0, 1); hint: the usual value is 0.999",
           cfg.beta2);
    if (!(cfg.eps >= 0.0))
      fail("optimizer.eps: got {}, expected >= 0; hint: the usual value is 1e-8", cfg.eps);
    // Zero bits are +0 in all three formats: m_0 = v_0 = 0.
    allocate_state(state_a_, state_size);
    allocate_state(state_b_, state_size);
  }
}

void Optimizer::step(void* weights, const void* grads, float lr, float grad_multiplier,
                     UpdateStats* stats, void* working_copy) {
  if (working_copy != nullptr &&
      (weight_format_ != Format::kF32 || grad_format_ == Format::kF32))
    throw std::logic_error("Optimizer::step: a working copy needs fp32 weights, 16-bit grads");
  ++steps_taken_;
  const auto n = static_cast<std::int64_t>(num_params_);
  std::uint64_t nonzero = 0, lost = 0;
  // The update rule is chosen once per step (it works on fp32 arrays); one dispatch per
  // step turns the three run-time formats into the block loop's types.
  dispatch_format(weight_format_, [&](auto w_tag) {
    dispatch_format(grad_format_, [&](auto g_tag) {
      dispatch_format(state_format_, [&](auto s_tag) {
        using W = decltype(w_tag);
        using G = decltype(g_tag);
        using S = decltype(s_tag);
        W* w = static_cast<W*>(weights);
        const G* g = static_cast<const G*>(grads);
        G* copy = static_cast<G*>(working_copy);
        S* a = state_a_.empty() ? nullptr : reinterpret_cast<S*>(state_a_.data());
        if (cfg_.kind == OptimizerKind::kSgd) {
          const SgdParams p{lr, grad_multiplier, static_cast<float>(cfg_.weight_decay),
                            static_cast<float>(cfg_.momentum),
                            static_cast<float>(1.0 - cfg_.dampening)};
          const Momentum momentum = a == nullptr       ? Momentum::kNone
                                    : steps_taken_ == 1 ? Momentum::kFirstStep
                                                        : Momentum::kLater;
          const SgdRule rule = pick_sgd_rule(p.weight_decay != 0.0f, momentum, cfg_.nesterov);
          const auto apply = [&](float* wf, const float* gf, float* af, float*,
                                 std::int64_t len) { rule(wf, gf, af, len, p); };
          update_blocks(w, g, a, static_cast<S*>(nullptr), copy, n, apply, nonzero, lost);
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
                             static_cast<float>(1.0 - std::pow(cfg_.beta2, t)),
                             decoupled ? static_cast<float>(1.0 - double{lr} * cfg_.weight_decay)
                                       : 1.0f};
          const AdamRule rule = pick_adam_rule(decoupled                  ? AdamDecay::kDecoupled
                                               : p.weight_decay != 0.0f ? AdamDecay::kL2
                                                                        : AdamDecay::kNone);
          const auto apply = [&](float* wf, const float* gf, float* mf, float* vf,
                                 std::int64_t len) { rule(wf, gf, mf, vf, len, p); };
          S* b = reinterpret_cast<S*>(state_b_.data());
          update_blocks(w, g, a, b, copy, n, apply, nonzero, lost);
        }
      });
    });
  });
  if (stats != nullptr) {
    stats->nonzero_updates += nonzero;
    stats->lost_updates += lost;
  }
}

std::vector<OptimizerStateBuffer> Optimizer::state_buffers() {
  std::vector<OptimizerStateBuffer> out;
  if (cfg_.kind == OptimizerKind::kSgd) {
    if (!state_a_.empty()) out.push_back({"momentum_buffer", state_format_, state_a_});
  } else {
    out.push_back({"exp_avg", state_format_, state_a_});
    out.push_back({"exp_avg_sq", state_format_, state_b_});
  }
  return out;
}

void Optimizer::set_steps_taken(std::int64_t steps) {
  if (steps < 0) fail("optimizer state: step count {} is negative; hint: the checkpoint is damaged", steps);
  steps_taken_ = steps;
}

}  // namespace mixprec
