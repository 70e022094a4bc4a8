// Finance: staff, agency premium, placements, overheads and the delivery model's own costs.
#include <algorithm>
#include <cmath>

#include "engine/replicate.hpp"

namespace admsim::detail {

void Replicate::step_finance(int t) {
  const Profile& p = s_.profile;
  const double weeks = 52.0 / 12.0;
  auto line = [&](Outcome o, double v) { cost_lines_[static_cast<std::size_t>(o) - kFirstCostLine] += v; };
  const double employed = (metric(Metric::social_workers) * p.weekly_cost_employed * effect(Hook::pay) *
                           (1.0 + mod_.pay_uplift)) * weeks;
  const double agency = metric(Metric::agency_workers) * p.weekly_cost_agency * weeks;
  const double premium = metric(Metric::agency_workers) * (p.weekly_cost_agency - p.weekly_cost_employed) * weeks;
  const double staff = employed + agency;
  line(Outcome::cost_social_workers, staff - premium);
  line(Outcome::cost_agency_premium, premium);
  // Placement prices rise faster than the general price level the costs are measured in.
  const Calibration::Month& month = c_.by_month[static_cast<std::size_t>(t)];
  const double price = (live(t) ? effect(Hook::placement_cost) : 1.0) * mod_.placement_cost * month.placement_price;
  double placements = 0, gross_placements = 0, hub_saved = 0;
  for (std::size_t k = 0; k < kPlacementCount; ++k) {
    // this month's children of type k, as demand counted them
    const double n = metric(static_cast<Metric>(static_cast<std::size_t>(Metric::cla_foster_inhouse) + k));
    const double cost = n * p.placement_weekly_cost[k] * weeks * price;
    // A regional commissioning hub buys a share of them at a discount (region.cpp).
    const double saved = regional_.active ? cost * regional_.placement_saving[k] : 0.0;
    cost_lines_[static_cast<std::size_t>(Outcome::cost_placements_foster_inhouse) - kFirstCostLine + k] += cost - saved;
    placements += cost - saved;
    gross_placements += cost;
    hub_saved += saved;
  }
  // Overheads, VAT and tax on the placements at their own price: the hub's discount saves the
  // placements' cost, not the council's overheads.
  const double overheads = p.overheads_share * (staff + gross_placements) *
                           (live(t) ? effect(Hook::overhead_cost) : 1.0);

  // The delivery model's own costs: set-up before go-live, transition after it, then contract
  // management, irrecoverable VAT and corporation tax for as long as it runs.
  // The set-up cost (and a DfE grant toward it) spread over the set-up months before go-live.
  double model_cost = 0, setup_share = 0;
  const int setup_span = go_live_ - s_.decision_month;
  if (t >= s_.decision_month) {
    if (setup_span > 0 && t < go_live_) setup_share = 1.0 / setup_span;
    if (setup_span <= 0 && t == s_.decision_month) setup_share = 1.0;
  }
  const double setup = setup_cost_ * setup_share, grant = setup_grant_ * setup_share;
  line(Outcome::cost_setup, setup);
  line(Outcome::income_setup_grant, grant);
  model_cost += setup - grant;
  const int transition_span = transition_end_ - go_live_;
  if (transition_span > 0 && t >= go_live_ && t < transition_end_) {
    const double transition = e_.transition_cost_share * setup_cost_ / transition_span;
    line(Outcome::cost_transition, transition);
    model_cost += transition;
  }
  if (live(t)) {
    const double contract = effect(Hook::contract_management_cost) * model_.cost_share / 12.0;
    const double vat = effect(Hook::vat_irrecoverable) * e_.vat_rate * e_.vatable_share * (gross_placements + overheads);
    const double tax = model_.corporation_tax
                           ? e_.corporation_tax_rate * e_.surplus_margin * (staff + gross_placements + overheads)
                           : 0.0;
    const double trading = model_.trading_income * model_.cost_share / 12.0;
    line(Outcome::cost_contract_management, contract);
    line(Outcome::cost_vat, vat);
    line(Outcome::cost_corporation_tax, tax);
    line(Outcome::income_trading, trading);
    model_cost += contract + vat + tax - trading;
  }
  line(Outcome::cost_overheads, overheads);
  line(Outcome::cost_risk_overruns, mod_.extra_cost);
  line(Outcome::cost_edge_of_care, mod_.edge_of_care_investment / 12.0);
  const double other = mod_.extra_cost + mod_.edge_of_care_investment / 12.0;
  double total = staff + placements + overheads + model_cost + other;
  if (regional_.active) {
    line(Outcome::cost_commissioning_hub, regional_.hub_cost);
    line(Outcome::cost_improvement_support, regional_.support_cost);
    total += regional_.hub_cost + regional_.support_cost;
  }
  set(Metric::hub_savings, hub_saved);
  set(Metric::cost_hub, regional_.active ? regional_.hub_cost : 0.0);
  set(Metric::cost_improvement_support, regional_.active ? regional_.support_cost : 0.0);
  hub_savings_ += hub_saved;
  const double discounted = total * month.discount;

  set(Metric::cost, total);
  set(Metric::cost_staff, staff);
  set(Metric::cost_placements, placements);
  set(Metric::cost_delivery_model, model_cost);
  set(Metric::cost_discounted, discounted);
  total_cost_ += total;
  npv_cost_ += discounted;
  year_cost_ += total;
  const double budget_so_far = budget(t) * double(t % 12 + 1) / 12.0;
  set(Metric::spend_vs_budget, budget_so_far > 0 ? year_cost_ / budget_so_far : 0.0);
  if (t % 12 == 11) {
    if (year_cost_ > budget(t)) {
      ++overspend_years_;
      overspend_amount_ += year_cost_ - budget(t);
    }
    year_cost_ = 0;
  }
}

}  // namespace admsim::detail
