#include "admsim/ensemble.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <string>

#include <tbb/parallel_for.h>

#include "engine/replicate.hpp"
#include "ensemble/parallel_blocks.hpp"
#include "ensemble/lockstep.hpp"
#include "ensemble/summariser.hpp"

namespace admsim {

namespace {

// One block with a policy: every (model, replicate) of it steps month by month together, and
// before each month the policy reads their state and sets their levers. Items write only their
// own slots and the policy sees replicates in order, so results do not depend on threads.
void run_with_policy(const Scenario& s, const Calibration& c, const std::function<void(PolicyCall&)>& policy,
                     std::size_t first, detail::EnsembleBlocks& blocks) {
  const std::size_t M = s.models.size(), n = blocks.items() / M, T = static_cast<std::size_t>(s.months);
  constexpr std::size_t L = kInterventionNames.size();
  detail::Lockstep lockstep;
  for (std::size_t item = 0; item < M * n; ++item) {
    lockstep.add(s, c, item / n, static_cast<std::int64_t>(first + item % n), blocks, item);
  }
  std::vector<double> state(M * n * kMetricCount, 0.0), uniforms(n), levers(M * n * L);
  // The policy's call before month t: the block's state at the end of month t - 1 (zeros at
  // month 0), this month's uniforms, and no levers pulled until it pulls them.
  auto ask = [&](int t) {
    for (std::size_t item = 0; t > 0 && item < M * n; ++item) {
      std::copy_n(blocks.metrics(item) + (t - 1) * kMetricCount, kMetricCount, &state[item * kMetricCount]);
    }
    for (std::size_t r = 0; r < n; ++r) {
      uniforms[r] = rng::Stream(s.seed, first + r, kStreamPolicy, static_cast<std::uint32_t>(t)).uniform();
    }
    std::fill(levers.begin(), levers.end(), std::numeric_limits<double>::quiet_NaN());
    PolicyCall call{t, static_cast<std::int64_t>(first), M, n, state.data(), uniforms.data(), levers.data()};
    policy(call);
  };
  lockstep.run(T, [&](int t) {
    ask(t);
    for (std::size_t i = 0; i < levers.size(); ++i) {
      const double v = levers[i];
      const auto& range = kInterventionRanges[i % L];
      if (std::isnan(v) || (v >= range[0] && v <= range[1])) continue;
      const std::size_t item = i / L;
      throw ValidationError("/policy", std::string("the policy set ") + kInterventionNames[i % L] + " out of range for model " +
                                           s.models[item / n].id + ", replicate " + std::to_string(first + item % n) +
                                           ", month " + std::to_string(t),
                            number_text(v), range_text(range[0], range[1]) + ", or NaN for none");
    }
  }, [&](std::size_t item) { return &levers[item * L]; });
  ask(static_cast<int>(T));  // once more after the last month, for analyzers (its levers unused)
}

}  // namespace

EnsembleResult run_ensemble(const Scenario& scenario, const RunOptions& options) {
  const Calibration calibration = calibrate(scenario);
  const std::size_t M = scenario.models.size();
  detail::EnsembleBlocks blocks(scenario);
  EnsembleResult result;
  // Blocks of options.block_replicates replicates, every model in each. A policy is called
  // once a month per block, so with one, blocks are larger (up to 512 replicates, about 1,024
  // items): fewer calls into Python, the same numbers.
  auto block = static_cast<std::size_t>(std::max<std::int64_t>(1, options.block_replicates));
  if (options.policy) block = std::max(block, std::min<std::size_t>(512, 1024 / std::max<std::size_t>(1, M)));
  detail::for_each_block(static_cast<std::size_t>(scenario.replicates), block, options, [&](std::size_t first, std::size_t last) {
    const std::size_t n = last - first;
    blocks.begin(n);
    if (options.policy) {
      run_with_policy(scenario, calibration, options.policy, first, blocks);
    } else {
      // A task runs a group of a replicate's models together, which share each month's first
      // blocks (simulate_models): all of them, unless the block has too few replicates to keep
      // every thread busy. Groups change no number, only the time.
      const std::size_t per_group = detail::runs_per_task(M, n);
      const std::size_t groups = (M + per_group - 1) / per_group;  // none empty; the last may be smaller
      detail::parallel_ranges(0, groups * n, 1, [&](std::size_t begin, std::size_t end) {
        std::vector<ReplicateBuffers> buffers;
        std::vector<std::size_t> models;
        for (std::size_t task = begin; task != end; ++task) {
          const std::size_t r = task % n, m0 = task / n * per_group;
          buffers.clear();
          models.clear();
          for (std::size_t m = m0; m < std::min(M, m0 + per_group); ++m) {
            const std::size_t item = m * n + r;
            models.push_back(m);
            buffers.push_back({blocks.metrics(item), blocks.outcomes(item), blocks.events(item), blocks.risks(item)});
          }
          simulate_models(scenario, calibration, models.data(), models.size(), static_cast<std::int64_t>(first + r),
                          buffers.data());
        }
      });
    }
    blocks.end(first);
  }, [&] { result = blocks.finish(); });
  return result;
}

}  // namespace admsim
