#pragma once
// Internal: the streaming summaries of run_ensemble (and of each council of a regional run):
// blocks of replicates are added in replicate order, so the result is the same for any threads.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <tbb/parallel_for.h>

#include "admsim/ensemble.hpp"
#include "admsim/summary.hpp"

namespace admsim::detail {

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
    // Month by month, so that a series' bins stay in cache while its replicates are added.
    tbb::parallel_for(std::size_t(0), M * kMetricCount, [&](std::size_t task) {
      const std::size_t m = task / kMetricCount, k = task % kMetricCount;
      const double* first = &metrics[m * block * months_ * kMetricCount + k];
      const std::size_t stride = months_ * kMetricCount;  // from one replicate to the next
      HistogramSet& hist = metric_hist_[k];
      // Months a few at a time, their series' chains interleaved.
      constexpr std::size_t together = HistogramSet::kInterleaved;
      std::size_t t = 0;
      for (; t + together <= months_; t += together) {
        hist.add_strided_interleaved(m * months_ + t, first + t * kMetricCount, kMetricCount, stride, block);
      }
      for (; t < months_; ++t) hist.add_strided(m * months_ + t, first + t * kMetricCount, stride, block);
      // The task that owns the current_grade series also counts grades (share by month).
      if (k == static_cast<std::size_t>(Metric::current_grade)) {
        for (t = 0; t < months_; ++t) {
          const double* value = first + t * kMetricCount;
          for (std::size_t r = 0; r < block; ++r) {
            const auto g = static_cast<std::size_t>(value[r * stride]);
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
    // A task per metric, each writing its own slots (called in the run's arena: see ensemble.cpp).
    tbb::parallel_for(std::size_t(0), kMetricCount, [&](std::size_t k) {
      const HistogramSet& hist = metric_hist_[k];
      for (std::size_t series = 0; series < M * months_; ++series) {
        const std::size_t at = series * kMetricCount + k;
        out.metric_mean[at] = hist.mean(series);
        out.metric_sd[at] = hist.sd(series);
        hist.quantiles(series, kQuantiles, kQuantileCount, &out.metric_quantiles[at * kQuantileCount]);
      }
    });
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
        outcome_hist_[k].quantiles(m, kQuantiles, kQuantileCount, &out.outcome_quantiles[at * kQuantileCount]);
        diff_hist_[k].quantiles(m, kQuantiles, kQuantileCount, &out.diff_quantiles[at * kQuantileCount]);
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

  // Histogram ranges come from the first kRangeReplicates replicates (or all, if fewer) of the
  // first block, whatever its size, so summaries do not depend on the block size.
  static constexpr std::size_t kRangeReplicates = 64;

  void init(const std::vector<double>& metrics, const std::vector<double>& outcomes, std::size_t block) {
    const std::size_t M = models_, used = std::min(block, kRangeReplicates);
    // Each metric's smallest and largest values (NaN skipped), in one pass over each model's
    // rows, a task per model, then across models in model order: each keeps the first of equal
    // values (-0.0 against 0.0), as one pass in replicate order did.
    constexpr double kInf = std::numeric_limits<double>::infinity();
    std::vector<double> smallest(M * kMetricCount, kInf), largest(M * kMetricCount, -kInf);
    tbb::parallel_for(std::size_t(0), M, [&](std::size_t m) {
      double* low = &smallest[m * kMetricCount];
      double* high = &largest[m * kMetricCount];
      for (std::size_t r = 0; r < used; ++r)
        for (std::size_t t = 0; t < months_; ++t) {
          const double* row = &metrics[((m * block + r) * months_ + t) * kMetricCount];
          for (std::size_t k = 0; k < kMetricCount; ++k) {
            if (std::isnan(row[k])) continue;
            low[k] = std::min(low[k], row[k]);
            high[k] = std::max(high[k], row[k]);
          }
        }
    });
    // The histograms (tens of MB of bins for many models), made and cleared a task per metric.
    metric_hist_.resize(kMetricCount);
    tbb::parallel_for(std::size_t(0), kMetricCount, [&](std::size_t k) {
      double lo = kInf, hi = -kInf;
      for (std::size_t m = 0; m < M; ++m) {
        lo = std::min(lo, smallest[m * kMetricCount + k]);
        hi = std::max(hi, largest[m * kMetricCount + k]);
      }
      padded_range(lo, hi, lo, hi);
      metric_hist_[k] = HistogramSet(M * months_, lo, hi, most());
    });
    const std::size_t base = static_cast<std::size_t>(s_.baseline);
    for (std::size_t k = 0; k < kOutcomeCount; ++k) {
      std::vector<double> values, diffs;
      for (std::size_t m = 0; m < M; ++m)
        for (std::size_t r = 0; r < used; ++r) {
          const double v = outcomes[(m * block + r) * kOutcomeCount + k];
          values.push_back(v);
          diffs.push_back(v - outcomes[(base * block + r) * kOutcomeCount + k]);
        }
      double lo, hi;
      padded_range(values, lo, hi);
      outcome_hist_.emplace_back(M, lo, hi, most());
      padded_range(diffs, lo, hi);
      diff_hist_.emplace_back(M, lo, hi, most());
    }
    positive_.assign(M * kOutcomeCount, 0.0);
    grade_counts_.assign(M * months_ * 4, 0);
    ready_ = true;
  }

  // The most values a series takes: one a replicate.
  std::uint64_t most() const { return static_cast<std::uint64_t>(std::max<std::int64_t>(replicates_, 0)); }

  const Scenario& s_;
  std::size_t months_, models_;
  bool ready_ = false;
  std::vector<HistogramSet> metric_hist_, outcome_hist_, diff_hist_;
  std::vector<double> positive_;
  std::vector<std::uint64_t> grade_counts_;  // [model][month][grade-1]
  std::vector<double> risk_fired_, risk_events_, risk_sum_, risk_count_;
  std::int64_t replicates_;
};

// One scenario's results, block by block: buffers for a block's items (item = model * n +
// replicate within the block), then its summaries and (full mode) its place in the result.
class EnsembleBlocks {
 public:
  explicit EnsembleBlocks(const Scenario& s)
      : s_(s), M_(s.models.size()), T_(static_cast<std::size_t>(s.months)), K_(s.risks.size()),
        full_(s.output != OutputMode::summary), summary_(s, T_) {
    result_.models = M_;
    result_.months = T_;
    result_.replicates = s.replicates;
    result_.summary_only = !full_;
    if (full_) {
      result_.metrics.resize(M_ * static_cast<std::size_t>(s.replicates) * T_ * kMetricCount);
      result_.outcomes.resize(M_ * static_cast<std::size_t>(s.replicates) * kOutcomeCount);
    }
  }

  void begin(std::size_t n) {
    n_ = n;
    // Not cleared: each month's step clears its own row before writing it (Replicate::step),
    // in parallel and in cache, where clearing the block here (tens of MB) ran on one thread.
    metrics_.resize(M_ * n * T_ * kMetricCount);
    outcomes_.assign(M_ * n * kOutcomeCount, 0.0);
    risks_.assign(M_ * n * K_, 0.0);
    events_.assign(full_ ? M_ * n : 0, {});
  }
  std::size_t items() const { return M_ * n_; }
  double* metrics(std::size_t item) { return &metrics_[item * T_ * kMetricCount]; }
  double* outcomes(std::size_t item) { return &outcomes_[item * kOutcomeCount]; }
  double* risks(std::size_t item) { return risks_.data() + item * K_; }
  std::vector<InspectionEvent>* events(std::size_t item) { return full_ ? &events_[item] : nullptr; }

  // The block of replicates [first, first + n) is done.
  void end(std::size_t first) {
    summary_.add_block(metrics_, outcomes_, risks_, n_);
    if (full_) {
      // Copy the block into [model][replicate] order; events in (model, replicate) order.
      const auto R = static_cast<std::size_t>(s_.replicates);
      for (std::size_t m = 0; m < M_; ++m) {
        const std::size_t dst = m * R + first;
        std::copy_n(&metrics_[m * n_ * T_ * kMetricCount], n_ * T_ * kMetricCount, &result_.metrics[dst * T_ * kMetricCount]);
        std::copy_n(&outcomes_[m * n_ * kOutcomeCount], n_ * kOutcomeCount, &result_.outcomes[dst * kOutcomeCount]);
      }
      for (auto& ev : events_) result_.events.insert(result_.events.end(), ev.begin(), ev.end());
    }
    result_.replicate_months += static_cast<std::int64_t>(M_ * n_ * T_);
  }

  EnsembleResult finish() {
    summary_.write(result_);
    if (full_) {
      // Blocks interleave models; order events by (model, replicate, month) for the user.
      std::stable_sort(result_.events.begin(), result_.events.end(), [](const auto& a, const auto& b) {
        return a.model != b.model ? a.model < b.model : a.replicate < b.replicate;
      });
    }
    return std::move(result_);
  }

 private:
  const Scenario& s_;
  std::size_t M_, T_, K_, n_ = 0;
  bool full_;
  Summariser summary_;
  EnsembleResult result_;
  std::vector<double> metrics_, outcomes_, risks_;
  std::vector<std::vector<InspectionEvent>> events_;
};

}  // namespace admsim::detail
