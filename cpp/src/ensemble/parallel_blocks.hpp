#pragma once
// Internal: the one block runner, used by run_ensemble (ensemble.cpp), evaluate_batch (batch.cpp)
// and the Ofsted computations (ofsted/quality_likelihood.cpp, ofsted/quality_simulation.cpp).
//
// Work over `units` (replicates, batch rows, parameter sets) is taken in blocks of consecutive
// units. Each block runs in parallel (TBB) inside one task arena of options.threads; between
// blocks, on the calling thread, the caller's progress callback (Ctrl-C in Python) is asked with
// (units done, units) and a false answer throws Cancelled. Work writes each item's result to its
// own slot and reduces in unit order, so results do not depend on the thread count.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "admsim/ensemble.hpp"

namespace admsim::detail {

// Units per block so that a block holds about `items` items when a unit holds `per_unit`: enough
// work per block to keep every thread busy, little enough to stop promptly.
inline std::size_t units_per_block(std::size_t items, std::size_t per_unit) {
  return std::max<std::size_t>(1, items / std::max<std::size_t>(1, per_unit));
}

// work(begin, end) on contiguous subranges of items [first, last), in parallel in the current
// arena (call it from a for_each_block body). Ranges hold at least about grain / 2 items where
// there are enough.
template <typename Work>
void parallel_ranges(std::size_t first, std::size_t last, std::size_t grain, Work&& work) {
  tbb::parallel_for(tbb::blocked_range<std::size_t>(first, last, grain),
                    [&](const tbb::blocked_range<std::size_t>& r) { work(r.begin(), r.end()); });
}

// How many of one replicate's runs (its delivery models, or a region's councils and models) a
// task steps together, sharing each month's first Philox blocks (simulate_models, Lockstep): all
// `runs`, unless `replicates` are too few for about 4 tasks a thread of the current arena; then
// groups as equal as ceil division makes them. Only the time depends on it.
inline std::size_t runs_per_task(std::size_t runs, std::size_t replicates) {
  const auto threads = static_cast<std::size_t>(std::max(1, tbb::this_task_arena::max_concurrency()));
  replicates = std::max<std::size_t>(1, replicates);
  const std::size_t tasks = std::max<std::size_t>(1, std::min(runs, (4 * threads + replicates - 1) / replicates));
  return std::max<std::size_t>(1, (runs + tasks - 1) / tasks);
}

struct NothingAfter {
  void operator()() const {}
};

// body(first, last) for consecutive blocks of units [0, units), `block` of them each (at least
// one; the last block may be shorter), inside the arena; then options.progress(last, units).
// after() runs in the arena once all blocks are done (summaries that are themselves parallel,
// on options.threads). The arena is set up (and options.threads checked) even when there are
// no units.
template <typename Body, typename After = NothingAfter>
void for_each_block(std::size_t units, std::size_t block, const RunOptions& options, Body&& body,
                    After&& after = After{}) {
  tbb::task_arena arena(arena_threads(options));
  block = std::max<std::size_t>(1, block);
  for (std::size_t first = 0; first < units; first += block) {
    const std::size_t last = std::min(units, first + block);
    arena.execute([&] { body(first, last); });
    // On the calling thread, outside the arena: Python's callback takes the GIL.
    if (options.progress && !options.progress(static_cast<std::int64_t>(last), static_cast<std::int64_t>(units))) {
      throw Cancelled();
    }
  }
  arena.execute([&] { after(); });
}

// Items [0, outer x inner), item = outer_index * inner + inner_index: work(first_item, last_item)
// on contiguous ranges, `outer` taken in blocks of about 2048 items. An item costs about `cost`
// units (a council's history under one parameter set is one); ranges hold at least about
// grain / 2 items where there are enough.
template <typename Work>
void run_in_blocks(std::size_t outer, std::size_t inner, const RunOptions& options, Work&& work,
                   std::size_t grain = 1, std::size_t cost = 1) {
  for_each_block(outer, units_per_block(2048, inner * cost), options, [&](std::size_t first, std::size_t last) {
    parallel_ranges(first * inner, last * inner, grain, work);
  });
}

}  // namespace admsim::detail
