#include "admsim/engine.hpp"

#include <cmath>

#include "admsim/samplers.hpp"

namespace admsim {

namespace {
[[noreturn]] void profile_error(const std::string& field, double value, const std::string& problem,
                                const std::string& allowed) {
  throw ValidationError("/profile/" + field, problem, describe(json(value)), allowed);
}

// Expected children in each care band per child entering a month, for a placement type whose
// leaving probabilities are leave[b]; ageing between bands is age[b].
double stay_per_entry(const std::array<double, kCareBands>& leave,
                      const std::array<double, kCareBands>& age,
                      std::array<double, kCareBands>* stocks = nullptr) {
  double inflow = 1.0, total = 0.0;
  for (std::size_t b = 0; b < kCareBands; ++b) {
    const double out = leave[b] + (1.0 - leave[b]) * age[b];
    const double stock = inflow / out;
    if (stocks) (*stocks)[b] = stock;
    total += stock;
    inflow = stock * (1.0 - leave[b]) * age[b];
  }
  return total;
}
}  // namespace

quality::Cuts Calibration::cuts(int grade, int month) const {
  // The shared model's rule for the regime; engine grades count from 1, the model's from 0.
  const int regime = quality::regime_of(month, grade - kOutstanding, 0);
  quality::Cuts c = cut[regime == quality::kIlacsShort ? 1 : 0];
  for (double& x : c) x -= drift.at(month) * observed_sd;
  return c;
}

// The budget of each year of the horizon: held flat in real terms; led by the demand the profile
// expects (child population growth and the demand trend, not the simulated demand); or given.
std::vector<double> budget_path(const Scenario& s) {
  const Profile& p = s.profile;
  const auto years = static_cast<std::size_t>((s.months + 11) / 12);
  std::vector<double> out(years, p.budget_per_year);
  switch (p.budget_path) {
    case Profile::BudgetPath::flat_real: break;
    case Profile::BudgetPath::demand_led:
      for (std::size_t y = 0; y < years; ++y) {
        out[y] *= std::pow((1.0 + p.growth_per_year) * (1.0 + s.parameters.demand_trend_per_year), double(y));
      }
      break;
    case Profile::BudgetPath::given:
      if (p.budget_given.size() < years) {
        throw ValidationError("/profile/finance/budget_path", "fewer budgets than years",
                              std::to_string(p.budget_given.size()) + " values",
                              "one budget (GBP) for each of the " + std::to_string(years) + " years");
      }
      std::copy_n(p.budget_given.begin(), years, out.begin());
      break;
  }
  return out;
}

Calibration calibrate(const Scenario& scenario) {
  const Profile& p = scenario.profile;
  const EngineParameters& e = scenario.parameters;
  Calibration c;
  const double per10k = p.children / 1e4;
  c.children0 = p.children;

  // ---- demand: referrals and the re-referral pool. Every referral closes once, and a share
  // rereferral_rate of closures comes back within 12 months, so the monthly hazard follows
  // from the rate alone.
  const double referrals = p.referrals_per_10k * per10k / 12.0;
  c.rereferral_hazard = 1.0 - std::pow(1.0 - p.rereferral_rate, 1.0 / 12.0);
  c.new_referrals = referrals * (1.0 - p.rereferral_rate);
  c.closures = referrals;
  c.nfa_share = p.no_further_action_rate;

  // ---- stocks: DfE's CIN count includes children on plans and in care.
  c.cpp0 = p.cpp_per_10k * per10k;
  c.cla0 = p.cla_per_10k * per10k;
  c.cin_only0 = p.cin_per_10k * per10k - c.cpp0 - c.cla0;
  const double cin_starts = referrals * (1.0 - p.no_further_action_rate);
  const double cpp_starts = p.cpp_starts_per_10k * per10k / 12.0;
  const double cla_starts = p.cla_starts_per_10k * per10k / 12.0;
  const double from_cpp = e.cla_from_cpp_share * cla_starts;
  const double from_cin = cla_starts - from_cpp;
  if (c.cpp0 <= 0 && cpp_starts > 0) {
    profile_error("demand/cpp_per_10k", p.cpp_per_10k, "plans start but none are open",
                  "a positive number when cpp_starts_per_10k > 0");
  }
  c.cpp_exit = c.cpp0 > 0 ? cpp_starts / c.cpp0 : 0.0;
  c.cpp_exit_to_cla = cpp_starts > 0 ? from_cpp / cpp_starts : 0.0;
  const double step_down = (cpp_starts - from_cpp) * e.cpp_end_to_cin_share;
  const double cin_closures = cin_starts + step_down - cpp_starts - from_cin;
  if (cin_closures <= 0) {
    profile_error("demand/referrals_per_10k", p.referrals_per_10k,
                  "too few children assessed in need to feed the plan and care starts",
                  "referrals_per_10k * (1 - no_further_action_rate) above cpp_starts_per_10k + "
                  "cla_starts_per_10k");
  }
  c.cin_to_cpp = cpp_starts / c.cin_only0;
  c.cin_to_cla = from_cin / c.cin_only0;
  c.cin_close = cin_closures / c.cin_only0;
  if (c.cin_to_cpp + c.cin_to_cla + c.cin_close >= 1.0 || c.cpp_exit >= 1.0) {
    profile_error("demand/cin_per_10k", p.cin_per_10k, "stocks too small for the flows through them",
                  "stocks large enough that less than all children leave in a month");
  }

  // ---- care: duration bands with relative hazards, scaled so that exits equal entries at the
  // profile's stock; entry mix chosen so the stock mix equals the profile's placement mix.
  c.cla_entry_rate = cla_starts;
  const std::array<double, kCareBands> band_rel = {e.leaving_hazard_0_6m, e.leaving_hazard_6_24m,
                                                   e.leaving_hazard_2_5y, e.leaving_hazard_5y_plus};
  std::array<double, kPlacementCount> type_rel{};
  type_rel.fill(1.0);
  type_rel[static_cast<std::size_t>(Placement::adoption)] = e.leaving_multiplier_adoption;
  type_rel[static_cast<std::size_t>(Placement::with_parents)] = e.leaving_multiplier_with_parents;
  type_rel[static_cast<std::size_t>(Placement::supported)] = e.leaving_multiplier_supported;
  type_rel[static_cast<std::size_t>(Placement::residential)] = e.leaving_multiplier_residential;
  type_rel[static_cast<std::size_t>(Placement::kinship)] = e.leaving_multiplier_kinship;
  for (std::size_t b = 0; b < kCareBands; ++b) {
    c.age_prob[b] = kCareBandMonths[b] > 0 ? 1.0 / kCareBandMonths[b] : 0.0;
  }
  auto leave_for = [&](double scale, std::size_t t) {
    std::array<double, kCareBands> leave{};
    for (std::size_t b = 0; b < kCareBands; ++b) {
      leave[b] = 1.0 - std::exp(-scale * band_rel[b] * type_rel[t]);
    }
    return leave;
  };
  // sum_t mix_t / D_t(scale) must equal entries / stock; it rises with the scale.
  auto entries_per_stock = [&](double scale) {
    double sum = 0;
    for (std::size_t t = 0; t < kPlacementCount; ++t) {
      if (p.placement_mix[t] > 0) sum += p.placement_mix[t] / stay_per_entry(leave_for(scale, t), c.age_prob);
    }
    return sum;
  };
  if (c.cla0 > 0 && cla_starts > 0) {
    const double target = cla_starts / c.cla0;
    double lo = 1e-9, hi = 50.0;
    if (entries_per_stock(hi) < target) {
      profile_error("demand/cla_starts_per_10k", p.cla_starts_per_10k,
                    "entries to care too high for the number in care", "a lower entry rate for this cla_per_10k");
    }
    for (int it = 0; it < 200; ++it) {
      const double mid = 0.5 * (lo + hi);
      (entries_per_stock(mid) < target ? lo : hi) = mid;
    }
    const double scale = 0.5 * (lo + hi);
    for (std::size_t t = 0; t < kPlacementCount; ++t) {
      c.leave_prob[t] = leave_for(scale, t);
      std::array<double, kCareBands> stocks{};
      const double d = stay_per_entry(c.leave_prob[t], c.age_prob, &stocks);
      const double stock_t = c.cla0 * p.placement_mix[t];
      c.entry_mix[t] = stock_t / (cla_starts * d);
      for (std::size_t b = 0; b < kCareBands; ++b) c.initial_care[t][b] = stocks[b] / d * stock_t;
    }
  } else if (c.cla0 > 0) {
    profile_error("demand/cla_starts_per_10k", p.cla_starts_per_10k, "children in care but no entries",
                  "a positive number when cla_per_10k > 0");
  }

  // ---- workforce
  c.in_post0 = p.in_post_fte;
  c.agency0 = p.agency_fte;
  c.establishment0 = p.in_post_fte / (1.0 - p.vacancy_rate);
  c.leave_hazard = p.turnover_rate / 12.0;
  const double nq = e.initial_newly_qualified_share, senior = e.initial_senior_share;
  const double mean_rel = nq * e.turnover_relative_newly_qualified + (1 - nq - senior) +
                          senior * e.turnover_relative_senior;
  c.band_hazard = {c.leave_hazard * e.turnover_relative_newly_qualified / mean_rel,
                   c.leave_hazard / mean_rel, c.leave_hazard * e.turnover_relative_senior / mean_rel};
  const double vacancies0 = std::max(c.establishment0 - c.in_post0, 1.0);
  // Hiring sees this month's leavers' posts too, so steady state needs hires = L from V0 + L.
  const double leavers0 = c.leave_hazard * c.in_post0;
  c.fill_prob = leavers0 / (vacancies0 + leavers0);
  // Agency staff leave at 1/assignment_months; open requests fill with agency_fill_probability.
  // Steady state at agency0 needs target = agency0 * (1/(m*p) + 1 - 1/m).
  const double m = e.agency_assignment_months, pf = e.agency_fill_probability;
  c.agency_cover = c.agency0 * (1.0 / (m * pf) + 1.0 - 1.0 / m) / vacancies0;
  const double capacity = p.case_holding_share *
      (c.in_post0 * (1.0 - nq * (1.0 - e.newly_qualified_capacity)) + c.agency0);
  c.cases_per_child = p.caseload * capacity / (p.cin_per_10k * per10k);
  c.caseload0 = p.caseload;
  c.turnover0 = p.turnover_rate;
  c.agency_share0 = c.agency0 / (c.agency0 + c.in_post0);

  // ---- quality (the shared model of quality_model.hpp): stationary SD 1; grades cut the observed
  // quality (latent + inspection noise) at the national shares. A persistent share of the
  // variance is the council's own level, so the monthly innovations carry only the rest.
  const quality::Reversion rev = quality::monthly_reversion(e.quality_reversion_per_year);
  c.reversion = rev.pace;
  c.quality_noise = quality::innovation_sd(rev, e.quality_persistent_share);
  c.observed_sd = std::sqrt(1.0 + e.inspection_noise_sd * e.inspection_noise_sd);
  const double o = e.national_share_outstanding, g = e.national_share_good,
               ri = e.national_share_requires_improvement;
  // The shares are those of ILACS standard inspections; short ones (after Good or Outstanding)
  // cut lower by short_inspection_shift. The drift is damped from month 0 on (the shares are
  // the calibration's at the end of its data).
  const std::array<double, 3> z = {rng::normal_quantile(1.0 - o), rng::normal_quantile(1.0 - o - g),
                                   rng::normal_quantile(1.0 - o - g - ri)};
  const double shift = e.short_inspection_shift;
  c.cut = {quality::reading_cuts(e.inspection_noise_sd, z),
           quality::reading_cuts(e.inspection_noise_sd, {z[0] - shift, z[1] - shift, z[2] - shift})};
  c.drift = {e.grading_drift_per_year, e.grading_drift_half_life_years, 0, 0};
  c.schedule.median_months = {e.inspection_gap_median_good_months, e.inspection_gap_median_good_months,
                              e.inspection_gap_median_requires_improvement_months,
                              e.inspection_gap_median_inadequate_months};
  c.schedule.shape = e.inspection_gap_shape;

  c.discount_monthly = std::pow(1.0 + e.discount_rate, -1.0 / 12.0);
  c.budget_by_year = budget_path(scenario);
  return c;
}

}  // namespace admsim
