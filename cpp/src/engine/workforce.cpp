// Workforce: permanent social workers by experience band, agency cover, establishment, caseloads.
#include <algorithm>
#include <cmath>

#include "admsim/samplers.hpp"
#include "engine/replicate.hpp"

namespace admsim::detail {

namespace {
enum Band : std::size_t { kNewlyQualified = 0, kExperienced = 1, kSenior = 2 };
}

void Replicate::init_workforce() {
  const double in_post = c_.in_post0;
  staff_[kNewlyQualified] = static_cast<std::uint64_t>(std::llround(in_post * e_.initial_newly_qualified_share));
  staff_[kSenior] = static_cast<std::uint64_t>(std::llround(in_post * e_.initial_senior_share));
  const auto total = static_cast<std::uint64_t>(std::llround(in_post));
  staff_[kExperienced] = total - std::min(total, staff_[kNewlyQualified] + staff_[kSenior]);
  agency_ = static_cast<std::uint64_t>(std::llround(c_.agency0));
  establishment_ = c_.establishment0;
  caseload_ = c_.caseload0;
  cases0_ = c_.cases_per_child * static_cast<double>(cin_all());
  // A year of history at the starting turnover, so the rolling rate starts at the profile's.
  leavers_ring_.fill(c_.leave_hazard * in_post);
  in_post_ring_.fill(in_post);
  ring_filled_ = 12;
}

void Replicate::step_workforce(int t) {
  rng::Stream market = stream(kStreamLabourMarket, t);
  labour_market_ = e_.labour_market_persistence * labour_market_ + e_.labour_market_sd * rng::normal(market);

  const double cases = c_.cases_per_child * metric(Metric::cin);
  // Establishment follows demand (at the model's flex rate) and any caseload cap the council funds.
  const double demand_posts = c_.establishment0 * cases / cases0_;
  establishment_ += effect(Hook::establishment_flex) * (demand_posts - establishment_);
  if (std::isfinite(mod_.caseload_cap)) {
    const double posts_for_cap = cases / mod_.caseload_cap / s_.profile.case_holding_share;
    establishment_ = std::max(establishment_, posts_for_cap);
  }

  // Leaving: caseload pressure, practice climate, pay, the model's effect and transition unrest.
  const double pay = effect(Hook::pay) * (1.0 + mod_.pay_uplift);
  double pressure = std::pow(std::max(caseload_, 1e-9) / c_.caseload0, e_.caseload_turnover_elasticity) *
                    std::exp(-e_.quality_turnover_effect * quality_change()) *
                    std::pow(std::max(pay, 1e-9), -e_.pay_turnover_elasticity) *
                    effect(Hook::turnover) * mod_.turnover;
  if (in_transition(t) && t >= go_live_) pressure *= effect(Hook::transition_turnover);
  rng::Stream leave = stream(kStreamLeavers, t);
  std::uint64_t leavers = 0;
  for (std::size_t b = 0; b < 3; ++b) {
    const std::uint64_t k = rng::binomial(leave, staff_[b], 1.0 - std::exp(-c_.band_hazard[b] * pressure));
    staff_[b] -= k;
    leavers += k;
  }
  // In a regional run some leavers go to other councils of the region (the rest leave it).
  std::uint64_t movers = 0;
  if (s_.regional_mover_share > 0) {
    rng::Stream move = stream(kStreamMovers, t);
    movers = rng::binomial(move, leavers, s_.regional_mover_share);
  }
  rng::Stream progress = stream(kStreamProgression, t);
  const std::uint64_t qualified = rng::binomial(progress, staff_[kNewlyQualified], 1.0 / e_.newly_qualified_months);
  const std::uint64_t promoted = rng::binomial(progress, staff_[kExperienced], e_.senior_progression_per_year / 12.0);
  staff_[kNewlyQualified] -= qualified;
  staff_[kExperienced] += qualified;
  staff_[kExperienced] -= promoted;
  staff_[kSenior] += promoted;

  // Hiring into vacancies, limited by the national supply (shared across models) and the
  // model's recruitment effect; at most every vacancy is filled in a month.
  const std::uint64_t in_post = staff_[0] + staff_[1] + staff_[2];
  const auto posts = static_cast<std::uint64_t>(std::llround(establishment_));
  const std::uint64_t vacancies = posts > in_post ? posts - in_post : 0;
  const double fill_hazard = -std::log1p(-std::min(c_.fill_prob, 1.0 - 1e-12)) *
                             std::exp(labour_market_) * effect(Hook::recruitment) * mod_.recruitment;
  rng::Stream hire = stream(kStreamHires, t);
  // Recruitment capacity caps hires (HR and induction), binding in campaigns and after shocks.
  const auto capacity_cap = static_cast<std::uint64_t>(std::ceil(e_.recruitment_capacity * establishment_));
  // Movers from the region's other councils fill vacancies first, as experienced staff.
  const std::uint64_t movers_in = std::min(movers_offered_, vacancies);
  staff_[kExperienced] += movers_in;
  const std::uint64_t external =
      std::min(capacity_cap, rng::binomial(hire, vacancies - movers_in, 1.0 - std::exp(-fill_hazard)));
  const std::uint64_t newly_qualified = rng::binomial(hire, external, e_.newly_qualified_share_of_hires);
  staff_[kNewlyQualified] += newly_qualified;
  staff_[kExperienced] += external - newly_qualified;
  const std::uint64_t hires = external + movers_in;
  attraction_ = effect(Hook::recruitment) * mod_.recruitment * pay;
  const std::uint64_t permanent = in_post + hires;
  const std::uint64_t open_posts = posts > permanent ? posts - permanent : 0;

  // Agency cover for open posts, at the model's agency reliance and under any agency cap.
  rng::Stream agency = stream(kStreamAgency, t);
  const std::uint64_t ended = rng::binomial(agency, agency_, 1.0 / e_.agency_assignment_months);
  double target = c_.agency_cover * double(open_posts) * effect(Hook::agency_use);
  if (mod_.agency_cap < 1.0) target = std::min(target, mod_.agency_cap / (1.0 - mod_.agency_cap) * double(permanent));
  const std::uint64_t remaining = agency_ - ended;
  const auto wanted = static_cast<std::uint64_t>(std::llround(target));
  std::uint64_t started = 0;
  if (wanted > remaining) started = rng::binomial(agency, wanted - remaining, e_.agency_fill_probability);
  agency_ = remaining + started;
  std::uint64_t agency_ended = ended;
  if (mod_.agency_cap < 1.0) {
    // A cap binds at once: assignments beyond it end this month, newest first.
    const auto cap = static_cast<std::uint64_t>(
        std::floor(mod_.agency_cap / (1.0 - mod_.agency_cap) * double(permanent)));
    if (agency_ > cap) {
      const std::uint64_t excess = agency_ - cap;
      agency_ = cap;
      if (excess <= started) {
        started -= excess;
      } else {
        agency_ended += excess - started;
        started = 0;
      }
    }
  }

  const double capacity = s_.profile.case_holding_share *
      (double(staff_[kNewlyQualified]) * e_.newly_qualified_capacity + double(staff_[kExperienced]) +
       double(staff_[kSenior]) + double(agency_));
  caseload_ = cases / std::max(capacity, 0.5);

  std::rotate(leavers_ring_.begin(), leavers_ring_.begin() + 1, leavers_ring_.end());
  std::rotate(in_post_ring_.begin(), in_post_ring_.begin() + 1, in_post_ring_.end());
  leavers_ring_.back() = double(leavers);
  in_post_ring_.back() = double(permanent);
  double year_leavers = 0, mean_in_post = 0;
  for (std::size_t i = 0; i < 12; ++i) { year_leavers += leavers_ring_[i]; mean_in_post += in_post_ring_[i] / 12.0; }
  const double turnover = mean_in_post > 0 ? year_leavers / mean_in_post : 0.0;
  const double agency_share = permanent + agency_ > 0 ? double(agency_) / double(permanent + agency_) : 0.0;
  const double vacancy_rate = posts > 0 ? double(posts > permanent ? posts - permanent : 0) / double(posts) : 0.0;

  set(Metric::social_workers, double(permanent));
  set(Metric::agency_workers, double(agency_));
  set(Metric::establishment, double(posts));
  set(Metric::vacancies, double(posts > permanent ? posts - permanent : 0));
  set(Metric::leavers, double(leavers));
  set(Metric::hires, double(hires));
  set(Metric::movers_out, double(movers));
  set(Metric::movers_in, double(movers_in));
  set(Metric::agency_starts, double(started));
  set(Metric::agency_ends, double(agency_ended));
  set(Metric::caseload, caseload_);
  set(Metric::turnover_rate, turnover);
  set(Metric::agency_share, agency_share);
  set(Metric::vacancy_rate, vacancy_rate);
  sum_turnover_ += turnover;
  sum_vacancy_ += vacancy_rate;
  sum_agency_ += agency_share;
  sum_caseload_ += caseload_;
}

}  // namespace admsim::detail
