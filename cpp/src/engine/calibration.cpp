#include "admsim/engine.hpp"

#include <cmath>

#include "admsim/samplers.hpp"

namespace admsim {

namespace {
[[noreturn]] void profile_error(const std::string& field, double value, const std::string& problem,
                                const std::string& allowed) {
  throw ValidationError("/profile/" + field, problem, describe(json(value)), allowed);
}

// Expected children in each (months-in-care band, age band) cell at the end of a month, per
// child entering a month with ages entry_age, in a placement type whose leaving probabilities
// are leave[b][a]. Each month a child leaves, or stays and moves on in months (duration[b]) and in
// age (age[a], independently); moving on from the last age band is turning 18, leaving care.
// The moves only go forward, so the steady state follows cell by cell.
double stay_per_entry(const CareGrid& leave,
                      const std::array<double, kCareBands>& duration,
                      const std::array<double, kAgeBands>& age,
                      const std::array<double, kAgeBands>& entry_age, CareGrid* stocks = nullptr) {
  CareGrid s{};
  double total = 0.0;
  for (std::size_t b = 0; b < kCareBands; ++b) {
    for (std::size_t a = 0; a < kAgeBands; ++a) {
      double in = b == 0 ? entry_age[a] : 0.0;
      if (b > 0) in += s[b - 1][a] * (1.0 - leave[b - 1][a]) * duration[b - 1] * (1.0 - age[a]);
      if (a > 0) in += s[b][a - 1] * (1.0 - leave[b][a - 1]) * (1.0 - duration[b]) * age[a - 1];
      if (a > 0 && b > 0) {
        in += s[b - 1][a - 1] * (1.0 - leave[b - 1][a - 1]) * duration[b - 1] * age[a - 1];
      }
      s[b][a] = in / (1.0 - (1.0 - leave[b][a]) * (1.0 - duration[b]) * (1.0 - age[a]));
      total += s[b][a];
    }
  }
  if (stocks) *stocks = s;
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

namespace {
// Calibration::by_month; the expressions are step_demand's and step_finance's as they were.
std::vector<Calibration::Month> month_factors(const Scenario& s, const Calibration& c) {
  const EngineParameters& e = s.parameters;
  const Profile& pr = s.profile;
  const double gap = pr.referrals_per_10k > 0 ? std::log(pr.referrals_long_run / pr.referrals_per_10k) : 0.0;
  std::vector<Calibration::Month> out(static_cast<std::size_t>(std::max(s.months, 0)));
  for (std::size_t m = 0; m < out.size(); ++m) {
    const int t = static_cast<int>(m);
    const double years = t / 12.0;
    out[m].children = c.children0 * std::pow(1.0 + pr.growth_per_year, years);
    out[m].referral_trend = std::pow(1.0 + e.demand_trend_per_year, years) *
                            std::exp(gap * (1.0 - std::pow(e.demand_persistence_per_year, years)));
    out[m].placement_price = std::pow(1.0 + e.placement_price_growth_per_year, t / 12.0);
    out[m].discount = std::pow(c.discount_monthly, t + 0.5);
  }
  return out;
}
}  // namespace

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
  // Unaccompanied asylum-seeking children arrive directly; the rest come through CIN and plans.
  const double uasc = e.uasc_share_of_starts;
  const double from_cpp = e.cla_from_cpp_share * (1.0 - uasc) * cla_starts;
  const double from_cin = (1.0 - uasc) * cla_starts - from_cpp;
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

  // ---- care: months-in-care bands with relative hazards, scaled so that exits (with leaving at
  // 18) equal entries at the profile's stock; the entry mix of children coming through children's
  // services is chosen so the stock mix equals the profile's placement mix, UASC included.
  c.cla_entry_rate = cla_starts;
  c.uasc_entries = uasc * cla_starts;
  c.uasc_share_16_17 = e.uasc_share_aged_16_17;
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
    c.duration_prob[b] = kCareBandMonths[b] > 0 ? 1.0 / kCareBandMonths[b] : 0.0;
  }
  for (std::size_t a = 0; a < kAgeBands; ++a) c.age_prob[a] = 1.0 / kAgeBandMonths[a];

  // Ages at entry: placed for adoption 0-4, supported accommodation 16-17, others the national mix.
  const double age_10_15 = 1.0 - e.entry_share_age_0_4 - e.entry_share_age_5_9 - e.entry_share_age_16_17;
  if (age_10_15 < -1e-12) {
    throw ValidationError("/parameters/entry_share_age_16_17", "the entry shares by age add to more than 1",
                          describe(json(e.entry_share_age_16_17)),
                          "entry_share_age_0_4 + entry_share_age_5_9 + entry_share_age_16_17 <= 1 "
                          "(10-15 takes the rest)");
  }
  const std::array<double, kAgeBands> general = {e.entry_share_age_0_4, e.entry_share_age_5_9,
                                                 std::max(0.0, age_10_15), e.entry_share_age_16_17};
  for (std::size_t t = 0; t < kPlacementCount; ++t) c.entry_age[t] = general;
  c.entry_age[static_cast<std::size_t>(Placement::adoption)] = {1, 0, 0, 0};
  c.entry_age[static_cast<std::size_t>(Placement::supported)] = {0, 0, 0, 1};
  // UASC: 16-17 into supported accommodation, younger into agency foster care aged 10-15.
  constexpr auto kSupported = static_cast<std::size_t>(Placement::supported);
  constexpr auto kAgencyFoster = static_cast<std::size_t>(Placement::foster_agency);
  std::array<double, kPlacementCount> uasc_mix{};
  uasc_mix[kSupported] = c.uasc_share_16_17;
  uasc_mix[kAgencyFoster] = 1.0 - c.uasc_share_16_17;
  auto uasc_age = [&](std::size_t t) {
    return t == kSupported ? std::array<double, kAgeBands>{0, 0, 0, 1}
                           : std::array<double, kAgeBands>{0, 0, 1, 0};
  };

  const std::array<double, kAgeBands> age_rel = {e.leaving_multiplier_age_0_4, e.leaving_multiplier_age_5_9,
                                                 1.0, e.leaving_multiplier_age_16_17};
  auto leave_for = [&](double scale, std::size_t t) {
    CareGrid leave{};
    for (std::size_t b = 0; b < kCareBands; ++b)
      for (std::size_t a = 0; a < kAgeBands; ++a)
        leave[b][a] = 1.0 - std::exp(-scale * band_rel[b] * type_rel[t] * age_rel[a]);
    return leave;
  };
  // The non-UASC entry share of each type that gives the profile's stock of that type.
  auto entry_shares = [&](double scale) {
    std::array<double, kPlacementCount> x{};
    for (std::size_t t = 0; t < kPlacementCount; ++t) {
      const auto leave = leave_for(scale, t);
      const double d = stay_per_entry(leave, c.duration_prob, c.age_prob, c.entry_age[t]);
      const double du = uasc_mix[t] > 0 ? stay_per_entry(leave, c.duration_prob, c.age_prob, uasc_age(t)) : 0.0;
      x[t] = (c.cla0 * p.placement_mix[t] / cla_starts - uasc * uasc_mix[t] * du) / ((1.0 - uasc) * d);
    }
    return x;
  };
  auto excess = [&](double scale) {
    double sum = 0;
    for (double v : entry_shares(scale)) sum += v;
    return sum - 1.0;
  };
  if (c.cla0 > 0 && cla_starts > 0) {
    double lo = 1e-9, hi = 50.0;
    if (excess(hi) < 0) {
      profile_error("demand/cla_starts_per_10k", p.cla_starts_per_10k,
                    "entries to care too high for the number in care", "a lower entry rate for this cla_per_10k");
    }
    if (excess(lo) > 0) {
      profile_error("demand/cla_per_10k", p.cla_per_10k,
                    "more children in care than the entries can keep there, with children leaving at 18",
                    "a lower cla_per_10k, or more entries (cla_starts_per_10k) or younger entrants "
                    "(parameters entry_share_age_*)");
    }
    for (int it = 0; it < 200; ++it) {
      const double mid = 0.5 * (lo + hi);
      (excess(mid) < 0 ? lo : hi) = mid;
    }
    const double scale = 0.5 * (lo + hi);
    c.entry_mix = entry_shares(scale);
    for (std::size_t t = 0; t < kPlacementCount; ++t) {
      if (c.entry_mix[t] < -1e-9) {
        throw ValidationError(
            "/parameters/uasc_share_of_starts", "more UASC enter " + std::string(kPlacementNames[t]) +
            " than the profile's placement mix has room for", describe(json(uasc)),
            "a lower share, or a larger placement_mix/" + std::string(kPlacementNames[t]) + " in the profile");
      }
      c.entry_mix[t] = std::max(0.0, c.entry_mix[t]);  // rounding only: checked just above
      c.leave_prob[t] = leave_for(scale, t);
      CareGrid general_stock{}, uasc_stock{};
      stay_per_entry(c.leave_prob[t], c.duration_prob, c.age_prob, c.entry_age[t], &general_stock);
      if (uasc_mix[t] > 0) stay_per_entry(c.leave_prob[t], c.duration_prob, c.age_prob, uasc_age(t), &uasc_stock);
      for (std::size_t b = 0; b < kCareBands; ++b)
        for (std::size_t a = 0; a < kAgeBands; ++a)
          c.initial_care[t][b][a] = cla_starts * ((1.0 - uasc) * c.entry_mix[t] * general_stock[b][a] +
                                                  uasc * uasc_mix[t] * uasc_stock[b][a]);
    }
  } else if (c.cla0 > 0) {
    profile_error("demand/cla_starts_per_10k", p.cla_starts_per_10k, "children in care but no entries",
                  "a positive number when cla_per_10k > 0");
  } else if (cla_starts > 0) {  // entries with no stock: no placement mix or stay to calibrate from
    profile_error("demand/cla_per_10k", p.cla_per_10k, "entries into care but no children in care",
                  "a positive number when cla_starts_per_10k > 0");
  }

  // Step-downs from children's homes to foster care, and escalations back, balanced cell by cell
  // at the stocks the moves see (after the month's exits, before its entries).
  c.step_down_prob = 1.0 - std::exp(-e.step_down_per_year / 12.0);
  {
    constexpr auto kResidential = static_cast<std::size_t>(Placement::residential);
    constexpr auto kInhouseFoster = static_cast<std::size_t>(Placement::foster_inhouse);
    for (std::size_t b = 0; b < kCareBands; ++b) {
      for (std::size_t a = 0; a < kAgeBands; ++a) {
        auto before_entries = [&](std::size_t t) {
          double n = c.initial_care[t][b][a];
          if (b == 0) {
            n -= cla_starts * ((1.0 - uasc) * c.entry_mix[t] * c.entry_age[t][a] +
                               uasc * uasc_mix[t] * uasc_age(t)[a]);
          }
          return std::max(0.0, n);
        };
        const double foster = before_entries(kInhouseFoster) + before_entries(kAgencyFoster);
        c.escalation_prob[b][a] = foster > 0 ? std::min(1.0, c.step_down_prob * before_entries(kResidential) / foster) : 0.0;
      }
    }
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
  c.vacancies0 = std::max(c.establishment0 - c.in_post0, 1.0);
  // Hiring sees this month's leavers' posts too, so steady state needs hires = L from V0 + L.
  c.leavers0 = c.leave_hazard * c.in_post0;
  c.fill_prob = c.leavers0 / (c.vacancies0 + c.leavers0);
  // Agency staff leave at 1/assignment_months; open requests fill with agency_fill_probability.
  // Steady state at agency0 needs target = agency0 * (1/(m*p) + 1 - 1/m).
  const double m = e.agency_assignment_months, pf = e.agency_fill_probability;
  c.agency_cover = c.agency0 * (1.0 / (m * pf) + 1.0 - 1.0 / m) / c.vacancies0;
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
  c.by_month = month_factors(scenario, c);

  auto& d = c.care_draws;
  static_assert(Calibration::kCareCells <= rng::RareOutcomeCells::kMaxCells);
  std::vector<rng::RareOutcomes> moves;
  for (std::size_t t = 0; t < kPlacementCount; ++t) {
    for (std::size_t b = 0; b < kCareBands; ++b) {
      for (std::size_t a = 0; a < kAgeBands; ++a) {
        const double leave = c.leave_prob[t][b][a], on = c.duration_prob[b], older = c.age_prob[a];
        std::array<double, Calibration::kCareMoves> prob{};
        prob[Calibration::kLeave] = leave;
        prob[Calibration::kOnAndOlder] = (1 - leave) * on * older;
        prob[Calibration::kOn] = (1 - leave) * on * (1 - older);
        prob[Calibration::kOlder] = (1 - leave) * (1 - on) * older;
        moves.emplace_back(prob.data(), prob.size());
      }
    }
  }
  d.moves.assign(moves.data(), moves.size());
  for (std::size_t b = 0; b < kCareBands; ++b) {
    for (std::size_t a = 0; a < kAgeBands; ++a) d.escalation[b][a] = rng::Binomial(c.escalation_prob[b][a], true);
  }
  d.step_down = rng::Binomial(std::min(1.0, c.step_down_prob), true);
  static_assert(kPlacementCount * kAgeBands <= rng::Categorical::kMax);
  std::array<double, kPlacementCount * kAgeBands> entry{};
  for (std::size_t t = 0; t < kPlacementCount; ++t) {
    for (std::size_t a = 0; a < kAgeBands; ++a) entry[t * kAgeBands + a] = c.entry_mix[t] * c.entry_age[t][a];
  }
  d.entry = rng::Categorical(entry.data(), entry.size(), true);  // many picks: guided
  return c;
}

}  // namespace admsim
