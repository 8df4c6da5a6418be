// The blocked, branch-free Optimizer::step against a plain scalar loop that spells out the
// PyTorch update rules one element at a time (runtime branches, Eigen's scalar
// conversions), for every weight/gradient/state format combination and every SGD and Adam
// configuration, bit for bit: weights, optimizer state and lost-update counters.
//
// Both sides write each multiply-add that feeds an addition as mul_add (optim/mul_add.hpp),
// so GCC's FMA contraction cannot make them round differently; the reference keeps
// AdamW's decayed weight in a volatile so that it is rounded on its own, as in PyTorch's
// param.mul_ and as the step does. Exact equality is the point: any tolerance would hide a
// changed rounding.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "optim/mul_add.hpp"
#include "optim/optimizer.hpp"
#include "precision/stochastic_rounding.hpp"

namespace mixprec {
namespace {

// Three blocks of the step's 512, the last one partial and not a multiple of any vector
// width, so block edges and scalar tails are covered.
constexpr std::size_t kN = 2 * 512 + 301;
constexpr int kSteps = 3;  // the first SGD step is special; Adam's bias corrections change

struct Hyper {
  float lr, mult;
};

// The remedies of NUMERICS.md "Beyond nearest rounding", spelled out per value: stochastic
// rounding of the weights and the state (the definition: snap, then nearest), and Kahan's
// compensation of the weights.
struct Remedies {
  RoundingMode rounding = RoundingMode::kNearestEven;
  bool kahan = false;
  std::uint64_t seed = 0;
};

template <class W, class G, class S>
struct ScalarReference {
  OptimizerConfig c;
  Remedies remedies;
  std::vector<S> a, b;  // momentum_buffer or exp_avg; exp_avg_sq
  std::vector<W> comp;  // kahan_compensation
  std::int64_t t = 0;
  UpdateStats stats;

  ScalarReference(const OptimizerConfig& cfg, std::size_t n, Remedies r = {}) : c(cfg), remedies(r) {
    if (c.kind != OptimizerKind::kSgd || c.momentum != 0.0) a.assign(n, from_float<S>(0.0f));
    if (c.kind != OptimizerKind::kSgd) b.assign(n, from_float<S>(0.0f));
    if (r.kahan) comp.assign(n, from_float<W>(0.0f));
  }

  // x rounded into T: nearest, or stochastically with the bits of element i of `tensor`.
  template <class T>
  T round(float x, std::uint32_t tensor, std::size_t i) const {
    if constexpr (!std::is_same_v<T, float>) {
      if (remedies.rounding == RoundingMode::kStochastic) {
        const Rounding key{RoundingMode::kStochastic, remedies.seed, std::uint64_t(t), tensor, 0};
        x = stochastic_snap(x, stochastic_grid(traits(FormatOf<T>::value)), random_bits(random_key(key), i));
      }
    }
    return from_float<T>(x);
  }

  void step(std::vector<W>& w, const std::vector<G>& g, Hyper h) {
    ++t;
    const auto wd = static_cast<float>(c.weight_decay);
    for (std::size_t i = 0; i < w.size(); ++i) {
      const float old_w = to_float(w[i]);
      float new_w;
      if (c.kind == OptimizerKind::kSgd) {
        const auto mu = static_cast<float>(c.momentum);
        float d = to_float(g[i]) * h.mult;
        if (wd != 0.0f) d = mul_add(wd, old_w, d);
        if (mu != 0.0f) {
          const float bt =
              t == 1 ? d : mul_add(mu, to_float(a[i]), static_cast<float>(1.0 - c.dampening) * d);
          a[i] = round<S>(bt, tensor_id::kOptimizerState, i);
          d = c.nesterov ? mul_add(mu, bt, d) : bt;
        }
        new_w = mul_add(-h.lr, d, old_w);
      } else {
        const double td = static_cast<double>(t);
        const auto beta1 = static_cast<float>(c.beta1), beta2 = static_cast<float>(c.beta2);
        float grad = to_float(g[i]) * h.mult;
        if (c.kind == OptimizerKind::kAdam && wd != 0.0f) grad = mul_add(wd, old_w, grad);
        const float mt = mul_add(beta1, to_float(a[i]), static_cast<float>(1.0 - c.beta1) * grad);
        const float vt =
            mul_add(beta2, to_float(b[i]), static_cast<float>(1.0 - c.beta2) * grad * grad);
        a[i] = round<S>(mt, tensor_id::kOptimizerState, i);
        b[i] = round<S>(vt, tensor_id::kOptimizerState + 1, i);
        const float mhat = mt / static_cast<float>(1.0 - std::pow(c.beta1, td));
        const float vhat = vt / static_cast<float>(1.0 - std::pow(c.beta2, td));
        volatile float decayed = old_w;
        if (c.kind == OptimizerKind::kAdamW)
          decayed = old_w * static_cast<float>(1.0 - double{h.lr} * c.weight_decay);
        new_w = decayed - h.lr * mhat / (std::sqrt(vhat) + static_cast<float>(c.eps));
      }
      if (remedies.kahan) {  // y = (w_new - w) - c; t = round(w + y); c = (t - w) - y
        const float y = (new_w - old_w) - to_float(comp[i]);
        w[i] = round<W>(old_w + y, tensor_id::kWeights, i);
        comp[i] = from_float<W>((to_float(w[i]) - old_w) - y);
      } else {
        w[i] = round<W>(new_w, tensor_id::kWeights, i);
      }
      if constexpr (!std::is_same_v<W, float>) {
        if (new_w != old_w) {
          ++stats.nonzero_updates;
          if (to_float(w[i]) == old_w) ++stats.lost_updates;
        }
      }
    }
  }
};

// Weights of mixed magnitudes (16-bit weights then lose many updates) with a few edge
// values; gradients with small ones, infinities and a NaN (both sides must carry them the
// same way).
template <class T>
std::vector<T> random_values(std::mt19937& rng, bool gradient) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<T> v(kN);
  for (std::size_t i = 0; i < kN; ++i) {
    float x = normal(rng);
    if (gradient && i % 5 == 0) x *= 1e-3f;
    if (!gradient && i % 7 == 0) x *= 30.0f;
    v[i] = from_float<T>(x);
  }
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> edges =
      gradient ? std::vector<float>{inf, -inf, std::numeric_limits<float>::quiet_NaN(), 0.0f,
                                    -0.0f, 1e-30f, 60000.0f}
               : std::vector<float>{0.0f, -0.0f, 65504.0f, -65504.0f, 6e-8f, 1e-30f};
  for (std::size_t k = 0; k < edges.size(); ++k) v[(97 * k + 13) % kN] = from_float<T>(edges[k]);
  return v;
}

template <class T>
std::string first_difference(const std::vector<T>& x, const std::vector<T>& y) {
  for (std::size_t i = 0; i < x.size(); ++i)
    if (std::memcmp(&x[i], &y[i], sizeof(T)) != 0)
      return fmt::format("first difference at {}: {:.9g} vs reference {:.9g}", i, to_float(x[i]),
                         to_float(y[i]));
  return "";
}

struct Named {
  const char* name;
  OptimizerConfig config;
  Hyper hyper;
};

std::vector<Named> configurations() {
  auto sgd = [](double momentum, double dampening, bool nesterov, double wd) {
    OptimizerConfig c;
    c.kind = OptimizerKind::kSgd;
    c.momentum = momentum;
    c.dampening = dampening;
    c.nesterov = nesterov;
    c.weight_decay = wd;
    return c;
  };
  auto adam = [](OptimizerKind kind, double wd) {
    OptimizerConfig c;
    c.kind = kind;
    c.weight_decay = wd;
    return c;
  };
  // lr and the multiplier are not powers of two, so every product really rounds.
  const Hyper sgd_h{0.0123f, 0.37f}, adam_h{1e-3f, 0.37f};
  return {{"sgd", sgd(0.0, 0.0, false, 0.0), sgd_h},
          {"sgd+wd", sgd(0.0, 0.0, false, 0.01), sgd_h},
          {"momentum", sgd(0.9, 0.0, false, 0.0), sgd_h},
          {"momentum+dampening+wd", sgd(0.9, 0.3, false, 0.01), sgd_h},
          {"nesterov", sgd(0.9, 0.0, true, 0.0), sgd_h},
          {"nesterov+wd", sgd(0.9, 0.0, true, 0.01), sgd_h},
          {"adam", adam(OptimizerKind::kAdam, 0.0), adam_h},
          {"adam+l2", adam(OptimizerKind::kAdam, 0.01), adam_h},
          {"adamw", adam(OptimizerKind::kAdamW, 0.01), adam_h}};
}

// The buffer's values as a vector of T.
template <class T>
std::vector<T> values_of(const OptimizerStateBuffer& buffer) {
  std::vector<T> v(kN);
  std::memcpy(v.data(), buffer.bytes.data(), kN * sizeof(T));
  return v;
}

// kSteps steps of the Optimizer and of the scalar loop from the same weights and gradients,
// compared after each: weights, each state buffer (and Kahan's) and the counts.
template <class W, class G, class S>
void check_against_reference(const Named& cfg, const Remedies& remedies, int threads,
                             unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<W> w = random_values<W>(rng, false);
  std::vector<W> w_ref = w;
  OptimizerConfig config = cfg.config;
  config.compensation = remedies.kahan ? Compensation::kKahan : Compensation::kNone;
  Optimizer opt(config, kN, FormatOf<W>::value, FormatOf<G>::value, FormatOf<S>::value,
                remedies.rounding, remedies.seed);
  ScalarReference<W, G, S> ref(config, kN, remedies);
  UpdateStats stats;
  for (int s = 0; s < kSteps; ++s) {
    const std::vector<G> g = random_values<G>(rng, true);
    const int saved = omp_get_max_threads();
    omp_set_num_threads(threads);
    opt.step(w.data(), g.data(), cfg.hyper.lr, cfg.hyper.mult, &stats);
    omp_set_num_threads(saved);
    ref.step(w_ref, g, cfg.hyper);
    ASSERT_EQ(first_difference(w, w_ref), "") << "weights after step " << s + 1;
    const auto buffers = opt.state_buffers();
    std::vector<const std::vector<S>*> rule_state;
    if (!ref.a.empty()) rule_state.push_back(&ref.a);
    if (!ref.b.empty()) rule_state.push_back(&ref.b);
    ASSERT_EQ(buffers.size(), rule_state.size() + (remedies.kahan ? 1 : 0));
    for (std::size_t k = 0; k < rule_state.size(); ++k)
      ASSERT_EQ(first_difference(values_of<S>(buffers[k]), *rule_state[k]), "")
          << buffers[k].name << " after step " << s + 1;
    if (remedies.kahan)
      ASSERT_EQ(first_difference(values_of<W>(buffers.back()), ref.comp), "")
          << "kahan_compensation after step " << s + 1;
    EXPECT_EQ(stats.nonzero_updates, ref.stats.nonzero_updates) << "step " << s + 1;
    EXPECT_EQ(stats.lost_updates, ref.stats.lost_updates) << "step " << s + 1;
  }
  if constexpr (!std::is_same_v<W, float>) {
    // 16-bit weights of magnitude ~1 with lr*grad ~ 5e-3: many updates must be lost with
    // nearest rounding, else the lost-update comparison above proved nothing.
    if (remedies.rounding == RoundingMode::kNearestEven && !remedies.kahan)
      EXPECT_GT(ref.stats.lost_updates, 0u);
  }
}

template <class W, class G, class S>
void check_against_reference(int threads) {
  for (const Named& cfg : configurations()) {
    SCOPED_TRACE(std::string(cfg.name) + " W=" + to_string(FormatOf<W>::value) +
                 " G=" + to_string(FormatOf<G>::value) + " S=" + to_string(FormatOf<S>::value) +
                 " threads=" + std::to_string(threads));
    check_against_reference<W, G, S>(cfg, Remedies{}, threads, 7);
  }
}

template <class W, class G>
void check_all_state_formats(int threads) {
  check_against_reference<W, G, float>(threads);
  check_against_reference<W, G, f16>(threads);
  check_against_reference<W, G, bf16>(threads);
}

template <class W>
void check_all_formats(int threads) {
  check_all_state_formats<W, float>(threads);
  check_all_state_formats<W, f16>(threads);
  check_all_state_formats<W, bf16>(threads);
}

// The modes use W=G=S=fp32 (fp32), W=S=fp32 with 16-bit G (mixed) and W=G=S 16-bit
// (-true); the API takes any combination, so all 27 are checked.
TEST(OptimizerReference, Fp32WeightsMatchTheScalarLoopBitForBit) {
  for (int threads : {1, 2, 3}) check_all_formats<float>(threads);
}

TEST(OptimizerReference, Fp16WeightsMatchTheScalarLoopBitForBit) {
  for (int threads : {1, 2, 3}) check_all_formats<f16>(threads);
}

TEST(OptimizerReference, Bf16WeightsMatchTheScalarLoopBitForBit) {
  for (int threads : {1, 2, 3}) check_all_formats<bf16>(threads);
}

// The -true modes' remedies (stochastic rounding of weights and state, Kahan's compensation)
// against the same scalar loop with the remedies spelled out per value: the one-pass update
// (optim/fused_update.hpp) rounds with the same random bits and carries the same c.
template <class T>
void check_remedies_against_reference(const Remedies& remedies, int threads) {
  for (const Named& cfg : configurations()) {
    SCOPED_TRACE(fmt::format("{} {} rounding={} kahan={} threads={}", cfg.name,
                             to_string(FormatOf<T>::value), to_string(remedies.rounding),
                             remedies.kahan, threads));
    check_against_reference<T, T, T>(cfg, remedies, threads, 11);
  }
}

TEST(OptimizerReference, RemediesMatchTheScalarLoopBitForBit) {
  const Remedies kinds[] = {{RoundingMode::kNearestEven, true, 5},
                            {RoundingMode::kStochastic, false, 5},
                            {RoundingMode::kStochastic, true, 6}};
  for (const Remedies& r : kinds)
    for (int threads : {1, 2}) {
      check_remedies_against_reference<bf16>(r, threads);
      check_remedies_against_reference<f16>(r, threads);
    }
}

}  // namespace
}  // namespace mixprec
