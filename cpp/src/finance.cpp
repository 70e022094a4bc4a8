// Finance: staff, agency premium, placements, overheads and the delivery model's own costs.
#include <algorithm>
#include <cmath>

#include "replicate.hpp"

namespace admsim::detail {

void Replicate::step_finance(int t) {
  const Profile& p = s_.profile;
  const double weeks = 52.0 / 12.0;
  const double staff = (metric(Metric::social_workers) * p.weekly_cost_employed * effect(Hook::pay) *
                            (1.0 + mod_.pay_uplift) +
                        metric(Metric::agency_workers) * p.weekly_cost_agency) * weeks;
  double placements = 0;
  for (std::size_t k = 0; k < kPlacementCount; ++k) {
    double n = 0;
    for (auto c : care_[k]) n += double(c);
    placements += n * p.placement_weekly_cost[k] * weeks;
  }
  if (live(t)) placements *= effect(Hook::placement_cost);
  const double overheads = p.overheads_share * (staff + placements) *
                           (live(t) ? effect(Hook::overhead_cost) : 1.0);

  // The delivery model's own costs: set-up before go-live, transition after it, then contract
  // management, irrecoverable VAT and corporation tax for as long as it runs.
  double model_cost = 0;
  const int setup_span = go_live_ - s_.decision_month;
  if (setup_cost_ > 0 && t >= s_.decision_month) {
    if (setup_span > 0 && t < go_live_) model_cost += setup_cost_ / setup_span;
    if (setup_span <= 0 && t == s_.decision_month) model_cost += setup_cost_;
  }
  const int transition_span = transition_end_ - go_live_;
  if (transition_span > 0 && t >= go_live_ && t < transition_end_) {
    model_cost += e_.transition_cost_share * setup_cost_ / transition_span;
  }
  if (live(t)) {
    model_cost += effect(Hook::contract_management_cost) / 12.0;
    model_cost += effect(Hook::vat_irrecoverable) * e_.vat_rate * e_.vatable_share * (placements + overheads);
    if (model_.corporation_tax) {
      model_cost += e_.corporation_tax_rate * e_.surplus_margin * (staff + placements + overheads);
    }
  }
  const double other = mod_.extra_cost + mod_.edge_of_care_investment / 12.0;
  const double total = staff + placements + overheads + model_cost + other;
  const double discounted = total * std::pow(c_.discount_monthly, t + 0.5);

  set(Metric::cost, total);
  set(Metric::cost_staff, staff);
  set(Metric::cost_placements, placements);
  set(Metric::cost_delivery_model, model_cost);
  set(Metric::cost_discounted, discounted);
  total_cost_ += total;
  npv_cost_ += discounted;
  year_cost_ += total;
  if (t % 12 == 11) {
    if (year_cost_ > c_.budget) {
      ++overspend_years_;
      overspend_amount_ += year_cost_ - c_.budget;
    }
    year_cost_ = 0;
  }
}

}  // namespace admsim::detail
