#include "engine/replicate.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>

#include "admsim/samplers.hpp"

namespace admsim {
namespace detail {

namespace {
double neutral(Hook h, const EngineParameters& e) {
  switch (h) {
    case Hook::improvement:
    case Hook::transition_dip:
    case Hook::transition_months:
    case Hook::setup_cost:
    case Hook::setup_months:
    case Hook::contract_management_cost:
    case Hook::vat_irrecoverable: return 0.0;
    case Hook::establishment_flex: return e.establishment_flex;
    default: return 1.0;
  }
}

double likelihood(char level, const EngineParameters& e) {
  return level == 'H' ? e.risk_probability_high
                      : level == 'M' ? e.risk_probability_medium : e.risk_probability_low;
}

double impact(char level, const EngineParameters& e) {
  return level == 'H' ? e.risk_impact_high : level == 'M' ? e.risk_impact_medium : e.risk_impact_low;
}
}  // namespace

Replicate::Replicate(const Scenario& scenario, const Calibration& calibration, std::size_t model,
                     std::int64_t replicate, std::vector<InspectionEvent>* events)
    : s_(scenario),
      c_(calibration),
      e_(scenario.parameters),
      model_(scenario.models[model]),
      model_index_(model),
      replicate_(replicate),
      // Common random numbers: the model is not part of the key unless the user turns CRN off.
      stream_offset_(scenario.common_random_numbers ? 0u
                                                    : static_cast<std::uint32_t>(model + 1) << 16),
      events_(events) {}

rng::Stream Replicate::stream(std::uint32_t id, int month, std::uint64_t seed) const {
  if (month >= 0 && month_streams_->is_for(seed, static_cast<std::uint32_t>(month))) return month_streams_->stream(id);
  return rng::Stream(seed, static_cast<std::uint64_t>(replicate_), id + stream_offset_, static_cast<std::uint32_t>(month));
}

rng::Stream Replicate::stream(std::uint32_t id, int month) const { return stream(id, month, s_.seed); }

rng::Stream Replicate::vehicle_stream(std::uint32_t id, int month) const {
  return stream(id, month, s_.vehicle_seed.value_or(s_.seed));
}

void Replicate::sample_effects() {
  // One uniform per hook, the same for every model: effects are comonotone across models.
  rng::Stream u = vehicle_stream(kStreamEffects, 0);
  for (std::size_t h = 0; h < kHookCount; ++h) {
    const double draw = u.uniform();
    effect_[h] = model_.has_effect[h] ? model_.effects[h].quantile(draw)
                                      : neutral(static_cast<Hook>(h), e_);
  }
  // Without an explicit effect, irrecoverable VAT follows the model's vat_recoverable attribute.
  if (!model_.has_effect[static_cast<std::size_t>(Hook::vat_irrecoverable)]) {
    effect_[static_cast<std::size_t>(Hook::vat_irrecoverable)] = model_.vat_irrecoverable_default;
  }
  setup_cost_ = effect(Hook::setup_cost) * model_.cost_share;
  // The DfE pays toward the set-up of a move it directs: councils whose last grade is Inadequate.
  setup_grant_ = s_.profile.last_grade == kInadequate ? std::min(model_.setup_grant, setup_cost_) : 0.0;
  new_arrangement_ = effect(Hook::setup_months) > 0 || effect(Hook::transition_months) > 0 ||
                     setup_cost_ > 0;
  go_live_ = s_.decision_month + static_cast<int>(std::lround(effect(Hook::setup_months)));
}

void Replicate::schedule_risks(double* risks_fired) {
  const int years = s_.months / 12;
  auto applies = [&](const Risk& r) {
    switch (r.applies) {
      case RiskApplies::all: return true;
      case RiskApplies::new_arrangement: return new_arrangement_;
      case RiskApplies::staff_transfer: return new_arrangement_ && model_.tupe;
      case RiskApplies::contract_managed: return new_arrangement_ && model_.contract_management >= Level::medium;
      case RiskApplies::separate_entity: return new_arrangement_ && model_.operational_independence;
    }
    return false;
  };
  // Each risk's draws come from its own stream, keyed by its id, in a fixed number whether or not
  // it applies: models share them (common random numbers), and adding or removing a risk moves
  // no other risk's events.
  struct Draws {
    std::array<double, 2> once;
    std::vector<std::array<double, 2>> yearly;
  };
  std::vector<Draws> draws(s_.risks.size());
  for (std::size_t i = 0; i < s_.risks.size(); ++i) {
    // A risk of every model is the council's own; one of a new arrangement is the vehicle's.
    const auto key = static_cast<int>(s_.risks[i].stream_key);
    rng::Stream u = s_.risks[i].applies == RiskApplies::all ? stream(kStreamRisks, key) : vehicle_stream(kStreamRisks, key);
    draws[i].once = {u.uniform(), u.uniform()};
    draws[i].yearly.resize(static_cast<std::size_t>(years));
    for (auto& y : draws[i].yearly) y = {u.uniform(), u.uniform()};
  }
  auto fired = [&](std::size_t i) {
    if (risks_fired) risks_fired[i] += 1.0;
  };
  // Delays first: they move go-live, which bounds the implementation window of the rest.
  for (std::size_t i = 0; i < s_.risks.size(); ++i) {
    const Risk& r = s_.risks[i];
    if (r.effect != RiskEffect::go_live_delay || r.window != RiskWindow::implementation || !applies(r)) continue;
    if (new_arrangement_ && draws[i].once[0] < likelihood(r.likelihood, e_)) {
      const int delay = static_cast<int>(std::lround(r.size * impact(r.impact, e_)));
      scheduled_.push_back({s_.decision_month, s_.decision_month + 1, r.effect, double(delay)});
      go_live_ += delay;
      fired(i);
    }
  }
  transition_end_ = go_live_ + static_cast<int>(std::lround(effect(Hook::transition_months)));
  // A new arrangement has at least its decision month at risk, even with no set-up time.
  const int window = new_arrangement_ ? std::max(1, transition_end_ - s_.decision_month) : 0;
  for (std::size_t i = 0; i < s_.risks.size(); ++i) {
    const Risk& r = s_.risks[i];
    if (!applies(r)) continue;
    if (r.effect == RiskEffect::go_live_delay && r.window == RiskWindow::implementation) continue;
    const double size = r.size * impact(r.impact, e_);
    auto add = [&](int start) {
      if (start >= s_.months) return;
      fired(i);
      if (r.effect == RiskEffect::setup_overrun) {
        setup_cost_ *= 1.0 + size;
      } else if (r.effect == RiskEffect::go_live_delay) {
        if (start < go_live_) go_live_ += static_cast<int>(std::lround(size));  // only before go-live
        transition_end_ = go_live_ + static_cast<int>(std::lround(effect(Hook::transition_months)));
        scheduled_.push_back({start, start + 1, r.effect, size});
      } else {
        scheduled_.push_back({start, start + r.months, r.effect, size});
      }
    };
    const double p = likelihood(r.likelihood, e_);
    const auto& d = draws[i];
    switch (r.window) {
      case RiskWindow::implementation:
        if (window > 0 && d.once[0] < p) add(s_.decision_month + static_cast<int>(d.once[1] * window));
        break;
      case RiskWindow::period:
        if (d.once[0] < p) {
          add(r.window_start + static_cast<int>(d.once[1] * (r.window_end - r.window_start)));
        }
        break;
      case RiskWindow::ongoing:
      case RiskWindow::after_go_live:
        // The register's likelihood read as a chance per year.
        for (int y = 0; y < years; ++y) {
          const auto& yd = d.yearly[static_cast<std::size_t>(y)];
          const int start = 12 * y + static_cast<int>(yd[1] * 12);
          if (r.window == RiskWindow::after_go_live && start < go_live_) continue;
          if (yd[0] < p) add(start);
        }
        break;
    }
  }
}

bool Replicate::in_transition(int t) const {
  return new_arrangement_ && t >= s_.decision_month && t < std::max(go_live_, transition_end_);
}

namespace {
// What an intervention of `kind` and `size` does this month (fixed-date or started by a rule).
void apply(Modifiers& mod, InterventionKind kind, double size) {
  switch (kind) {
    case InterventionKind::recruitment_campaign: mod.recruitment *= size; break;
    case InterventionKind::caseload_cap: mod.caseload_cap = std::min(mod.caseload_cap, size); break;
    case InterventionKind::agency_cap: mod.agency_cap = std::min(mod.agency_cap, size); break;
    case InterventionKind::pay_uplift: mod.pay_uplift += size; break;
    case InterventionKind::edge_of_care_investment: mod.edge_of_care_investment += size; break;
    case InterventionKind::demand_shock: mod.referrals *= size; break;
    case InterventionKind::uasc_arrivals: mod.uasc *= size; break;
    case InterventionKind::step_down_programme: mod.step_down *= size; break;
  }
}
}  // namespace

void Replicate::gather_modifiers(int t) {
  mod_ = Modifiers{};
  int began = 0;
  for (const auto& ev : scheduled_) {
    if (ev.start == t) ++began;
    if (t < ev.start || t >= ev.end) continue;
    switch (ev.effect) {
      case RiskEffect::quality_drop:
        if (t == ev.start) quality_ -= ev.size;
        break;
      case RiskEffect::improvement_stall: mod_.quality_target -= ev.size; break;
      case RiskEffect::recruitment_squeeze: mod_.recruitment *= std::max(0.0, 1.0 - ev.size); break;
      case RiskEffect::demand_rise:
        mod_.referrals *= 1.0 + ev.size;
        mod_.care_entry *= 1.0 + ev.size;
        break;
      case RiskEffect::cost_overrun:
        mod_.extra_cost += ev.size * budget(t) / double(ev.end - ev.start);
        break;
      case RiskEffect::turnover_spike: mod_.turnover *= 1.0 + ev.size; break;
      case RiskEffect::placement_cost_rise: mod_.placement_cost *= 1.0 + ev.size; break;
      case RiskEffect::setup_overrun:
      case RiskEffect::go_live_delay: break;  // applied when scheduled
    }
  }
  risk_events_ += began;
  set(Metric::risk_events, began);
  for (const auto& iv : s_.interventions) {
    if (t >= iv.start_month && t < iv.end_month && iv.applies_to(model_index_)) apply(mod_, iv.kind, iv.size);
  }
  fire_rules(t);
  for (const auto& a : rule_actions_) {
    if (t >= a.start && t < a.end) apply(mod_, a.kind, a.size);
  }
}

// Rules read the month just simulated (row t - 1) and may start their action this month.
void Replicate::fire_rules(int t) {
  int started = 0;
  for (std::size_t k = 0; t > 0 && k < s_.rules.size(); ++k) {
    const Rule& r = s_.rules[k];
    if (!r.applies_to(model_index_)) continue;
    RuleState& state = rule_state_[k];
    state.streak = r.holds(row_ - kMetricCount) ? state.streak + 1 : 0;
    if (t < r.from_month || state.streak < r.for_months || state.times >= r.max_times || t < state.free_from) continue;
    const int end = std::min(s_.months, t + r.duration_months);
    rule_actions_.push_back({r.action, t, end, r.size});
    ++state.times;
    state.free_from = end + r.cooldown_months;
    state.streak = 0;
    ++started;
  }
  set(Metric::rule_actions, started);
}

void Replicate::start(double* metrics, double* risks_fired) {
  metrics_ = metrics;
  sample_effects();
  rule_state_.assign(s_.rules.size(), RuleState{});
  rule_actions_.clear();
  if (risks_fired) std::fill(risks_fired, risks_fired + s_.risks.size(), 0.0);
  schedule_risks(risks_fired);
  init_demand();
  init_workforce();
  init_quality();
}

void Replicate::step(int t, const double* levers) {
  row_ = metrics_ + static_cast<std::size_t>(t) * kMetricCount;
  std::fill(row_, row_ + kMetricCount, 0.0);
  const auto month = static_cast<std::uint32_t>(t);
  if (shared_streams_ && stream_offset_ == 0 && shared_streams_->is_for(s_.seed, replicate_, month)) {
    month_streams_ = shared_streams_;
  } else {
    own_streams_.prepare(s_.seed, static_cast<std::uint64_t>(replicate_), month, stream_offset_);
    month_streams_ = &own_streams_;
  }
  gather_modifiers(t);
  if (levers) {  // a Python policy's settings for this month: NaN leaves a lever alone
    for (std::size_t k = 0; k < kInterventionNames.size(); ++k) {
      if (!std::isnan(levers[k])) apply(mod_, static_cast<InterventionKind>(k), levers[k]);
    }
  }
  step_demand(t);
  step_workforce(t);
  step_quality(t);
  step_finance(t);
  set(Metric::in_transition, in_transition(t) ? 1.0 : 0.0);
  check_finite(t);
  // Shared streams are re-prepared for the next month, or freed, once the month's runs are done:
  // no draw outside step(t) may read them.
  month_streams_ = &own_streams_;
}

void Replicate::finish_run(double* outcomes) {
  finish(outcomes);
  for (std::size_t k = 0; k < kOutcomeCount; ++k) {  // NaN means undefined; infinity is an error
    if (std::isinf(outcomes[k])) fail_non_finite(s_.months - 1, kOutcomeNames[k], outcomes[k]);
  }
}

// Values the scenario allows can still compound into an infinite or undefined number; the run
// stops there, naming where, rather than pass it to the summaries.
void Replicate::check_finite(int t) const {
  for (std::size_t k = 0; k < kMetricCount; ++k) {
    if (!std::isfinite(row_[k])) fail_non_finite(t, kMetricNames[k], row_[k]);
  }
}

void Replicate::fail_non_finite(int t, const char* what, double value) const {
  throw ValidationError("/models/" + std::to_string(model_index_),
                        "model " + model_.id + " gave a non-finite " + what + " in replicate " +
                            std::to_string(replicate_) + ", month " + std::to_string(t),
                        std::isnan(value) ? "NaN" : (value > 0 ? "inf" : "-inf"),
                        "effects and parameters that keep every quantity finite (smaller multipliers or costs)");
}

void Replicate::finish(double* outcomes) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto out = [&](Outcome o, double v) { outcomes[static_cast<std::size_t>(o)] = v; };
  auto good = [](int g) { return g == kOutstanding || g == kGood; };
  const double n = s_.months;
  out(Outcome::good_at_next_inspection, first_grade_ == kNoGrade ? nan : good(first_grade_));
  out(Outcome::good_by_year3, s_.months >= 36 ? double(good(grade_at_36_)) : nan);
  out(Outcome::good_by_year5, s_.months >= 60 ? double(good(grade_at_60_)) : nan);
  out(Outcome::inadequate_at_year3, s_.months >= 36 ? double(grade_at_36_ == kInadequate) : nan);
  out(Outcome::months_to_leave_inadequate,
      started_inadequate_ && left_inadequate_ >= 0 ? double(left_inadequate_ + 1) : nan);
  out(Outcome::mean_turnover_rate, sum_turnover_ / n);
  out(Outcome::mean_vacancy_rate, sum_vacancy_ / n);
  out(Outcome::mean_agency_share, sum_agency_ / n);
  out(Outcome::mean_caseload, sum_caseload_ / n);
  out(Outcome::cla_per_10k_end, metric(Metric::cla) / children_ * 1e4);
  out(Outcome::total_cost, total_cost_);
  out(Outcome::npv_cost, npv_cost_);
  out(Outcome::overspend_years, overspend_years_);
  out(Outcome::overspend_any, overspend_years_ > 0);
  out(Outcome::overspend_amount, overspend_amount_);
  out(Outcome::setup_cost, setup_cost_);
  out(Outcome::risk_events, risk_events_);
  out(Outcome::hub_savings, hub_savings_);
  for (std::size_t i = 0; i < kCostLineCount; ++i) outcomes[kFirstCostLine + i] = cost_lines_[i];
}

}  // namespace detail

void simulate_replicate(const Scenario& scenario, const Calibration& calibration, std::size_t model,
                        std::int64_t replicate, double* metrics, double* outcomes,
                        std::vector<InspectionEvent>* events, double* risks_fired) {
  const ReplicateBuffers buffers{metrics, outcomes, events, risks_fired};
  simulate_models(scenario, calibration, &model, 1, replicate, &buffers);  // one run: nothing shared
}

void simulate_models(const Scenario& scenario, const Calibration& calibration, const std::size_t* models,
                     std::size_t count, std::int64_t replicate, const ReplicateBuffers* buffers) {
  std::vector<std::unique_ptr<detail::Replicate>> runs;
  runs.reserve(count);
  MonthStreams shared;
  const bool share = scenario.common_random_numbers && count > 1;  // else each run makes its own
  for (std::size_t i = 0; i < count; ++i) {
    runs.push_back(std::make_unique<detail::Replicate>(scenario, calibration, models[i], replicate, buffers[i].events));
    runs.back()->start(buffers[i].metrics, buffers[i].risks_fired);
    if (share) runs.back()->share_streams(&shared);
  }
  for (int t = 0; t < scenario.months; ++t) {
    if (share) shared.prepare(scenario.seed, static_cast<std::uint64_t>(replicate), static_cast<std::uint32_t>(t));
    for (auto& run : runs) run->step(t);
  }
  for (std::size_t i = 0; i < count; ++i) runs[i]->finish_run(buffers[i].outcomes);
}

}  // namespace admsim
