#pragma once
// Internal: the state of one (model, replicate) run and the monthly module steps. Each module
// lives in its own .cpp (demand, workforce, quality, finance); replicate.cpp wires them.
#include <array>
#include <cstdint>
#include <limits>
#include <vector>

#include "admsim/engine.hpp"
#include "admsim/month_streams.hpp"
#include "admsim/random.hpp"
#include "admsim/risks.hpp"

namespace admsim::detail {

// Modifiers in force this month, from interventions and risk events.
struct Modifiers {
  double referrals = 1, care_entry = 1, turnover = 1, recruitment = 1;
  double quality_target = 0, extra_cost = 0;
  double agency_cap = 1, caseload_cap = std::numeric_limits<double>::infinity();
  double pay_uplift = 0, edge_of_care_investment = 0;
  double placement_cost = 1;
  double uasc = 1, step_down = 1;  // multipliers on UASC arrivals and on step-downs
};

// A regional run's arrangements for one month of one council (region.cpp sets them before the
// month): inactive in a single-council run, which then computes exactly as without them.
struct RegionalTerms {
  bool active = false;
  std::array<double, kPlacementCount> placement_saving{};  // share of each type's price a hub saves
  double hub_cost = 0;          // this council's share of the hub's cost this month, GBP
  double support_cost = 0;      // improvement support this council gives this month, GBP
  double quality_support = 0;   // improvement support it gets: SD units on its quality target
};

// An intervention a rule started in this replicate.
struct RuleAction {
  InterventionKind kind;
  int start, end;  // active in [start, end)
  double size;
};

// Where each of the scenario's rules stands in this replicate.
struct RuleState {
  int streak = 0;     // months in a row its condition has held
  int times = 0;      // actions started
  int free_from = 0;  // the first month it may start another (after its action and cooldown)
};

struct ActiveEvent {
  int start, end;
  RiskEffect effect;
  double size;  // the risk's size times its impact scale
};

class Replicate {
 public:
  Replicate(const Scenario& scenario, const Calibration& calibration, std::size_t model,
            std::int64_t replicate, std::vector<InspectionEvent>* events);
  // Not copied: month_streams_ may point at its own own_streams_.
  Replicate(const Replicate&) = delete;
  Replicate& operator=(const Replicate&) = delete;
  // A run month by month: start, step(t) for t = 0, 1, ..., finish_run (simulate_models,
  // Lockstep). risks_fired (may be null): events of each of the scenario's risks. levers (may be
  // null): a size per intervention kind for month t, NaN for none.
  void start(double* metrics, double* risks_fired = nullptr);
  void step(int t, const double* levers = nullptr);
  // Streams another run prepares each month before this one's step(t) (simulate_models,
  // Lockstep): taken where they are this run's own (common random numbers; the same seed and
  // replicate), else ignored. Read only within step(t).
  void share_streams(const MonthStreams* streams) { shared_streams_ = streams; }
  void finish_run(double* outcomes);
  // A regional run's labour market (region/region.cpp): before month t the region offers this
  // council movers from its other councils (hired first, up to the vacancies); how strongly the
  // council draws them (its recruitment effect, campaigns and pay, as of last month).
  void offer_movers(std::uint64_t n) { movers_offered_ = n; }
  double attraction() const { return attraction_; }
  // The region's hub and improvement support for the next month; the latest grade (1..4).
  void set_regional(const RegionalTerms& terms) { regional_ = terms; }
  int grade() const { return grade_; }

 private:
  rng::Stream stream(std::uint32_t id, int month) const;
  rng::Stream vehicle_stream(std::uint32_t id, int month) const;  // keyed by Scenario::vehicle_seed
  rng::Stream stream(std::uint32_t id, int month, std::uint64_t seed) const;  // either, by its seed
  double metric(Metric m) const { return row_[static_cast<std::size_t>(m)]; }
  void set(Metric m, double v) { row_[static_cast<std::size_t>(m)] = v; }

  void sample_effects();
  void schedule_risks(double* risks_fired);
  void gather_modifiers(int t);
  void fire_rules(int t);
  void init_demand();
  void step_demand(int t);
  void init_workforce();
  void step_workforce(int t);
  void init_quality();
  void step_quality(int t);
  void inspect(int t);
  void step_finance(int t);
  void finish(double* outcomes);
  void check_finite(int t) const;
  [[noreturn]] void fail_non_finite(int t, const char* what, double value) const;

  double effect(Hook h) const { return effect_[static_cast<std::size_t>(h)]; }
  double budget(int t) const { return c_.budget_by_year[static_cast<std::size_t>(t / 12)]; }
  bool live(int t) const { return t >= go_live_; }
  bool in_transition(int t) const;
  double care_entry_multiplier() const;
  std::uint64_t cin_all() const;
  std::uint64_t in_care(std::size_t placement) const;

  const Scenario& s_;
  const Calibration& c_;
  const EngineParameters& e_;
  const DeliveryModel& model_;
  std::size_t model_index_;
  std::int64_t replicate_;
  std::uint32_t stream_offset_;
  // This month's streams, their first blocks made together at the start of step(t): its own, or
  // those another run shares (share_streams).
  MonthStreams own_streams_;
  const MonthStreams* shared_streams_ = nullptr;
  const MonthStreams* month_streams_ = &own_streams_;
  std::vector<InspectionEvent>* events_;
  double* metrics_ = nullptr;  // months x kMetricCount
  double* row_ = nullptr;      // this month's row of metrics_

  std::array<double, kHookCount> effect_{};
  int go_live_ = 0, transition_end_ = 0;
  double setup_cost_ = 0;
  bool new_arrangement_ = false;
  std::vector<ActiveEvent> scheduled_;
  std::vector<RuleState> rule_state_;
  std::vector<RuleAction> rule_actions_;
  Modifiers mod_;

  // demand
  double children_ = 0, demand_noise_ = 0;
  std::uint64_t cin_only_ = 0, cpp_ = 0;
  // children in care: placement type x months-in-care band x age band
  using CareCounts = std::array<std::array<std::uint64_t, kAgeBands>, kCareBands>;
  std::array<CareCounts, kPlacementCount> care_{};
  std::array<std::uint64_t, 12> pool_{};  // closed k+1 months ago, eligible to re-refer

  // workforce: newly qualified, experienced, senior
  std::array<std::uint64_t, 3> staff_{};
  std::uint64_t agency_ = 0;
  double establishment_ = 0, labour_market_ = 0, caseload_ = 0, cases0_ = 0;
  std::array<double, 12> leavers_ring_{}, in_post_ring_{};
  std::uint64_t movers_offered_ = 0;
  double attraction_ = 1;
  int ring_filled_ = 0;
  RegionalTerms regional_;
  double hub_savings_ = 0;  // GBP over the horizon

  // quality and inspection
  double quality_ = 0, persistent_level_ = 0;  // latent quality q = u + v, and u
  // Quality at month 0: the profile's observed rates are the council's at this quality, so the
  // feedback of quality on demand and staff acts through quality_ - quality_start_.
  double quality_start_ = 0;
  double quality_change() const { return quality_ - quality_start_; }
  int grade_ = kGood, next_inspection_ = 0, next_visit_ = -1;
  int first_grade_ = kNoGrade, grade_at_36_ = kNoGrade, grade_at_60_ = kNoGrade;
  int left_inadequate_ = -1;
  bool started_inadequate_ = false;

  // finance and tallies
  double total_cost_ = 0, npv_cost_ = 0, year_cost_ = 0, discount_ = 1;
  int overspend_years_ = 0, risk_events_ = 0;
  double overspend_amount_ = 0;
  double setup_grant_ = 0;                        // this run's DfE set-up grant, GBP
  std::array<double, kCostLineCount> cost_lines_{};  // GBP over the horizon, Outcome order
  double sum_turnover_ = 0, sum_vacancy_ = 0, sum_agency_ = 0, sum_caseload_ = 0;
};

}  // namespace admsim::detail
