#include "report/progress_line.hpp"

#include <unistd.h>

#include <cmath>
#include <string>

#include <fmt/format.h>

namespace mixprec {

ProgressLine::ProgressLine(bool enabled, std::FILE* out)
    : active_(enabled && ::isatty(::fileno(out)) == 1), out_(out) {}

std::string ProgressLine::duration_text(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto s = static_cast<long long>(std::llround(seconds));
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
}

void ProgressLine::update(int epoch, int epochs, std::int64_t step, std::int64_t steps,
                          double samples_per_s, double seconds_left) {
  if (!active_ || (drawn_ && since_draw_.seconds() < 1.0 / kMaxUpdatesPerSecond)) return;
  // \r back to the start of the line, \033[K erases what a longer earlier line left.
  fmt::print(out_, "\r\033[Kepoch {}/{}  step {}/{}  {:.0f} samples/s  ~{} left", epoch, epochs, step,
             steps, samples_per_s, duration_text(seconds_left));
  std::fflush(out_);
  drawn_ = true;
  since_draw_ = Stopwatch();
}

void ProgressLine::clear() {
  if (!drawn_) return;
  fmt::print(out_, "\r\033[K");
  std::fflush(out_);
  drawn_ = false;
}

}  // namespace mixprec
