// The block runner's arena size (parallel_blocks.hpp); declared in admsim/ensemble.hpp beside
// RunOptions.
#include <string>

#include <tbb/task_arena.h>

#include "ensemble/parallel_blocks.hpp"

namespace admsim {

int arena_threads(const RunOptions& options) {
  if (options.threads < 0 || options.threads > kMaxThreads) {
    throw ValidationError("threads", "not a usable number of worker threads", std::to_string(options.threads),
                          "0 or None for all cores, or 1 to " + std::to_string(kMaxThreads));
  }
  return options.threads > 0 ? options.threads : tbb::task_arena::automatic;
}

}  // namespace admsim
