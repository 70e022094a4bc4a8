#pragma once
// Replicates x delivery models in parallel (TBB), written to fixed slots so that results do not
// depend on the thread count; optionally reduced to summaries as it goes.
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <vector>

#include "admsim/engine.hpp"
#include "admsim/summary.hpp"

namespace admsim {

// Thrown when the progress callback asks to stop (Ctrl-C in Python).
class Cancelled : public std::runtime_error {
 public:
  Cancelled() : std::runtime_error("simulation cancelled") {}
};

// Most worker threads a run may ask for: beyond this TBB's arena set-up fails or thrashes.
inline constexpr int kMaxThreads = 1024;

// What a policy sees and sets once a month for a block of replicates (see RunOptions::policy).
struct PolicyCall {
  int month = 0;                      // the month about to be simulated (>= 0); after the last
                                      // month it is called once more with month == months, its
                                      // levers unused (for analyzers that record each month)
  std::int64_t first_replicate = 0;   // the block is replicates [first, first + replicates)
  std::size_t models = 0, replicates = 0;
  const double* state = nullptr;      // [model][replicate][metric]: month - 1 (zeros at month 0)
  const double* uniforms = nullptr;   // [replicate]: a uniform keyed by (seed, replicate, month)
  double* levers = nullptr;           // [model][replicate][intervention kind]: NaN (the default) for none
};

struct RunOptions {
  int threads = 0;  // 0: all available; 1..kMaxThreads (arena_threads() checks)
  // Called on the calling thread between blocks with (replicates done, total); return false to stop.
  std::function<bool(std::int64_t, std::int64_t)> progress;
  std::int64_t block_replicates = 64;
  // When set, the replicates of a block run in lockstep and the policy is called on the calling
  // thread before each month with their state; its levers act that month as interventions of
  // those sizes would (ValidationError "/policy" for a size outside kInterventionRanges).
  std::function<void(PolicyCall&)> policy;
};

// The TBB arena size for options.threads; a ValidationError ("threads") outside 0..kMaxThreads.
int arena_threads(const RunOptions& options);

inline constexpr std::size_t kQuantileCount = 5;
inline constexpr double kQuantiles[kQuantileCount] = {0.05, 0.25, 0.5, 0.75, 0.95};

struct EnsembleResult {
  std::size_t models = 0, months = 0;
  std::int64_t replicates = 0;
  bool summary_only = false;
  // full mode
  std::vector<double> metrics;    // [model][replicate][month][metric]
  std::vector<double> outcomes;   // [model][replicate][outcome]
  std::vector<InspectionEvent> events;
  // summary mode (also filled in full mode, cheaply, so both modes share one summary path)
  std::vector<double> metric_mean, metric_sd;  // [model][month][metric]
  std::vector<double> metric_quantiles;        // [model][month][metric][quantile]
  std::vector<double> grade_share;             // [model][month][grade 1..4]: share of replicates
  std::vector<double> outcome_mean, outcome_sd, outcome_count;   // [model][outcome]
  std::vector<double> outcome_quantiles;                         // [model][outcome][quantile]
  std::vector<double> diff_mean, diff_sd, diff_quantiles, diff_positive;  // vs baseline, [model][outcome](..)
  // risk events, by the scenario's risks (both modes): replicates in which each fired and its
  // events, [model][risk]; sums and counts of each outcome over the replicates it fired in,
  // [model][risk][outcome] (NaN outcomes left out), so its effect on a result can be read off.
  std::vector<double> risk_fired_replicates, risk_events;
  std::vector<double> risk_outcome_sum, risk_outcome_count;
  std::int64_t replicate_months = 0;
};

EnsembleResult run_ensemble(const Scenario& scenario, const RunOptions& options = {});

}  // namespace admsim
