#include "admsim/ensemble.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <string>

#include <tbb/parallel_for.h>

#include "engine/replicate.hpp"
#include "ensemble/parallel_blocks.hpp"

namespace admsim {

namespace {

// Accumulates blocks of replicates in replicate order.
class Summariser {
 public:
  Summariser(const Scenario& s, std::size_t months)
      : s_(s), months_(months), models_(s.models.size()), replicates_(s.replicates) {}

  void add_block(const std::vector<double>& metrics, const std::vector<double>& outcomes,
                 const std::vector<double>& risks, std::size_t block) {
    if (!ready_) init(metrics, outcomes, block);
    add_risks(outcomes, risks, block);
    const std::size_t M = models_;
    // Each (model, metric) series set is owned by one task and filled in replicate order.
    tbb::parallel_for(std::size_t(0), M * kMetricCount, [&](std::size_t task) {
      const std::size_t m = task / kMetricCount, k = task % kMetricCount;
      for (std::size_t r = 0; r < block; ++r) {
        const double* row = &metrics[((m * block + r) * months_) * kMetricCount];
        for (std::size_t t = 0; t < months_; ++t) {
          metric_hist_[k].add(m * months_ + t, row[t * kMetricCount + k]);
        }
        // The task that owns the current_grade series also counts grades (share by month).
        if (k == static_cast<std::size_t>(Metric::current_grade)) {
          for (std::size_t t = 0; t < months_; ++t) {
            const auto g = static_cast<std::size_t>(row[t * kMetricCount + k]);
            if (g >= 1 && g <= 4) ++grade_counts_[(m * months_ + t) * 4 + g - 1];
          }
        }
      }
    });
    const std::size_t base = static_cast<std::size_t>(s_.baseline);
    for (std::size_t k = 0; k < kOutcomeCount; ++k) {
      for (std::size_t m = 0; m < M; ++m) {
        for (std::size_t r = 0; r < block; ++r) {
          const double v = outcomes[(m * block + r) * kOutcomeCount + k];
          const double b = outcomes[(base * block + r) * kOutcomeCount + k];
          outcome_hist_[k].add(m, v);
          diff_hist_[k].add(m, v - b);
          if (!std::isnan(v - b)) positive_[m * kOutcomeCount + k] += (v - b) > 0;
        }
      }
    }
  }

  void write(EnsembleResult& out) const {
    const std::size_t M = models_;
    out.risk_fired_replicates = risk_fired_;
    out.risk_events = risk_events_;
    out.risk_outcome_sum = risk_sum_;
    out.risk_outcome_count = risk_count_;
    out.metric_mean.assign(M * months_ * kMetricCount, 0.0);
    out.metric_sd.assign(out.metric_mean.size(), 0.0);
    out.metric_quantiles.assign(out.metric_mean.size() * kQuantileCount, 0.0);
    for (std::size_t m = 0; m < M; ++m)
      for (std::size_t t = 0; t < months_; ++t)
        for (std::size_t k = 0; k < kMetricCount; ++k) {
          const std::size_t series = m * months_ + t, at = series * kMetricCount + k;
          out.metric_mean[at] = metric_hist_[k].mean(series);
          out.metric_sd[at] = metric_hist_[k].sd(series);
          for (std::size_t q = 0; q < kQuantileCount; ++q)
            out.metric_quantiles[at * kQuantileCount + q] = metric_hist_[k].quantile(series, kQuantiles[q]);
        }
    out.grade_share.assign(M * months_ * 4, 0.0);
    for (std::size_t i = 0; i < out.grade_share.size(); ++i) {
      out.grade_share[i] = double(grade_counts_[i]) / double(replicates_);
    }
    const std::size_t n = M * kOutcomeCount;
    out.outcome_mean.assign(n, 0.0);
    out.outcome_sd.assign(n, 0.0);
    out.outcome_count.assign(n, 0.0);
    out.outcome_quantiles.assign(n * kQuantileCount, 0.0);
    out.diff_mean.assign(n, 0.0);
    out.diff_sd.assign(n, 0.0);
    out.diff_positive.assign(n, 0.0);
    out.diff_quantiles.assign(n * kQuantileCount, 0.0);
    for (std::size_t m = 0; m < M; ++m)
      for (std::size_t k = 0; k < kOutcomeCount; ++k) {
        const std::size_t at = m * kOutcomeCount + k;
        out.outcome_mean[at] = outcome_hist_[k].mean(m);
        out.outcome_sd[at] = outcome_hist_[k].sd(m);
        out.outcome_count[at] = double(outcome_hist_[k].count(m));
        out.diff_mean[at] = diff_hist_[k].mean(m);
        out.diff_sd[at] = diff_hist_[k].sd(m);
        const double paired = double(diff_hist_[k].count(m));
        out.diff_positive[at] = paired > 0 ? positive_[at] / paired : std::nan("");
        for (std::size_t q = 0; q < kQuantileCount; ++q) {
          out.outcome_quantiles[at * kQuantileCount + q] = outcome_hist_[k].quantile(m, kQuantiles[q]);
          out.diff_quantiles[at * kQuantileCount + q] = diff_hist_[k].quantile(m, kQuantiles[q]);
        }
      }
  }

 private:
  // In replicate order, so the sums do not depend on the thread count.
  void add_risks(const std::vector<double>& outcomes, const std::vector<double>& risks, std::size_t block) {
    const std::size_t K = s_.risks.size();
    if (K == 0) return;  // no register: nothing to tally (and no element to take the address of)
    if (risk_fired_.empty()) {
      risk_fired_.assign(models_ * K, 0.0);
      risk_events_.assign(models_ * K, 0.0);
      risk_sum_.assign(models_ * K * kOutcomeCount, 0.0);
      risk_count_.assign(risk_sum_.size(), 0.0);
    }
    for (std::size_t m = 0; m < models_; ++m)
      for (std::size_t r = 0; r < block; ++r) {
        const double* fired = &risks[(m * block + r) * K];
        const double* outcome = &outcomes[(m * block + r) * kOutcomeCount];
        for (std::size_t k = 0; k < K; ++k) {
          if (fired[k] == 0.0) continue;
          risk_fired_[m * K + k] += 1.0;
          risk_events_[m * K + k] += fired[k];
          for (std::size_t o = 0; o < kOutcomeCount; ++o) {
            if (std::isnan(outcome[o])) continue;
            risk_sum_[(m * K + k) * kOutcomeCount + o] += outcome[o];
            risk_count_[(m * K + k) * kOutcomeCount + o] += 1.0;
          }
        }
      }
  }

  // Histogram ranges come from the first block, which holds the same replicates whatever the
  // thread count.
  void init(const std::vector<double>& metrics, const std::vector<double>& outcomes, std::size_t block) {
    const std::size_t M = models_;
    std::vector<double> sample;
    for (std::size_t k = 0; k < kMetricCount; ++k) {
      sample.clear();
      for (std::size_t i = k; i < M * block * months_ * kMetricCount; i += kMetricCount) sample.push_back(metrics[i]);
      double lo, hi;
      padded_range(sample, lo, hi);
      metric_hist_.emplace_back(M * months_, lo, hi);
    }
    const std::size_t base = static_cast<std::size_t>(s_.baseline);
    for (std::size_t k = 0; k < kOutcomeCount; ++k) {
      std::vector<double> values, diffs;
      for (std::size_t m = 0; m < M; ++m)
        for (std::size_t r = 0; r < block; ++r) {
          const double v = outcomes[(m * block + r) * kOutcomeCount + k];
          values.push_back(v);
          diffs.push_back(v - outcomes[(base * block + r) * kOutcomeCount + k]);
        }
      double lo, hi;
      padded_range(values, lo, hi);
      outcome_hist_.emplace_back(M, lo, hi);
      padded_range(diffs, lo, hi);
      diff_hist_.emplace_back(M, lo, hi);
    }
    positive_.assign(M * kOutcomeCount, 0.0);
    grade_counts_.assign(M * months_ * 4, 0);
    ready_ = true;
  }

  const Scenario& s_;
  std::size_t months_, models_;
  bool ready_ = false;
  std::vector<HistogramSet> metric_hist_, outcome_hist_, diff_hist_;
  std::vector<double> positive_;
  std::vector<std::uint64_t> grade_counts_;  // [model][month][grade-1]
  std::vector<double> risk_fired_, risk_events_, risk_sum_, risk_count_;
  std::int64_t replicates_;
};

// One block with a policy: every (model, replicate) of it steps month by month together, and
// before each month the policy reads their state and sets their levers. Items write only their
// own slots and the policy sees replicates in order, so results do not depend on threads.
void run_lockstep(const Scenario& s, const Calibration& c, const std::function<void(PolicyCall&)>& policy,
                  std::size_t first, std::size_t n, std::vector<double>& metrics, std::vector<double>& outcomes,
                  std::vector<double>& risks, std::vector<std::vector<InspectionEvent>>* events) {
  const std::size_t M = s.models.size(), T = static_cast<std::size_t>(s.months), K = s.risks.size();
  constexpr std::size_t L = kInterventionNames.size();
  std::vector<std::unique_ptr<detail::Replicate>> items;
  for (std::size_t task = 0; task < M * n; ++task) {
    items.push_back(std::make_unique<detail::Replicate>(s, c, task / n, static_cast<std::int64_t>(first + task % n),
                                                        events ? &(*events)[task] : nullptr));
  }
  auto each = [&](auto&& work) {
    detail::parallel_ranges(0, M * n, 1, [&](std::size_t begin, std::size_t end) {
      for (std::size_t task = begin; task != end; ++task) work(task);
    });
  };
  each([&](std::size_t task) { items[task]->start(&metrics[task * T * kMetricCount], risks.data() + task * K); });
  std::vector<double> state(M * n * kMetricCount, 0.0), uniforms(n), levers(M * n * L);
  for (std::size_t t = 0; t < T; ++t) {
    for (std::size_t task = 0; t > 0 && task < M * n; ++task) {
      std::copy_n(&metrics[(task * T + t - 1) * kMetricCount], kMetricCount, &state[task * kMetricCount]);
    }
    for (std::size_t r = 0; r < n; ++r) {
      uniforms[r] = rng::Stream(s.seed, first + r, kStreamPolicy, static_cast<std::uint32_t>(t)).uniform();
    }
    std::fill(levers.begin(), levers.end(), std::numeric_limits<double>::quiet_NaN());
    PolicyCall call{static_cast<int>(t), static_cast<std::int64_t>(first), M, n, state.data(), uniforms.data(),
                    levers.data()};
    policy(call);
    for (std::size_t i = 0; i < levers.size(); ++i) {
      const double v = levers[i];
      const auto& range = kInterventionRanges[i % L];
      if (std::isnan(v) || (v >= range[0] && v <= range[1])) continue;
      const std::size_t task = i / L;
      throw ValidationError("/policy", std::string("the policy set ") + kInterventionNames[i % L] + " out of range for model " +
                                           s.models[task / n].id + ", replicate " + std::to_string(first + task % n) +
                                           ", month " + std::to_string(t),
                            number_text(v), range_text(range[0], range[1]) + ", or NaN for none");
    }
    each([&](std::size_t task) { items[task]->step(static_cast<int>(t), &levers[task * L]); });
  }
  each([&](std::size_t task) { items[task]->finish_run(&outcomes[task * kOutcomeCount]); });
}

}  // namespace

EnsembleResult run_ensemble(const Scenario& scenario, const RunOptions& options) {
  const Calibration calibration = calibrate(scenario);
  EnsembleResult result;
  result.models = scenario.models.size();
  result.months = static_cast<std::size_t>(scenario.months);
  result.replicates = scenario.replicates;
  result.summary_only = scenario.output == OutputMode::summary;
  const std::size_t M = result.models, T = result.months;
  const std::int64_t R = scenario.replicates;
  const bool full = !result.summary_only;
  if (full) {
    result.metrics.resize(M * static_cast<std::size_t>(R) * T * kMetricCount);
    result.outcomes.resize(M * static_cast<std::size_t>(R) * kOutcomeCount);
  }

  // Blocks of options.block_replicates replicates, every model in each; within a block item
  // (model m, replicate r) is m * n + r.
  const auto block = static_cast<std::size_t>(std::max<std::int64_t>(1, options.block_replicates));
  std::vector<double> block_metrics, block_outcomes, block_risks;
  const std::size_t K = scenario.risks.size();
  std::vector<std::vector<InspectionEvent>> block_events;
  Summariser summary(scenario, T);

  detail::for_each_block(static_cast<std::size_t>(R), block, options, [&](std::size_t first, std::size_t last) {
    const std::size_t n = last - first;
    block_metrics.assign(M * n * T * kMetricCount, 0.0);
    block_outcomes.assign(M * n * kOutcomeCount, 0.0);
    block_risks.assign(M * n * K, 0.0);
    block_events.assign(full ? M * n : 0, {});
    if (options.policy) {
      run_lockstep(scenario, calibration, options.policy, first, n, block_metrics, block_outcomes, block_risks,
                   full ? &block_events : nullptr);
    } else {
      detail::parallel_ranges(0, M * n, 1, [&](std::size_t begin, std::size_t end) {
        for (std::size_t task = begin; task != end; ++task) {
          const std::size_t m = task / n, r = task % n;
          simulate_replicate(scenario, calibration, m, static_cast<std::int64_t>(first + r),
                             &block_metrics[task * T * kMetricCount], &block_outcomes[task * kOutcomeCount],
                             full ? &block_events[task] : nullptr, block_risks.data() + task * K);
        }
      });
    }
    summary.add_block(block_metrics, block_outcomes, block_risks, n);
    if (full) {
      // Copy the block into [model][replicate] order; events in (model, replicate) order.
      for (std::size_t m = 0; m < M; ++m) {
        const std::size_t dst = m * static_cast<std::size_t>(R) + first;
        std::copy_n(&block_metrics[m * n * T * kMetricCount], n * T * kMetricCount,
                    &result.metrics[dst * T * kMetricCount]);
        std::copy_n(&block_outcomes[m * n * kOutcomeCount], n * kOutcomeCount,
                    &result.outcomes[dst * kOutcomeCount]);
      }
      for (auto& ev : block_events) result.events.insert(result.events.end(), ev.begin(), ev.end());
    }
    result.replicate_months += static_cast<std::int64_t>(M * n * T);
  });
  summary.write(result);
  if (full) {
    // Blocks interleave models; order events by (model, replicate, month) for the user.
    std::stable_sort(result.events.begin(), result.events.end(), [](const auto& a, const auto& b) {
      return a.model != b.model ? a.model < b.model : a.replicate < b.replicate;
    });
  }
  return result;
}

}  // namespace admsim
