#pragma once
// SIGINT/SIGTERM ask the run to stop after the current step; the trainer then writes its
// logs with status "interrupted" instead of dying mid-write.
namespace mixprec {

void install_interrupt_handlers();
bool interrupt_requested();

}  // namespace mixprec
