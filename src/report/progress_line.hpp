#pragma once
// The live progress line of a training run on stderr: epoch, step/steps, samples/s and
// the time left, rewritten in place ("\r" and erase-line) at most kMaxUpdatesPerSecond
// times a second, and erased before the epoch's summary line is logged. Only where stderr
// is a terminal: a redirected stderr (a log file, a sweep child) gets none of it.
#include <cstdint>
#include <cstdio>
#include <string>

#include "metrics/stopwatch.hpp"

namespace mixprec {

class ProgressLine {
 public:
  static constexpr double kMaxUpdatesPerSecond = 4.0;

  // enabled: the caller's choice (false for --quiet); the line is drawn only if stderr is
  // also a terminal. `out` is for tests.
  explicit ProgressLine(bool enabled, std::FILE* out = stderr);
  bool active() const { return active_; }

  // Throttled: draws only if 1 / kMaxUpdatesPerSecond has passed since the last draw.
  void update(int epoch, int epochs, std::int64_t step, std::int64_t steps, double samples_per_s,
              double seconds_left);
  // Erases the line (before a log line is written); a no-op when nothing is drawn.
  void clear();

  // "1m05s", "42s", "2h03m": the time left, short.
  static std::string duration_text(double seconds);

 private:
  bool active_;
  bool drawn_ = false;
  std::FILE* out_;
  Stopwatch since_draw_;
};

}  // namespace mixprec
