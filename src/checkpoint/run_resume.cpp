#include "checkpoint/run_resume.hpp"

#include <fstream>
#include <iterator>
#include <string>

#include <nlohmann/json.hpp>

#include "common/error.hpp"
#include "config/config_diff.hpp"
#include "config/config_loader.hpp"
#include "config/json_file.hpp"
#include "report/atomic_file.hpp"

namespace mixprec {
namespace {
namespace fs = std::filesystem;
}  // namespace

ResumePoint open_run_for_resume(const fs::path& run_dir) {
  std::error_code ec;
  if (!fs::is_directory(run_dir, ec)) {
    fail("--resume {}: not a folder, expected the run directory of an interrupted run (the "
         "folder `mixprec train` printed)", run_dir.string());
  }
  const fs::path config_path = run_dir / "config.json";
  const fs::path ckpt_path = run_dir / "checkpoint.ckpt";
  if (!fs::is_regular_file(config_path, ec)) {
    fail("--resume {}: no config.json there, expected a run directory written by mixprec train "
         "(hint: check the path)", run_dir.string());
  }
  const fs::path summary_path = run_dir / "summary.json";
  if (fs::is_regular_file(summary_path, ec)) {
    std::ifstream in(summary_path);
    const nlohmann::json summary = nlohmann::json::parse(in, nullptr, false);
    if (!summary.is_discarded() && summary.is_object() && summary.value("status", "") == "completed") {
      fail("--resume {}: the run already completed ({} says status \"completed\"); nothing to "
           "resume (hint: start a new run instead)", run_dir.string(), summary_path.string());
    }
  }
  if (!fs::is_regular_file(ckpt_path, ec)) {
    fail("--resume {}: no checkpoint.ckpt there: the run was started without --save-model, or "
         "stopped before its first checkpoint was written, so there is no state to continue "
         "from (hint: start a new run; with --save-model to make it resumable)",
         run_dir.string());
  }
  ResumePoint r{load_config(config_path.string()), read_checkpoint(ckpt_path), ckpt_path};

  // The checkpoint's copy of the config is the one it was trained with.
  const nlohmann::json current = to_json(r.config);
  // parse_json_text: invalid or absurdly nested JSON is a UserError naming the file.
  const nlohmann::json stored =
      parse_json_text(r.checkpoint.config_json, ckpt_path.string() + " (config section CONF)");
  if (stored != current) {
    // checkpoint.ckpt is rewritten after every epoch, so it is newer than config.json unless
    // config.json was edited since; otherwise the checkpoint came from another run.
    std::error_code ec1, ec2;
    const bool config_edited =
        fs::last_write_time(config_path, ec1) > fs::last_write_time(ckpt_path, ec2) && !ec1 && !ec2;
    const std::string hint =
        config_edited ? "config.json was edited after the checkpoint was written: undo the edit, "
                        "or start a new run with the new config"
                      : "the checkpoint was written by a run with another config (copied from "
                        "another run folder?): put this run's own checkpoint.ckpt back, or start "
                        "a new run";
    fail("{}: differs from the config stored in {} ({}); a resumed run must train with the "
         "config it started with (hint: {})", config_path.string(), ckpt_path.string(),
         describe_changes(stored, current), hint);
  }
  return r;
}

std::size_t drop_partial_last_line(const fs::path& jsonl) {
  std::error_code ec;
  if (!fs::is_regular_file(jsonl, ec)) return 0;
  std::string text;
  {
    std::ifstream in(jsonl, std::ios::binary);
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  if (text.empty() || text.back() == '\n') return 0;
  const std::size_t keep = text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1;
  fs::resize_file(jsonl, keep, ec);
  if (ec) fail("cannot repair {}: {} (hint: check that the folder is writable)", jsonl.string(), ec.message());
  return text.size() - keep;
}

std::size_t drop_epochs_after(const fs::path& jsonl, int epochs_completed) {
  std::ifstream in(jsonl, std::ios::binary);
  if (!in) return 0;
  std::string kept;
  std::size_t dropped = 0;
  for (std::string line; std::getline(in, line);) {
    const nlohmann::json r = nlohmann::json::parse(line, nullptr, false);
    const bool later_epoch = r.is_object() && r.value("type", "") == "epoch" &&
                             r.contains("epoch") && r["epoch"].is_number_integer() &&
                             r["epoch"].get<int>() > epochs_completed;
    if (later_epoch) {
      ++dropped;
      continue;
    }
    kept += line;
    kept += '\n';
  }
  if (dropped > 0) write_text_atomically(jsonl, kept);
  return dropped;
}

}  // namespace mixprec
