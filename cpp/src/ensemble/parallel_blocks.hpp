#pragma once
// Internal: items [0, outer x inner) in parallel (TBB), `outer` taken in blocks so that the
// caller's progress callback (Ctrl-C in Python) is asked between blocks. Work writes each item's
// result to its own slot, so results do not depend on the thread count.
#include <algorithm>
#include <cstddef>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "admsim/ensemble.hpp"

namespace admsim::detail {

// work(first_item, last_item) for contiguous ranges of items; item = outer_index * inner + inner_index.
// Ranges hold at least about grain / 2 items where there are enough. An item costs about `cost`
// units (a council's history under one parameter set is one).
template <typename Work>
void run_in_blocks(std::size_t outer, std::size_t inner, const RunOptions& options, Work&& work,
                   std::size_t grain = 1, std::size_t cost = 1) {
  tbb::task_arena arena(arena_threads(options));
  // Enough work per block to keep every thread busy, little enough to stop promptly.
  const std::size_t block = std::max<std::size_t>(1, 2048 / std::max<std::size_t>(1, inner * cost));
  for (std::size_t first = 0; first < outer; first += block) {
    const std::size_t last = std::min(outer, first + block);
    arena.execute([&] {
      tbb::parallel_for(tbb::blocked_range<std::size_t>(first * inner, last * inner, grain),
                        [&](const tbb::blocked_range<std::size_t>& r) { work(r.begin(), r.end()); });
    });
    if (options.progress && !options.progress(static_cast<std::int64_t>(last), static_cast<std::int64_t>(outer))) {
      throw Cancelled();
    }
  }
}

}  // namespace admsim::detail
