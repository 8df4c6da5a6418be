#include "cli/bench_command.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <spdlog/spdlog.h>

#include "cli/threads.hpp"
#include "common/error.hpp"
#include "config/config_loader.hpp"
#include "data/dataset.hpp"
#include "kernels/aligned_buffer.hpp"
#include "precision/convert.hpp"
#include "kernels/matmul.hpp"
#include "kernels/weight_pack.hpp"
#include "metrics/cpu_share.hpp"
#include "metrics/peak.hpp"
#include "metrics/stopwatch.hpp"
#include "nn/param_layout.hpp"

namespace mixprec {
namespace {

namespace fs = std::filesystem;

// The lowest cpu_share of a run's epochs (1 if none was recorded).
double lowest_cpu_share(const fs::path& metrics) {
  std::ifstream in(metrics);
  double lowest = 1.0;
  for (std::string line; std::getline(in, line);) {
    const nlohmann::json r = nlohmann::json::parse(line, nullptr, false);
    if (r.is_object() && r.value("type", "") == "epoch" && r.contains("cpu_share") &&
        r["cpu_share"].is_number())
      lowest = std::min(lowest, r["cpu_share"].get<double>());
  }
  return lowest;
}

double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

// Matmul work per training sample: forward x*w for each layer, backward dw = x^T dz for
// each layer and da = dz w^T for all but the first: 2 flops per multiply-add.
double matmul_flops_per_sample(const ParamLayout& layout) {
  double macs = 0.0;
  for (std::size_t l = 0; l < layout.layers().size(); ++l) {
    const auto& s = layout.layers()[l];
    macs += double(s.in) * s.out * (l == 0 ? 2 : 3);
  }
  return 2.0 * macs;
}

// How a product's b reaches oneDNN: plain row-major (oneDNN re-blocks it inside), packed
// beforehand (kernels/weight_pack.hpp), or packed as part of the timed work (what a
// training step pays: it packs each weight matrix once per use).
enum class GemmB { kPlain, kPacked, kPackedAndPacking };

// GFLOP/s from the median time of 30 products after two warm-up calls.
double gemm_gflops(Format f, bool ta, bool tb, int m, int n, int k, GemmB mode) {
  Buffer a(f, std::size_t(m) * k), b(f, std::size_t(k) * n);
  std::vector<float> ones(std::max(a.size(), b.size()), 0.5f), c(std::size_t(m) * n);
  round_from_float(ones.data(), f, a.data(), a.size(), kNearestEven, nullptr);
  round_from_float(ones.data(), f, b.data(), b.size(), kNearestEven, nullptr);
  Buffer packed;
  if (mode != GemmB::kPlain) {
    packed = Buffer(f, packed_shape(f, k, n).values());
    pack_b(f, b.data(), tb, k, n, packed.data());
  }
  auto product = [&] {
    if (mode == GemmB::kPlain) {
      matmul().multiply(f, a.data(), ta, b.data(), tb, c.data(), m, n, k);
      return;
    }
    if (mode == GemmB::kPackedAndPacking) pack_b(f, b.data(), tb, k, n, packed.data());
    matmul().multiply_packed(f, a.data(), ta, f, packed.data(), c.data(), m, n, k);
  };
  for (int i = 0; i < 2; ++i) product();
  std::vector<double> times;
  for (int i = 0; i < 30; ++i) {
    Stopwatch w;
    product();
    times.push_back(w.seconds());
  }
  std::sort(times.begin(), times.end());
  return 2.0 * m * n * k / times[times.size() / 2] / 1e9;
}

std::string self_path() {
  std::error_code ec;
  const fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? "mixprec" : p.string();
}

// The default config ships in the repository's configs/, next to build/ where the binary
// is: found from the binary, so that bench works from any folder. Its data paths are
// relative to the repository, which then stands in for the working folder.
struct BenchConfig {
  std::string path;
  fs::path data_root;  // where the config's relative data paths start
};

BenchConfig find_bench_config(const std::string& given, bool user_given) {
  if (user_given || fs::path(given).is_absolute()) return {given, fs::current_path()};
  std::error_code ec;
  if (fs::is_regular_file(given, ec)) return {given, fs::current_path()};
  const fs::path repo = fs::path(self_path()).parent_path().parent_path();
  if (fs::is_regular_file(repo / given, ec)) return {(repo / given).string(), repo};
  fail("bench: default config {} not found in the working folder nor in {} (hint: pass "
       "--config FILE)", given, repo.string());
}

// Data paths made absolute, so that the training children read them from any folder.
std::vector<std::string> absolute_data_overrides(const Config& cfg, const fs::path& root) {
  std::vector<std::string> out;
  for (const auto& [key, value] : {std::pair{"data.dir", cfg.data.dir}, {"data.train", cfg.data.train},
                                   {"data.test", cfg.data.test}})
    if (!value.empty() && fs::path(value).is_relative())
      out.push_back(std::string(key) + "=" + (root / value).lexically_normal().string());
  return out;
}

// A product's share of the measured peak; null when above 1, which only a peak measured
// while other processes had the cores can give (the product cannot beat the peak).
nlohmann::json share_of(double gflops, double peak, bool& busy) {
  const double share = gflops / peak;
  if (share <= 1.0) return share;
  busy = true;
  return nullptr;
}

}  // namespace

void setup_bench_command(CLI::App& app, BenchOptions& options, int& exit_code) {
  CLI::App* cmd = app.add_subcommand("bench", "Measure peak, GEMM and end-to-end training speed per precision (JSON on stdout)");
  cmd->add_option("--config", options.config_path, "Training config for the end-to-end part");
  cmd->add_option("--set", options.overrides, "Override a config value (repeatable)");
  cmd->add_option("--precision", options.precisions, "Comma-separated precisions to train");
  cmd->add_option("--epochs", options.epochs, "Epochs per training run (first is warm-up)")->check(CLI::Range(2, 1000));
  cmd->add_option("--rounds", options.rounds,
                  "Rounds of one run per precision; speed-ups are medians of same-round ratios")
      ->check(CLI::Range(1, 100));
  cmd->add_option("--threads", options.threads, "Threads for everything")->check(CLI::Range(1, 1024));
  cmd->add_flag("--skip-training", options.skip_training, "Only peak and GEMM numbers");
  cmd->callback([cmd, &options, &exit_code]() {
    options.config_given = cmd->count("--config") > 0;
    exit_code = run_bench(options);
  });
}

int run_bench(const BenchOptions& options) {
  // The arguments first: a wrong one fails before any file is read or anything measured.
  std::vector<Precision> precisions;
  for (const auto& name : split_list(options.precisions))
    precisions.push_back(parse_precision(name, "--precision"));
  if (precisions.empty() && !options.skip_training)
    fail("bench --precision \"{}\": expected a comma-separated list such as fp32,bf16-mixed",
         options.precisions);
  const BenchConfig found = find_bench_config(options.config_path, options.config_given);
  std::vector<std::string> overrides = options.overrides;
  overrides.push_back("threads=" + std::to_string(options.threads));
  overrides.push_back("train.epochs=" + std::to_string(options.epochs));
  const Config cfg = load_config(found.path, overrides);
  for (const std::string& o : absolute_data_overrides(cfg, found.data_root)) overrides.push_back(o);
  const int threads = apply_thread_count(options.threads);
  bool busy = false;

  nlohmann::json out;
  // 1. Peak, per thread count up to the one used.
  spdlog::info("measuring peak");
  nlohmann::json peak = nlohmann::json::array();
  double fp32_peak = 0.0, bf16_peak = 0.0;
  for (int t = 1; t <= threads; ++t) {
    const PeakResult f = measure_fp32_fma_peak(t);
    const auto b = measure_bf16_dot_peak(t);
    peak.push_back({{"threads", t}, {"fp32_fma_gflops", f.gflops},
                    {"bf16_dot_gflops", b ? nlohmann::json(b->gflops) : nlohmann::json(nullptr)}});
    if (t == threads) {
      fp32_peak = f.gflops;
      bf16_peak = b ? b->gflops : 0.0;
    }
  }
  apply_thread_count(threads);
  out["peak"] = peak;
  auto peak_for = [&](Format f) {
    return f == Format::kBf16 && matmul().path(f).native && bf16_peak > 0 ? bf16_peak : fp32_peak;
  };

  // 2. GEMMs at every layer's shapes, for the three products of a training step.
  spdlog::info("measuring GEMMs");
  const CpuShareMeter gemm_cpu(threads);
  const int batch = cfg.train.batch_size;
  std::vector<int> widths = {784};  // fashion-mnist: 784 inputs, 10 classes
  for (int h : cfg.model.hidden) widths.push_back(h);
  widths.push_back(10);
  nlohmann::json gemm = nlohmann::json::array();
  for (Format f : all_formats()) {
    for (std::size_t l = 0; l + 1 < widths.size(); ++l) {
      const int in = widths[l], o = widths[l + 1];
      struct Case { const char* name; bool ta, tb; int m, n, k; };
      for (const Case& c : {Case{"forward x*w", false, false, batch, o, in},
                            Case{"backward x^T*dz", true, false, in, o, batch},
                            Case{"backward dz*w^T", false, true, batch, in, o}}) {
        const double g = gemm_gflops(f, c.ta, c.tb, c.m, c.n, c.k, GemmB::kPlain);
        nlohmann::json row = {{"format", to_string(f)},
                              {"path", matmul().path(f).native ? "native" : "emulated"},
                              {"product", c.name}, {"m", c.m}, {"n", c.n}, {"k", c.k},
                              {"gflops", g}, {"share_of_peak", share_of(g, peak_for(f), busy)},
                              {"gflops_packed", nullptr},
                              {"gflops_packed_incl_packing", nullptr}};
        if (matmul().reads_packed(f, c.k, c.n)) {  // what training runs for this format
          const double packed = gemm_gflops(f, c.ta, c.tb, c.m, c.n, c.k, GemmB::kPacked);
          row["gflops_packed"] = packed;
          row["share_of_peak_packed"] = share_of(packed, peak_for(f), busy);
          row["gflops_packed_incl_packing"] =
              gemm_gflops(f, c.ta, c.tb, c.m, c.n, c.k, GemmB::kPackedAndPacking);
        }
        gemm.push_back(row);
      }
    }
  }
  out["gemm"] = gemm;
  out["gemm_cpu_share"] = gemm_cpu.share();
  busy = busy || gemm_cpu.share() < kBusyCpuShare;

  // 3. End to end: the real command. Rounds of one run per precision, in turn: a shared
  // machine's speed drifts by tens of percent within minutes, so each speed-up is taken
  // between runs of the same round and the median over rounds is reported. Every other
  // round runs the precisions in reverse order, so that a steady drift favours no
  // precision (in one order the first run would always meet the slowest machine).
  nlohmann::json training = nlohmann::json::array();
  if (!options.skip_training) {
    const std::string binary = self_path();
    const fs::path root = fs::temp_directory_path() / ("mixprec-bench-" + std::to_string(::getpid()));
    fs::create_directories(root);
    const ParamLayout layout(784, cfg.model.hidden, 10);
    const double flops = matmul_flops_per_sample(layout);
    // rates[p][r], shares[p][r]: median samples/s and lowest cpu_share of precision p in round r.
    std::vector<std::vector<double>> rates(precisions.size()), shares(precisions.size());
    std::vector<nlohmann::json> accuracy(precisions.size());
    for (int round = 1; round <= options.rounds; ++round) {
      for (std::size_t turn = 0; turn < precisions.size(); ++turn) {
        const std::size_t i = round % 2 == 1 ? turn : precisions.size() - 1 - turn;
        const Precision p = precisions[i];
        const fs::path dir = root / fmt::format("{}-{}", to_string(p), round);
        std::string cmd = binary + " train '" + found.path + "' --out '" + dir.string() + "'";
        for (const auto& o : overrides) cmd += " --set '" + o + "'";
        cmd += " --set precision=" + to_string(p) + " > /dev/null 2> '" + (root / "log.txt").string() + "'";
        spdlog::info("round {}/{}: training {} ({} epochs)", round, options.rounds, to_string(p),
                     options.epochs);
        if (std::system(cmd.c_str()) != 0) {
          std::ifstream log(root / "log.txt");
          std::string last, line;
          while (std::getline(log, line)) last = line;
          // The child's own one-line error, without its "mixprec: error: " prefix.
          if (const auto at = last.find("error: "); at != std::string::npos) last.erase(0, at + 7);
          fs::remove_all(root);
          fail("bench: training {} failed: {}", to_string(p), last);
        }
        std::ifstream in(dir / "summary.json");
        const nlohmann::json summary = nlohmann::json::parse(in);
        rates[i].push_back(summary["time"]["median_samples_per_s"].get<double>());
        shares[i].push_back(lowest_cpu_share(dir / "metrics.jsonl"));
        accuracy[i] = summary["final"]["test"]["accuracy"];
        busy = busy || shares[i].back() < kBusyCpuShare;
      }
    }
    fs::remove_all(root);
    const auto fp32 = std::find(precisions.begin(), precisions.end(), Precision::kFp32);
    for (std::size_t i = 0; i < precisions.size(); ++i) {
      const Format f = policy_for(precisions[i]).format(TensorRole::kWeight);
      const double rate = median_of(rates[i]);
      nlohmann::json t = {{"precision", to_string(precisions[i])},
                          {"path", matmul().path(f).native ? "native" : "emulated"},
                          {"samples_per_s", rate},
                          {"samples_per_s_per_round", rates[i]},
                          {"matmul_flops_per_sample", flops},
                          {"share_of_peak", share_of(rate * flops / 1e9, peak_for(f), busy)},
                          {"test_accuracy", accuracy[i]},
                          {"lowest_epoch_cpu_share", *std::min_element(shares[i].begin(), shares[i].end())}};
      if (fp32 != precisions.end()) {
        const auto& base = rates[std::size_t(fp32 - precisions.begin())];
        std::vector<double> ratios;
        for (std::size_t r = 0; r < base.size(); ++r) ratios.push_back(rates[i][r] / base[r]);
        t["speedup_vs_fp32"] = median_of(ratios);  // of the same-round ratios
        t["speedup_vs_fp32_per_round"] = ratios;
      }
      training.push_back(t);
    }
  }
  out["training"] = training;
  // Other processes on the cores make every number above too low (see cpu_share.hpp).
  out["machine_busy"] = busy;
  if (busy)
    spdlog::warn("bench: other processes were using the cores (cpu_share below {}, or a "
                 "product above the measured peak, whose share_of_peak is then null): these "
                 "numbers are not the hardware's; rerun on an idle machine", kBusyCpuShare);
  out["threads"] = threads;
  out["config"] = found.path;
  // null, not 0, where this CPU has no bf16 dot-product instruction to measure.
  out["peak_used"] = {{"fp32_gflops", fp32_peak},
                      {"bf16_gflops", bf16_peak > 0 ? nlohmann::json(bf16_peak) : nlohmann::json()},
                      {"note", "share_of_peak divides by the bf16 peak for native bf16, else the fp32 peak"}};
  std::cout << out.dump(2) << std::endl;
  return 0;
}

}  // namespace mixprec
