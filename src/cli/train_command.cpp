#include "cli/train_command.hpp"

#include <filesystem>
#include <iostream>
#include <optional>

#include <spdlog/spdlog.h>

#include "checkpoint/run_resume.hpp"
#include "cli/kernel_paths.hpp"
#include "cli/threads.hpp"
#include "common/error.hpp"
#include "config/config_loader.hpp"
#include "data/load_data.hpp"
#include "kernels/matmul.hpp"
#include "metrics/environment.hpp"
#include "report/atomic_file.hpp"
#include "report/run_dir.hpp"
#include "report/run_lock.hpp"
#include "report/run_log.hpp"
#include "train/interrupt.hpp"
#include "train/memory_estimate.hpp"
#include "train/precision_warnings.hpp"
#include "train/trainer.hpp"

namespace mixprec {

void setup_train_command(CLI::App& app, TrainOptions& options, int& exit_code,
                         const std::string& command_line) {
  CLI::App* cmd = app.add_subcommand("train", "Train an MLP from a JSON config and write a run directory");
  // Not ->required(): --resume takes the config from the run directory instead.
  cmd->add_option("config", options.config_path, "JSON config file (see docs/config.md)");
  cmd->add_option("--set", options.overrides,
                  "Override a config value: key.path=value (JSON-typed), repeatable");
  cmd->add_option("--out", options.out_dir, "Run directory to create (default runs/<name>-<precision>-<UTC time>)");
  cmd->add_option("--out-root", options.out_root, "Parent of the default run directory");
  cmd->add_flag("--save-model", options.save_model,
                "Write RUN_DIR/model.ckpt at the end, and RUN_DIR/checkpoint.ckpt after every "
                "epoch so that an interrupted run can be resumed (docs/checkpoint.md)");
  cmd->add_option("--resume", options.resume_dir,
                  "Continue the interrupted run in RUN_DIR from its checkpoint.ckpt, with its "
                  "config.json (no CONFIG, --set or --out); appends to its metrics.jsonl");
  cmd->add_flag("--quiet", options.quiet,
                "No progress during epochs (by default a live line where stderr is a terminal, "
                "else a log line every 5 s); epoch summaries are still logged");
  // Hidden (empty group): lets tests interrupt a run at an exact epoch boundary.
  cmd->add_option("--stop-after-epochs", options.stop_after_epochs)->group("");
  cmd->callback([&options, &exit_code, &command_line]() {
    exit_code = run_train(options, command_line);
  });
}

int run_train(const TrainOptions& options, const std::string& command_line) {
  // --resume: everything comes from the run directory; CONFIG, --set or --out would make
  // the continued run differ from the one that was interrupted.
  std::optional<ResumePoint> resume;
  std::optional<RunLock> lock;  // held until the process ends
  if (!options.resume_dir.empty()) {
    if (!options.config_path.empty() || !options.overrides.empty() || !options.out_dir.empty()) {
      fail("--resume {}: the config comes from {}/config.json and the run continues in that "
           "folder, expected no CONFIG, --set or --out (hint: drop them)", options.resume_dir,
           options.resume_dir);
    }
    // Locked before anything is read: a run still being written is not resumable.
    std::error_code ec;
    if (std::filesystem::is_directory(options.resume_dir, ec)) lock.emplace(options.resume_dir);
    if (lock) {
      // Under the lock, what a killed writer left half-done is garbage whatever follows.
      remove_stale_temp_files(options.resume_dir);
      const auto log_path = std::filesystem::path(options.resume_dir) / RunLog::kFileName;
      if (drop_partial_last_line(log_path) > 0)
        spdlog::warn("dropped the unfinished last line of {}", log_path.string());
    }
    resume = open_run_for_resume(options.resume_dir);
  } else if (options.config_path.empty()) {
    fail("train: CONFIG is required, expected a JSON config file (hint: configs/default.json; "
         "or --resume RUN_DIR to continue an interrupted run)");
  }
  const Config cfg = resume ? resume->config : load_config(options.config_path, options.overrides);
  const int threads = apply_thread_count(cfg.threads);
  const PrecisionPolicy policy = policy_for(cfg.precision);
  const MatmulPath& path = matmul().path(policy.format(TensorRole::kWeight));
  if (!path.native)
    spdlog::warn("{} matmuls have no native kernel on this CPU: they run on the emulated path "
                 "({}); numbers are exact, timings are not a hardware result",
                 to_string(policy.format(TensorRole::kWeight)), path.impl);

  spdlog::info("loading data");
  const DataSplits data = load_data(cfg.data, cfg.seed);
  spdlog::info("{}", data.description);
  for (const std::string& warning : data.warnings) spdlog::warn("{}", warning);
  for (const std::string& warning : precision_warnings(cfg, data)) spdlog::warn("{}", warning);
  check_run_fits_memory(cfg, data, resume ? options.resume_dir + "/config.json" : options.config_path);

  // An explicit --out that another writer holds: name it (else "not empty" would hide who).
  if (!resume && !options.out_dir.empty())
    if (const auto holder = run_lock_holder(options.out_dir))
      fail("{} is being written by process {}; one writer per folder (hint: pick another --out)",
           options.out_dir, *holder);

  Trainer trainer(cfg, data);
  if (resume) trainer.restore(resume->checkpoint, resume->checkpoint_path.string());
  const auto dir = resume ? std::filesystem::path(options.resume_dir)
                          : make_run_dir(options.out_root, cfg.name, to_string(cfg.precision),
                                         options.out_dir.empty() ? std::nullopt
                                                                 : std::optional<std::string>(options.out_dir));
  if (!lock) lock.emplace(dir);
  if (!resume) write_json_atomically(dir / "config.json", to_json(cfg));
  write_json_atomically(dir / "data_encoding.json", to_json(data.encoding));
  // Epochs logged after the checkpoint (its write failed or the process died between the
  // two) are trained again from the checkpoint: their old records go, so none is logged twice.
  if (resume && drop_epochs_after(dir / RunLog::kFileName, resume->checkpoint.epochs_completed) > 0)
    spdlog::warn("dropped the records of epochs after {} from {}: they are trained again",
                 resume->checkpoint.epochs_completed, (dir / RunLog::kFileName).string());
  RunLog log(dir);
  nlohmann::json start = {{"run_dir", dir.string()},
                          {"config", to_json(cfg)},
                          {"kernels", kernel_paths_json()},
                          {"matmul_path", path.native ? "native" : "emulated"},
                          {"classes", data.encoding.classes.class_names()},
                          {"data_report", data.report},
                          {"environment", environment_json(threads, command_line)}};
  spdlog::info("training {} ({} parameters) in {} on {} thread(s) -> {}", cfg.name,
               trainer.parameters().size(), to_string(cfg.precision), threads, dir.string());
  // Checkpoints: checkpoint.ckpt always holds the state at the last epoch boundary (epoch 0
  // before training), so an interruption anywhere can resume by redoing at most one epoch.
  const bool save = options.save_model || resume.has_value();
  if (save) {
    if (!resume) write_checkpoint(dir / "checkpoint.ckpt", trainer.checkpoint());
    trainer.on_epoch_end([&dir](Trainer& t) { write_checkpoint(dir / "checkpoint.ckpt", t.checkpoint()); });
  }
  trainer.stop_after_epochs(options.stop_after_epochs);
  trainer.show_progress(!options.quiet);
  if (resume)
    spdlog::info("resuming after epoch {} of {}", trainer.totals().epochs_completed, cfg.train.epochs);
  install_interrupt_handlers();
  // model.ckpt and summary.json are on disk before run_end is logged: a full disk here ends
  // the process with exit 74 and no run_end, never a "completed" without its summary.
  trainer.on_run_end([&](RunOutcome& outcome) {
    if (save && outcome.status == "completed") {
      write_checkpoint(dir / "model.ckpt", trainer.checkpoint());
      outcome.summary["model"] = (dir / "model.ckpt").string();
    }
    outcome.summary["run_dir"] = dir.string();
    outcome.summary["matmul_path"] = path.native ? "native" : "emulated";
    outcome.summary["formats"] = trainer.formats_json();
    outcome.summary["environment"] = start["environment"];
    write_json_atomically(dir / "summary.json", outcome.summary);
  });
  const RunOutcome outcome = trainer.run(log, start);
  std::cout << dir.string() << std::endl;
  if (outcome.status == "completed") return 0;
  spdlog::error("run {}: {}", outcome.status, outcome.reason);
  return outcome.status == "interrupted" ? 130 : 3;
}

}  // namespace mixprec
