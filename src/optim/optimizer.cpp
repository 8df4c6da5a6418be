#include "optim/optimizer.hpp"

#include <cmath>
#include <type_traits>

#include "common/error.hpp"

namespace mixprec {
namespace {

// Counts, for 16-bit weights, whether the fp32 update moved the weight and whether
// rounding it back to storage undid the move (NUMERICS.md "lost updates").
template <class W>
inline void count_update(float old_w, float new_w, W stored, std::uint64_t& nonzero,
                         std::uint64_t& lost) {
  if constexpr (!std::is_same_v<W, float>) {
    if (new_w != old_w) {
      ++nonzero;
      if (to_float(stored) == old_w) ++lost;
    }
  }
}

struct SgdParams {
  float lr, mult, weight_decay, momentum, one_minus_dampening;
  bool nesterov, first_step;
};

// torch.optim.SGD (https://pytorch.org/docs/stable/generated/torch.optim.SGD.html):
//   g_t = grad + lambda * theta_{t-1}                         (weight_decay != 0)
//   b_t = g_t                          if t == 1              (momentum != 0)
//       = mu * b_{t-1} + (1 - tau) * g_t otherwise
//   g_t = g_t + mu * b_t if nesterov else b_t
//   theta_t = theta_{t-1} - gamma * g_t
// The fp32 b_t is used for the update; the stored buffer is its rounding.
template <class W, class G, class S>
void sgd_update(W* w, const G* g, S* buf, std::int64_t n, const SgdParams& p,
                std::uint64_t& nonzero, std::uint64_t& lost) {
  std::uint64_t nz = 0, ls = 0;
#pragma omp parallel for schedule(static) reduction(+ : nz, ls)
  for (std::int64_t i = 0; i < n; ++i) {
    const float old_w = to_float(w[i]);
    float d = to_float(g[i]) * p.mult;
    if (p.weight_decay != 0.0f) d += p.weight_decay * old_w;
    if (buf != nullptr) {
      const float b = p.first_step ? d : p.momentum * to_float(buf[i]) + p.one_minus_dampening * d;
      buf[i] = from_float<S>(b);
      d = p.nesterov ? d + p.momentum * b : b;
    }
    const float new_w = old_w - p.lr * d;
    w[i] = from_float<W>(new_w);
    count_update(old_w, new_w, w[i], nz, ls);
  }
  nonzero += nz;
  lost += ls;
}

struct AdamParams {
  float lr, mult, weight_decay, beta1, beta2, one_minus_beta1, one_minus_beta2, eps;
  float bias_correction1, bias_correction2;
  float decoupled_factor;  // AdamW: 1 - lr * weight_decay; Adam: 1
  bool decoupled;
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
template <class W, class G, class S>
void adam_update(W* w, const G* g, S* m, S* v, std::int64_t n, const AdamParams& p,
                 std::uint64_t& nonzero, std::uint64_t& lost) {
  std::uint64_t nz = 0, ls = 0;
#pragma omp parallel for schedule(static) reduction(+ : nz, ls)
  for (std::int64_t i = 0; i < n; ++i) {
    const float old_w = to_float(w[i]);
    float grad = to_float(g[i]) * p.mult;
    float cur_w = old_w;
    if (p.decoupled) {
      cur_w = old_w * p.decoupled_factor;
    } else if (p.weight_decay != 0.0f) {
      grad += p.weight_decay * old_w;
    }
    const float mt = p.beta1 * to_float(m[i]) + p.one_minus_beta1 * grad;
    const float vt = p.beta2 * to_float(v[i]) + p.one_minus_beta2 * grad * grad;
    m[i] = from_float<S>(mt);
    v[i] = from_float<S>(vt);
    const float mhat = mt / p.bias_correction1;
    const float vhat = vt / p.bias_correction2;
    const float new_w = cur_w - p.lr * mhat / (std::sqrt(vhat) + p.eps);
    w[i] = from_float<W>(new_w);
    count_update(old_w, new_w, w[i], nz, ls);
  }
  nonzero += nz;
  lost += ls;
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
    if (cfg.momentum != 0.0) state_a_.assign(state_size, std::byte{0});
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
    state_a_.assign(state_size, std::byte{0});
    state_b_.assign(state_size, std::byte{0});
  }
}

void Optimizer::step(void* weights, const void* grads, float lr, float grad_multiplier,
                     UpdateStats* stats) {
  ++steps_taken_;
  const auto n = static_cast<std::int64_t>(num_params_);
  std::uint64_t nonzero = 0, lost = 0;
  // One dispatch per step turns the three run-time formats into the loop's types.
  dispatch_format(weight_format_, [&](auto w_tag) {
    dispatch_format(grad_format_, [&](auto g_tag) {
      dispatch_format(state_format_, [&](auto s_tag) {
        using W = decltype(w_tag);
        using G = decltype(g_tag);
        using S = decltype(s_tag);
        W* w = static_cast<W*>(weights);
        const G* g = static_cast<const G*>(grads);
        S* a = state_a_.empty() ? nullptr : reinterpret_cast<S*>(state_a_.data());
        if (cfg_.kind == OptimizerKind::kSgd) {
          const SgdParams p{lr,
                            grad_multiplier,
                            static_cast<float>(cfg_.weight_decay),
                            static_cast<float>(cfg_.momentum),
                            static_cast<float>(1.0 - cfg_.dampening),
                            cfg_.nesterov,
                            steps_taken_ == 1};
          sgd_update(w, g, a, n, p, nonzero, lost);
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
                                       : 1.0f,
                             decoupled};
          S* b = reinterpret_cast<S*>(state_b_.data());
          adam_update(w, g, a, b, n, p, nonzero, lost);
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
