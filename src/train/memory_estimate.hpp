#pragma once
// What a run will allocate, estimated from its config and data before anything is
// allocated, so that `validate` and `train` refuse a config that cannot fit instead of
// dying in std::bad_alloc (issue 20: model.hidden [100000000] passed validate).
#include <cstdint>
#include <string>

#include "config/config.hpp"
#include "data/load_data.hpp"

namespace mixprec {

struct MemoryEstimate {
  double parameters = 0;           // weights
  std::int64_t weights_bytes = 0;  // weights, working copies, gradients, optimizer state,
                                   // packed and widened copies
  std::int64_t train_rows = 0;     // min(train.batch_size, training rows)
  std::int64_t eval_rows = 0;      // min(train.eval_batch_size, rows of the largest split)
  std::int64_t activation_bytes = 0;  // training and evaluation workspaces
  std::int64_t data_bytes = 0;
  std::int64_t total_bytes() const { return weights_bytes + activation_bytes + data_bytes; }
};

// An upper estimate (every 16-bit buffer counted at 4 bytes; both packed weight copies
// and the emulated path's widened weights counted): a run that fits it fits.
MemoryEstimate estimate_run_memory(const Config& cfg, const DataSplits& data);

// Throws UserError naming `source`, the estimate and the machine's memory when the run
// cannot fit (machine_memory_bytes()).
void check_run_fits_memory(const Config& cfg, const DataSplits& data, const std::string& source);

// Rows the training and evaluation buffers hold: no more than the data has.
int training_capacity(const Config& cfg, const DataSplits& data);
int evaluation_capacity(const Config& cfg, const DataSplits& data);

}  // namespace mixprec
