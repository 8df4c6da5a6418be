#include "cli/bench_report.hpp"

#include <algorithm>

#include "kernels/matmul.hpp"
#include "metrics/cpu_share.hpp"

namespace mixprec {
namespace {

double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

nlohmann::json optional_number(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

const char* path_name(Format f) { return matmul().path(f).native ? "native" : "emulated"; }

// A speed's share of the measured peak; null when above 1, which only a peak measured
// while other processes had the cores can give (the product cannot beat the peak).
nlohmann::json share_of(double gflops, double peak, bool& busy) {
  const double share = gflops / peak;
  if (share <= 1.0) return share;
  busy = true;
  return nullptr;
}

nlohmann::json gemm_row(const GemmResult& g, const BenchPeak& peak, bool& busy) {
  const GemmCase& c = g.shape;
  const double p = peak.for_format(c.format);
  nlohmann::json row = {{"format", to_string(c.format)},
                        {"path", g.native ? "native" : "emulated"},
                        {"product", c.product}, {"m", c.m}, {"n", c.n}, {"k", c.k},
                        {"gflops", g.gflops}, {"share_of_peak", share_of(g.gflops, p, busy)},
                        {"gflops_packed", optional_number(g.gflops_packed)},
                        {"gflops_packed_incl_packing", optional_number(g.gflops_packed_incl_packing)}};
  if (g.gflops_packed) row["share_of_peak_packed"] = share_of(*g.gflops_packed, p, busy);
  return row;
}

nlohmann::json training_row(const TrainingRuns& run, const TrainingRuns* fp32, double flops,
                            const BenchPeak& peak, bool& busy) {
  const Format f = policy_for(run.precision).format(TensorRole::kWeight);
  const double rate = median_of(run.samples_per_s);
  const double lowest_share = *std::min_element(run.lowest_cpu_share.begin(), run.lowest_cpu_share.end());
  busy = busy || lowest_share < kBusyCpuShare;
  nlohmann::json t = {{"precision", to_string(run.precision)},
                      {"path", path_name(f)},
                      {"samples_per_s", rate},
                      {"samples_per_s_per_round", run.samples_per_s},
                      {"matmul_flops_per_sample", flops},
                      {"share_of_peak", share_of(rate * flops / 1e9, peak.for_format(f), busy)},
                      {"test_accuracy", run.test_accuracy},
                      {"lowest_epoch_cpu_share", lowest_share}};
  if (fp32) {
    std::vector<double> ratios;
    for (std::size_t r = 0; r < fp32->samples_per_s.size(); ++r)
      ratios.push_back(run.samples_per_s[r] / fp32->samples_per_s[r]);
    t["speedup_vs_fp32"] = median_of(ratios);  // of the same-round ratios
    t["speedup_vs_fp32_per_round"] = ratios;
  }
  return t;
}

}  // namespace

nlohmann::json bench_json(const BenchResults& r) {
  bool busy = r.gemm_cpu_share < kBusyCpuShare;
  nlohmann::json out;
  nlohmann::json peak = nlohmann::json::array();
  for (const BenchPeakRow& p : r.peak.rows)
    peak.push_back({{"threads", p.threads}, {"fp32_fma_gflops", p.fp32_fma_gflops},
                    {"bf16_dot_gflops", optional_number(p.bf16_dot_gflops)}});
  out["peak"] = peak;

  nlohmann::json gemm = nlohmann::json::array();
  for (const GemmResult& g : r.gemm) gemm.push_back(gemm_row(g, r.peak, busy));
  out["gemm"] = gemm;
  out["gemm_cpu_share"] = r.gemm_cpu_share;

  const double flops = matmul_flops_per_sample(r.setup.layout);
  const auto fp32 = std::find_if(r.training.begin(), r.training.end(),
                                 [](const TrainingRuns& t) { return t.precision == Precision::kFp32; });
  nlohmann::json training = nlohmann::json::array();
  for (const TrainingRuns& run : r.training)
    training.push_back(training_row(run, fp32 == r.training.end() ? nullptr : &*fp32, flops, r.peak, busy));
  out["training"] = training;

  // Other processes on the cores make every number above too low (see cpu_share.hpp).
  out["machine_busy"] = busy;
  out["threads"] = r.threads;
  out["config"] = r.setup.config_path;
  out["data"] = r.setup.data;
  nlohmann::json layers = nlohmann::json::array({r.setup.layout.input_dim()});
  for (const LayerShape& l : r.setup.layout.layers()) layers.push_back(l.out);
  out["layers"] = layers;
  out["batch_size"] = r.setup.config.train.batch_size;
  // null, not 0, where this CPU has no bf16 dot-product instruction to measure.
  out["peak_used"] = {{"fp32_gflops", r.peak.fp32_gflops()},
                      {"bf16_gflops", optional_number(r.peak.bf16_gflops())},
                      {"note", "share_of_peak divides by the bf16 peak for native bf16, else the fp32 peak"}};
  return out;
}

}  // namespace mixprec
