#pragma once
// One replicate of one delivery model, month by month: demand, workforce, quality and
// inspection, finance, with risk events and interventions.
#include <array>
#include <cstdint>
#include <vector>

#include "admsim/metrics.hpp"
#include "admsim/quality_model.hpp"
#include "admsim/samplers.hpp"
#include "admsim/scenario.hpp"

namespace admsim {

inline constexpr std::size_t kCareBands = 4;  // months in care: 0-6, 6-24, 24-60, 60+
inline constexpr std::array<double, kCareBands> kCareBandMonths = {6, 18, 36, 0};
// Age bands of children in care (DfE's, with under 1 and 1-4 merged); children leave care as
// they turn 18, at the end of the last band.
inline constexpr std::size_t kAgeBands = 4;
inline constexpr std::array<double, kAgeBands> kAgeBandMonths = {60, 60, 72, 24};
inline constexpr std::array<const char*, kAgeBands> kAgeBandNames = {"0_4", "5_9", "10_15", "16_17"};
enum AgeBand : std::size_t { kAge0to4, kAge5to9, kAge10to15, kAge16to17 };

// Children in care by (months-in-care band, age band), for one placement type.
using CareGrid = std::array<std::array<double, kAgeBands>, kCareBands>;

// Rates derived once per scenario from the profile, so that the in-house model with no shocks
// reproduces the profile's own stocks and flows (the profile is treated as a steady state).
struct Calibration {
  double children0 = 0;
  double new_referrals = 0;            // per month, excluding re-referrals
  double rereferral_hazard = 0;        // per month, for children closed in the last 12 months
  double closures = 0;                 // expected closures per month (sizes the initial pool)
  double nfa_share = 0;
  double cin_to_cpp = 0, cin_to_cla = 0, cin_close = 0;  // monthly probabilities from CIN-only
  double cpp_exit = 0, cpp_exit_to_cla = 0;              // monthly exit probability; share into care
  double cla_entry_rate = 0;                             // entries per month, all routes
  // Entries through children's services (CIN and plans): placement type, then age given type.
  std::array<double, kPlacementCount> entry_mix{};
  std::array<std::array<double, kAgeBands>, kPlacementCount> entry_age{};
  // Unaccompanied asylum-seeking children: direct entries a month; aged 16-17 they go to
  // supported accommodation, younger to agency foster care aged 10-15.
  double uasc_entries = 0, uasc_share_16_17 = 0;
  std::array<CareGrid, kPlacementCount> leave_prob{};  // monthly, by type, months in care and age
  std::array<double, kCareBands> duration_prob{};   // monthly move to the next months-in-care band
  std::array<double, kAgeBands> age_prob{};         // monthly move to the next age band (or 18)
  std::array<CareGrid, kPlacementCount> initial_care{};  // expected stocks, end of month
  // Moves between placement types: residential steps down to foster care at step_down_prob a
  // month; foster care escalates to residential at escalation_prob (by cell), which balances the
  // step-downs at the profile's stocks, so the no-change run keeps its placement mix.
  double step_down_prob = 0;
  CareGrid escalation_prob{};
  // The fixed probabilities above, prepared once for the many draws of a run (rng::Binomial);
  // set by calibrate() from them.
  // A child of cell (type, band, age) in a month: leaves care (leave_prob), or stays and moves on
  // a months-in-care band (duration_prob) and, independently, an age band (age_prob); moves
  // draws the four outcomes (kLeave, kOnAndOlder, kOn, kOlder) of every cell's children at once,
  // cells in (type, band, age) order.
  enum CareMove : std::size_t { kLeave, kOnAndOlder, kOn, kOlder, kCareMoves };
  static constexpr std::size_t kCareCells = kPlacementCount * kCareBands * kAgeBands;
  struct CareDraws {
    rng::RareOutcomeCells moves;
    std::array<std::array<rng::Binomial, kAgeBands>, kCareBands> escalation;
    rng::Binomial step_down;  // step_down_prob, for months with no step-down programme
    rng::Categorical entry;  // an entrant's (placement type, age band), type-major: entry_mix x entry_age
  } care_draws;
  double cin_only0 = 0, cpp0 = 0, cla0 = 0;
  // workforce
  double in_post0 = 0, agency0 = 0, establishment0 = 0;
  double leave_hazard = 0;             // mean monthly hazard at starting conditions
  std::array<double, 3> band_hazard{}; // newly qualified, experienced, senior
  double leavers0 = 0, vacancies0 = 0;  // a month at the steady state; open posts at least 1
  double fill_prob = 0;                // monthly chance a vacancy is filled
  double agency_cover = 0;             // target agency FTE per vacancy
  double cases_per_child = 0;          // cases per child in need (DfE "cases" / CIN)
  double caseload0 = 0, turnover0 = 0, agency_share0 = 0;
  // quality
  double reversion = 0, quality_noise = 0;      // monthly; the noise is the transient part's
  // Observed-quality cut-points (O/G, G/RI, RI/I) of ILACS standard and short inspections at
  // month 0; they fall by drift.at(t) * observed_sd by month t.
  std::array<quality::Cuts, 2> cut{};
  quality::GradingDrift drift;
  double observed_sd = 1;
  quality::Schedule schedule;                   // months to the next inspection by grade 0..3
  quality::Cuts cuts(int grade, int month) const;  // in force at an inspection in `month`
  // finance
  double staff_week_to_month = 52.0 / 12.0;
  double discount_monthly = 0;
  std::vector<double> budget_by_year;  // the profile's budget path, one a year of the horizon

  // Factors that depend on the month alone, the same in every replicate, computed once a run
  // (the engine's expressions evaluated earlier: results are unchanged).
  struct Month {
    double children = 0;        // children_0_17, grown by the profile's rate
    double referral_trend = 1;  // national trend times reversion toward the long-run rate
    double placement_price = 1; // placement prices' real growth
    double discount = 1;        // discount factor at mid-month
  };
  std::vector<Month> by_month;
};

Calibration calibrate(const Scenario& scenario);

struct InspectionEvent {
  std::int32_t model;
  std::int64_t replicate;
  std::int32_t month;
  std::int32_t kind;   // 0 graded inspection, 1 monitoring visit (ungraded)
  std::int32_t grade;  // 1..4 for inspections, 0 for visits
};

// Simulates (model, replicate). metrics: months x kMetricCount, row-major; outcomes: kOutcomeCount.
// events may be null (summary mode).
void simulate_replicate(const Scenario& scenario, const Calibration& calibration, std::size_t model,
                        std::int64_t replicate, double* metrics, double* outcomes,
                        std::vector<InspectionEvent>* events, double* risks_fired = nullptr);

// Where one model's run of a replicate writes (simulate_replicate's buffers).
struct ReplicateBuffers {
  double* metrics;
  double* outcomes;
  std::vector<InspectionEvent>* events;
  double* risks_fired;
};
// Models models[0..count) of one replicate, month by month together: models[i] writes into
// buffers[i]. With common random numbers their streams are the same, so each month's first
// blocks (MonthStreams) are made once for all of them: the same numbers as simulate_replicate
// (one model alone, which makes its own) for each model, in less time.
void simulate_models(const Scenario& scenario, const Calibration& calibration, const std::size_t* models,
                     std::size_t count, std::int64_t replicate, const ReplicateBuffers* buffers);

// Random streams, keyed by purpose so that adding a draw to one flow never shifts another.
enum StreamId : std::uint32_t {
  kStreamEffects = 1, kStreamRisks = 2, kStreamInitial = 3,
  kStreamDemandNoise = 10, kStreamReferrals, kStreamRereferrals, kStreamReferralOutcome, kStreamCin,
  kStreamCpp, kStreamCppRepeat, kStreamCareEntry, kStreamCareExit, kStreamPlacementMoves,
  kStreamUasc, kStreamPlacementStep,
  kStreamCareMoves,  // care cells' counts past the first steps and the moves of 3+ movers (kStreamCareExit: a uniform a cell)
  kStreamPlacementStepMore,  // step-downs' foster type, and long searches (kStreamPlacementStep: one per draw)
  kStreamLabourMarket = 30, kStreamLeavers, kStreamHires, kStreamProgression, kStreamAgency,
  kStreamMovers,  // which leavers move to another council of the region (regional runs)
  kStreamQuality = 50, kStreamInspection, kStreamPersistentLevel,
  kStreamPolicy = 60,  // the uniforms handed to a Python policy (shared by every model)
  kStreamRegionPool = 70,  // how a region's movers are shared among its councils
  kStreamRegionHub,        // a replicate's commissioning-hub take-up and discount (one draw each)
  kStreamRegionAlliance,   // a replicate's improvement-alliance effect
};

}  // namespace admsim
