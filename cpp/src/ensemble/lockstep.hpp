#pragma once
// Internal: replicates stepped month by month together (for Python policies and for the councils
// of a region), with work between months on the calling thread. Each item writes only its own
// slots, so results do not depend on the thread count. A task steps the items of one replicate
// (its models, and a region's councils) together, sharing each month's first Philox blocks where
// their streams are the same (common random numbers, one seed), as simulate_models does.
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "engine/replicate.hpp"
#include "ensemble/parallel_blocks.hpp"
#include "ensemble/summariser.hpp"

namespace admsim::detail {

class Lockstep {
 public:
  // An item writing into slot `slot` of `blocks`.
  void add(const Scenario& s, const Calibration& c, std::size_t model, std::int64_t replicate,
           EnsembleBlocks& blocks, std::size_t slot) {
    items_.push_back({std::make_unique<Replicate>(s, c, model, replicate, blocks.events(slot)), &blocks, slot,
                      s.seed, replicate, s.common_random_numbers});
  }
  std::size_t size() const { return items_.size(); }
  Replicate& operator[](std::size_t i) { return *items_[i].replicate; }

  // before_month(t) then every item's month t, for t in [0, months); levers(item) (may return
  // null) are that item's levers for the month.
  void run(std::size_t months, const std::function<void(int)>& before_month,
           const std::function<const double*(std::size_t)>& levers = {}) {
    each([&](Item& it) { it.replicate->start(it.blocks->metrics(it.slot), it.blocks->risks(it.slot)); });
    const std::vector<std::vector<std::size_t>> tasks = sharing_tasks();
    std::vector<MonthStreams> streams(tasks.size());
    for (std::size_t k = 0; k < tasks.size(); ++k) {
      for (const std::size_t i : tasks[k]) items_[i].replicate->share_streams(&streams[k]);
    }
    for (std::size_t t = 0; t < months; ++t) {
      before_month(static_cast<int>(t));
      parallel_ranges(0, tasks.size(), 1, [&](std::size_t begin, std::size_t end) {
        for (std::size_t k = begin; k != end; ++k) {
          const Item& first = items_[tasks[k].front()];
          if (first.crn && tasks[k].size() > 1) {
            streams[k].prepare(first.seed, static_cast<std::uint64_t>(first.replicate_index), static_cast<std::uint32_t>(t));
          }
          for (const std::size_t i : tasks[k]) items_[i].replicate->step(static_cast<int>(t), levers ? levers(i) : nullptr);
        }
      });
    }
    each([&](Item& it) { it.replicate->finish_run(it.blocks->outcomes(it.slot)); });
  }

 private:
  struct Item {
    std::unique_ptr<Replicate> replicate;
    EnsembleBlocks* blocks;
    std::size_t slot;
    std::uint64_t seed;
    std::int64_t replicate_index;
    bool crn;
  };
  // The items of each (seed, replicate), in the order added, split as runs_per_task says.
  std::vector<std::vector<std::size_t>> sharing_tasks() const {
    std::map<std::pair<std::uint64_t, std::int64_t>, std::vector<std::size_t>> by_replicate;
    std::size_t largest = 0;
    for (std::size_t i = 0; i < items_.size(); ++i) {
      auto& group = by_replicate[{items_[i].seed, items_[i].replicate_index}];
      group.push_back(i);
      largest = std::max(largest, group.size());
    }
    const std::size_t per_task = runs_per_task(largest, by_replicate.size());
    std::vector<std::vector<std::size_t>> tasks;
    for (const auto& [key, group] : by_replicate) {
      for (std::size_t from = 0; from < group.size(); from += per_task) {
        tasks.emplace_back(group.begin() + static_cast<long>(from),
                           group.begin() + static_cast<long>(std::min(group.size(), from + per_task)));
      }
    }
    return tasks;
  }
  template <typename F>
  void for_each_index(F&& f) {
    parallel_ranges(0, items_.size(), 1, [&](std::size_t begin, std::size_t end) {
      for (std::size_t i = begin; i != end; ++i) f(i);
    });
  }
  template <typename F>
  void each(F&& f) {
    for_each_index([&](std::size_t i) { f(items_[i]); });
  }
  std::vector<Item> items_;
};

}  // namespace admsim::detail
