#pragma once
// `mixprec train --resume RUN_DIR`: what a run directory must hold to be continued, checked
// before anything is trained or written.
#include <filesystem>

#include "checkpoint/checkpoint.hpp"
#include "config/config.hpp"

namespace mixprec {

struct ResumePoint {
  Config config;                          // RUN_DIR/config.json
  Checkpoint checkpoint;                  // RUN_DIR/checkpoint.ckpt
  std::filesystem::path checkpoint_path;
};

// Throws UserError naming the folder or file when RUN_DIR is not a folder, has no
// config.json or checkpoint.ckpt (the run was started without --save-model), already
// completed (summary.json says so), or when config.json no longer matches the config the
// checkpoint was written with (a resumed run must train exactly what the original would).
ResumePoint open_run_for_resume(const std::filesystem::path& run_dir);

// A process killed in the middle of RunLog::write can leave a last line without its
// newline; appending after it would glue two records together. Cuts such a partial line
// (it is not valid JSON anyway) and returns how many bytes were dropped.
std::size_t drop_partial_last_line(const std::filesystem::path& jsonl);

// The epoch records of `jsonl` for epochs after `epochs_completed` (the checkpoint's): a
// run stopped between logging an epoch and writing its checkpoint (disk full, killed)
// trains that epoch again on resume, and must not log it twice. Rewrites the file
// atomically without them and returns how many were dropped.
std::size_t drop_epochs_after(const std::filesystem::path& jsonl, int epochs_completed);

}  // namespace mixprec
