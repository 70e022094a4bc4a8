#pragma once
// Internal: replicates stepped month by month together (for Python policies and for the councils
// of a region), with work between months on the calling thread. Each item writes only its own
// slots, so results do not depend on the thread count.
#include <cstddef>
#include <functional>
#include <memory>
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
    items_.push_back({std::make_unique<Replicate>(s, c, model, replicate, blocks.events(slot)), &blocks, slot});
  }
  std::size_t size() const { return items_.size(); }
  Replicate& operator[](std::size_t i) { return *items_[i].replicate; }

  // before_month(t) then every item's month t, for t in [0, months); levers(item) (may return
  // null) are that item's levers for the month.
  void run(std::size_t months, const std::function<void(int)>& before_month,
           const std::function<const double*(std::size_t)>& levers = {}) {
    each([&](Item& it) { it.replicate->start(it.blocks->metrics(it.slot), it.blocks->risks(it.slot)); });
    for (std::size_t t = 0; t < months; ++t) {
      before_month(static_cast<int>(t));
      for_each_index([&](std::size_t i) {
        items_[i].replicate->step(static_cast<int>(t), levers ? levers(i) : nullptr);
      });
    }
    each([&](Item& it) { it.replicate->finish_run(it.blocks->outcomes(it.slot)); });
  }

 private:
  struct Item {
    std::unique_ptr<Replicate> replicate;
    EnsembleBlocks* blocks;
    std::size_t slot;
  };
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
