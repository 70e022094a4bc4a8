// The forward algorithm batched over parameter sets and councils: the log-likelihood of each
// council's graded history, and the grade at its next inspection.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include <tbb/enumerable_thread_specific.h>

#include "admsim/json_reader.hpp"
#include "admsim/quality_histories.hpp"
#include "ensemble/parallel_blocks.hpp"
#include "ofsted/quality_filter.hpp"

namespace admsim::quality {

namespace {
void check(const FilterSettings& s) {
  if (s.grid < 3 || s.grid > 2001) {
    throw ValidationError("grid", "grid size out of range", std::to_string(s.grid), "an integer in [3, 2001]");
  }
  if (s.nodes < 1 || s.nodes > 64) {
    throw ValidationError("nodes", "Gauss-Hermite node count out of range", std::to_string(s.nodes),
                          "an integer in [1, 64]");
  }
}

// A thread's grid, kernels and filter, moved to another parameter set when its next item needs
// one (keeping the memory). What it computes depends only on the set, never on the thread.
struct Workspace {
  Workspace(const FilterSettings& s, const detail::Quadrature& q) : grid(s, q), kernels(grid), filter(grid) {}
  void use(const std::vector<Parameters>& sets, std::size_t s) {
    if (s == set) return;
    grid.reset(sets[s]);
    kernels.clear();
    set = s;
  }
  detail::Discretisation grid;
  detail::KernelCache kernels;
  detail::Filter filter;
  std::size_t set = SIZE_MAX;
};

struct Latest {
  int month = -1, grade = -1;  // none yet
};

// Filters all of council c's inspections; several in one month apply in turn with no move between.
Latest filter_history(Workspace& w, const Parameters& p, const CouncilHistories& h, std::size_t c) {
  Latest latest;
  for (auto i = static_cast<std::size_t>(h.offsets[c]); i < static_cast<std::size_t>(h.offsets[c + 1]); ++i) {
    if (latest.month < 0) {
      w.filter.start();
    } else if (h.month[i] > latest.month) {
      w.filter.propagate(w.kernels.get(h.month[i] - latest.month,
                                       detail::summed_shift(p, h, c, latest.month, h.month[i], latest.grade)));
    }
    w.filter.observe(h.grade[i], w.grid.emissions(h.framework[i], p.drift(h.ilacs_start_month, h.drift_end_month)
                                                                       .at(h.month[i])));
    latest = {h.month[i], h.grade[i]};
  }
  return latest;
}

// body(workspace, set, council) for every pair, in parallel.
template <typename Body>
void for_each_pair(const std::vector<Parameters>& sets, const CouncilHistories& h,
                   const FilterSettings& settings, const RunOptions& options, Body&& body) {
  check(settings);
  const detail::Quadrature standard = detail::gauss_hermite(settings.nodes);
  const std::size_t C = h.councils;
  // Whole parameter sets per range where there are enough to go round, so that a thread's kernel
  // cache serves many councils before its set changes; else councils split over the threads.
  const std::size_t threads = options.threads > 0 ? std::size_t(options.threads)
                                                  : std::size_t(tbb::this_task_arena::max_concurrency());
  const std::size_t grain = std::clamp<std::size_t>(sets.size() * C / (4 * threads), 1, std::max<std::size_t>(C, 1));
  tbb::enumerable_thread_specific<Workspace> workspaces(settings, standard);
  admsim::detail::run_in_blocks(sets.size(), C, options, [&](std::size_t begin, std::size_t end) {
    Workspace& w = workspaces.local();
    for (std::size_t item = begin; item < end; ++item) {
      w.use(sets, item / C);
      body(w, item / C, item % C);
    }
  }, grain);
}

void check(const Horizons& z, const CouncilHistories& h) {
  const std::size_t C = h.councils;
  if (!h.covers(z.as_of_month)) {
    throw ValidationError("as_of_month", "outside the histories' months", std::to_string(z.as_of_month),
                          "a month in [first_month, first_month + months)");
  }
  if (z.offsets.size() != C + 1 || z.offsets[0] != 0) {
    throw ValidationError("horizon_offsets", "not CSR offsets over the councils",
                          std::to_string(z.offsets.size()) + " values",
                          std::to_string(C + 1) + " nondecreasing values from 0 (councils + 1)");
  }
  if (static_cast<std::size_t>(z.offsets[C]) != z.months.size() || z.weights.size() != z.months.size()) {
    throw ValidationError("horizon_offsets", "last offset, horizon_months and horizon_weights disagree",
                          std::to_string(z.offsets[C]) + ", " + std::to_string(z.months.size()) + ", " +
                              std::to_string(z.weights.size()),
                          "horizon_offsets[-1] == len(horizon_months) == len(horizon_weights)");
  }
  for (std::size_t c = 0; c < C; ++c) {
    const auto a = static_cast<std::size_t>(z.offsets[c]), b = static_cast<std::size_t>(z.offsets[c + 1]);
    if (b < a) {
      throw ValidationError("horizon_offsets[" + std::to_string(c + 1) + "]", "offsets decrease",
                            std::to_string(b), "a value >= " + std::to_string(a));
    }
    const auto last = static_cast<std::size_t>(h.offsets[c + 1]);
    if (last > static_cast<std::size_t>(h.offsets[c]) && h.month[last - 1] > z.as_of_month) {
      throw ValidationError("histories['month'][" + std::to_string(last - 1) + "]", "inspection after as_of_month",
                            std::to_string(h.month[last - 1]), "a month <= " + std::to_string(z.as_of_month));
    }
    double sum = 0.0;
    for (std::size_t k = a; k < b; ++k) {
      const int target = z.as_of_month + z.months[k];
      if (z.months[k] < 1 || !h.covers(target)) {
        throw ValidationError("horizon_months[" + std::to_string(k) + "]", "horizon out of range",
                              std::to_string(z.months[k]),
                              "months >= 1 with as_of_month + months inside the histories' months (< " +
                                  std::to_string(h.first_month + static_cast<long>(h.months)) + ")");
      }
      if (!(z.weights[k] >= 0.0) || !std::isfinite(z.weights[k])) {
        throw ValidationError("horizon_weights[" + std::to_string(k) + "]", "not a weight",
                              std::to_string(z.weights[k]), "a finite number >= 0");
      }
      sum += z.weights[k];
    }
    if (std::abs(sum - 1.0) > 1e-6) {
      throw ValidationError("horizon_weights[" + std::to_string(a) + ":" + std::to_string(b) + "]",
                            "council " + std::to_string(c) + "'s weights do not sum to 1", std::to_string(sum),
                            "weights summing to 1 for every council");
    }
  }
}
}  // namespace

std::vector<double> quality_log_likelihood(const std::vector<Parameters>& sets, const CouncilHistories& h,
                                           const FilterSettings& settings, const RunOptions& options) {
  validate(h);
  std::vector<double> out(sets.size() * h.councils, 0.0);
  for_each_pair(sets, h, settings, options, [&](Workspace& w, std::size_t s, std::size_t c) {
    if (filter_history(w, sets[s], h, c).month >= 0) out[s * h.councils + c] = w.filter.log_likelihood();
  });
  return out;
}

std::vector<double> quality_forecast(const std::vector<Parameters>& sets, const CouncilHistories& h,
                                     const Horizons& horizons, const FilterSettings& settings,
                                     const RunOptions& options) {
  validate(h);
  check(horizons, h);
  std::vector<double> out(sets.size() * h.councils * kGradeCount, 0.0);
  for_each_pair(sets, h, settings, options, [&](Workspace& w, std::size_t s, std::size_t c) {
    Latest latest = filter_history(w, sets[s], h, c);
    if (latest.month < 0) {  // never inspected: stationary at the as-of month
      w.filter.start();
      latest.month = horizons.as_of_month;
    }
    double* out_c = &out[(s * h.councils + c) * kGradeCount];
    // Straight from the last inspection to each horizon: one exact kernel, no grid error between.
    const Parameters& p = sets[s];
    const GradingDrift drift = p.drift(h.ilacs_start_month, h.drift_end_month);
    const auto first = static_cast<std::size_t>(horizons.offsets[c]);
    for (auto k = first; k < static_cast<std::size_t>(horizons.offsets[c + 1]); ++k) {
      const int target = horizons.as_of_month + horizons.months[k];
      const auto& emissions =
          w.grid.emissions(regime_of(target, latest.grade, h.ilacs_start_month), drift.at(target));
      const auto next = w.filter.predict(
          w.kernels.get(target - latest.month, detail::summed_shift(p, h, c, latest.month, target, latest.grade)),
          emissions);
      for (std::size_t g = 0; g < kGradeCount; ++g) out_c[g] += horizons.weights[k] * next[g];
    }
  });
  return out;
}

}  // namespace admsim::quality
