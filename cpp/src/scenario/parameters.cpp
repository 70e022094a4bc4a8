#include "admsim/parameters.hpp"

#include <limits>

namespace admsim {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
using P = EngineParameters;
// Source of the quality parameters fitted to real inspection histories.
constexpr const char* kCalibrated =
    "admsim calibrate --until 2022-12-31 on SIF/ILACS judgements 2014-2022 (ofsted_history.csv: 331 "
    "graded judgements of 155 councils): posterior median; plausible range = 90% interval (docs/model.md)";
// Source of the inspection schedule fitted to the gaps between graded judgements.
constexpr const char* kSchedule =
    "admsim.calibration.schedule: log-logistic AFT (lifelines) on the gaps between graded SIF/ILACS "
    "judgements to 2022 by last grade and era, censored at the end of 2022, clock stopped Jul 2020-Jul "
    "2021; ILACS era; plausible range = 90% interval";
}  // namespace

const std::vector<ParameterInfo>& parameter_table() {
  static const std::vector<ParameterInfo> table = {
      // ---------------------------------------------------------------- demand
      {"demand_trend_per_year", &P::demand_trend_per_year, "demand", -0.5, 0.5, -0.03, 0.03,
       "fraction per year",
       "england_csc_national_2013_2022.csv: referrals per 10k moved between 507 and 573 with no "
       "sustained trend over 2013-22, so the default is 0; the range is an assumption",
       "Trend in the referral rate per 10k children."},
      {"demand_persistence_per_year", &P::demand_persistence_per_year, "demand", 0.0, 1.0, 0.6, 0.9,
       "share of the gap kept per year",
       "admsim.trends.backtest: councils' referral rates per 10k (referrals_2013_2022.csv), mean of "
       "2013-2018 and forecasts of 2019-2022: reverting the log rate toward the council's own mean "
       "keeping 0.8 of the gap a year (the best of a grid, chosen on those test years) beat the "
       "steady state at every horizon (RMSE 0.203 against 0.209 at one year, 0.303 against 0.312 "
       "at four), and for England's series too",
       "How much of the gap between a council's referral rate and its long-run rate (profile "
       "referrals_per_10k_long_run) is left after a year; 1 keeps the profile's rate (a steady state)."},
      {"demand_noise_sd", &P::demand_noise_sd, "demand", 0.0, 1.0, 0.0, 0.08, "log units per month",
       "assumption: national referrals per 10k vary by about 4% a year (england_csc_national)",
       "Innovation SD of the AR(1) log multiplier on referrals (shared by all delivery models)."},
      {"demand_noise_persistence", &P::demand_noise_persistence, "demand", 0.0, 0.999, 0.7, 0.97,
       "per month", "assumption", "Month-to-month persistence of the referral multiplier."},
      {"cla_from_cpp_share", &P::cla_from_cpp_share, "demand", 0.0, 1.0, 0.2, 0.5, "share",
       "assumption (the national releases do not cross-tabulate care entries by prior plan)",
       "Share of entries to care that come from a child protection plan rather than CIN."},
      {"cpp_end_to_cin_share", &P::cpp_end_to_cin_share, "demand", 0.0, 1.0, 0.4, 0.7, "share",
       "assumption", "Share of ended plans (not ending in care) that step down to CIN."},
      {"quality_rereferral_effect", &P::quality_rereferral_effect, "demand", 0.0, 2.0, 0.0, 0.3,
       "log hazard per SD of quality",
       "assumption; direction from Munro's causal-loop maps (quality -> re-referrals)",
       "How much better practice lowers the re-referral hazard."},
      {"quality_care_entry_effect", &P::quality_care_entry_effect, "demand", 0.0, 2.0, 0.0, 0.25,
       "log hazard per SD of quality", "assumption; direction from Munro (2011)",
       "How much better practice lowers avoidable entries to care."},
      {"placement_moves_per_year", &P::placement_moves_per_year, "demand", 0.0, 5.0, 0.2, 0.6,
       "moves per child-year",
       "assumption informed by DfE CLA statistics (about 1 in 10 children looked after have 3+ "
       "placements in a year)",
       "Placement changes per child in care per year at average quality."},
      {"quality_placement_effect", &P::quality_placement_effect, "demand", 0.0, 2.0, 0.0, 0.3,
       "log hazard per SD of quality", "assumption",
       "How much better practice makes placements more stable."},
      {"leaving_hazard_0_6m", &P::leaving_hazard_0_6m, "demand", 0.01, 20.0, 1.5, 4.0,
       "relative hazard", "assumption; witan.cic (Mastodon C) finds leaving care bimodal: early, and near 18",
       "Relative hazard of leaving care in the first 6 months (scaled so exits match the profile)."},
      {"leaving_hazard_6_24m", &P::leaving_hazard_6_24m, "demand", 0.01, 20.0, 1.0, 1.0,
       "relative hazard", "reference band", "Relative hazard of leaving care at 6-24 months."},
      {"leaving_hazard_2_5y", &P::leaving_hazard_2_5y, "demand", 0.01, 20.0, 0.4, 0.9,
       "relative hazard", "assumption (witan.cic)", "Relative hazard of leaving care at 2-5 years."},
      {"leaving_hazard_5y_plus", &P::leaving_hazard_5y_plus, "demand", 0.01, 20.0, 0.6, 1.5,
       "relative hazard", "assumption (witan.cic's second mode near 18 is the age bands' leaving at 18)",
       "Relative hazard of leaving care after 5 years, for reasons other than turning 18."},
      {"leaving_multiplier_adoption", &P::leaving_multiplier_adoption, "demand", 0.01, 50.0, 2.0, 8.0,
       "relative hazard", "assumption: children placed for adoption leave care when the order is made",
       "Leaving-hazard multiplier for children placed for adoption."},
      {"leaving_multiplier_with_parents", &P::leaving_multiplier_with_parents, "demand", 0.01, 50.0,
       1.0, 2.5, "relative hazard", "assumption", "Leaving-hazard multiplier, placed with parents."},
      {"leaving_multiplier_supported", &P::leaving_multiplier_supported, "demand", 0.01, 50.0, 0.7,
       2.0, "relative hazard",
       "assumption: 1, because leaving at 18 is now explicit (supported accommodation is for "
       "16-17 year olds, who leave care at 18 through the age bands)",
       "Leaving-hazard multiplier, supported and independent living (before 18)."},
      {"leaving_multiplier_residential", &P::leaving_multiplier_residential, "demand", 0.01, 50.0,
       0.6, 1.2, "relative hazard", "assumption", "Leaving-hazard multiplier, children's homes."},
      {"leaving_multiplier_kinship", &P::leaving_multiplier_kinship, "demand", 0.01, 50.0, 0.5, 1.2,
       "relative hazard", "assumption", "Leaving-hazard multiplier, kinship foster care."},
      {"leaving_multiplier_age_0_4", &P::leaving_multiplier_age_0_4, "demand", 0.01, 50.0, 1.5, 3.5,
       "relative hazard",
       "fitted here so that the steady state's ages match DfE, Children looked after in England including adoptions, year ending 31 March 2022 (national tables, typed, not shipped data): of children in care at 31 March, "
       "about 17% under 5, 18% 5-9, 39% 10-15 and 26% 16 or over; a grid fit on Example County gives 17/18/39/26% (docs/model.md). Ranges are assumptions",
       "Leaving-hazard multiplier for children aged 0-4 (adoption, return home, special "
       "guardianship), against 10-15."},
      {"leaving_multiplier_age_5_9", &P::leaving_multiplier_age_5_9, "demand", 0.01, 50.0, 0.8, 2.0,
       "relative hazard", "fitted with leaving_multiplier_age_0_4 (the same ages at 31 March 2022)",
       "Leaving-hazard multiplier for children aged 5-9, against 10-15."},
      {"leaving_multiplier_age_16_17", &P::leaving_multiplier_age_16_17, "demand", 0.01, 50.0, 0.1,
       1.0, "relative hazard",
       "fitted with leaving_multiplier_age_0_4 (the same ages at 31 March 2022); leaving at 18 is "
       "separate, through the age bands",
       "Leaving-hazard multiplier for children aged 16-17 before they turn 18, against 10-15."},
      {"entry_share_age_0_4", &P::entry_share_age_0_4, "demand", 0.0, 1.0, 0.30, 0.45, "share",
       "DfE, Children looked after in England including adoptions, year ending 31 March 2022 (national tables, typed, not shipped data): about a third of children starting care are under 5; this is their share of the starts "
       "other than unaccompanied asylum-seeking children (who are nearly all 10 or over)",
       "Share of entries through children's services aged 0-4 (placed for adoption: all 0-4)."},
      {"entry_share_age_5_9", &P::entry_share_age_5_9, "demand", 0.0, 1.0, 0.12, 0.22, "share",
       "DfE, Children looked after in England including adoptions, year ending 31 March 2022 (national tables, typed, not shipped data): about 16% of starts aged 5-9, here of starts other than UASC",
       "Share of entries through children's services aged 5-9; 10-15 takes what the three "
       "shares leave."},
      {"entry_share_age_16_17", &P::entry_share_age_16_17, "demand", 0.0, 1.0, 0.05, 0.15, "share",
       "DfE, Children looked after in England including adoptions, year ending 31 March 2022 (national tables, typed, not shipped data): about 18% of all starts are 16 or over, about half of them UASC; this is the "
       "share of the rest (supported accommodation: all 16-17)",
       "Share of entries through children's services aged 16-17."},
      {"uasc_share_of_starts", &P::uasc_share_of_starts, "demand", 0.0, 0.9, 0.04, 0.15, "share",
       "DfE, Children looked after in England including adoptions, year ending 31 March 2022 (national tables, typed, not shipped data): 5,570 unaccompanied asylum-seeking children in care at 31 March 2022, 7% of all, "
       "up a third on 2021; they stay until 18, about half as long as others, so about 10% of "
       "starts (an assumption, range 4-15%; the National Transfer Scheme moves it)",
       "Share of entries to care that are unaccompanied asylum-seeking children arriving "
       "directly (not through referral, CIN or a plan); the intervention uasc_arrivals scales it."},
      {"uasc_share_aged_16_17", &P::uasc_share_aged_16_17, "demand", 0.0, 1.0, 0.75, 0.95, "share",
       "DfE, Children looked after in England including adoptions, year ending 31 March 2022 (national tables, typed, not shipped data): most UASC in care (about 85%) are 16 or 17",
       "Share of UASC entries aged 16-17 (placed in supported accommodation); the rest enter "
       "agency foster care aged 10-15."},
      {"step_down_per_year", &P::step_down_per_year, "demand", 0.0, 5.0, 0.03, 0.25,
       "moves per child-year",
       "assumption: the panels' placement changes (cla_new_placements_2021_2022.csv) do not say "
       "from which type to which; about one child in ten in a children's home moving to foster "
       "care a year is the assumption, range 3-25%",
       "Step-downs from children's homes to foster care per child-year; escalations from foster "
       "care to children's homes balance them at the profile's stocks, so only a change (the "
       "intervention step_down_programme) moves the mix."},
      // ------------------------------------------------------------- workforce
      {"newly_qualified_share_of_hires", &P::newly_qualified_share_of_hires, "workforce", 0.0, 1.0,
       0.25, 0.5, "share", "assumption", "Share of permanent hires who are newly qualified (ASYE)."},
      {"newly_qualified_months", &P::newly_qualified_months, "workforce", 1.0, 60.0, 12.0, 18.0,
       "months", "ASYE programme length (12 months)", "Months before a newly qualified worker is experienced."},
      {"senior_progression_per_year", &P::senior_progression_per_year, "workforce", 0.0, 1.0, 0.05,
       0.2, "per year", "assumption", "Annual probability an experienced worker becomes senior."},
      {"initial_newly_qualified_share", &P::initial_newly_qualified_share, "workforce", 0.0, 1.0,
       0.08, 0.2, "share", "assumption", "Share of permanent staff newly qualified at month 0."},
      {"initial_senior_share", &P::initial_senior_share, "workforce", 0.0, 1.0, 0.2, 0.4, "share",
       "assumption", "Share of permanent staff senior at month 0."},
      {"turnover_relative_newly_qualified", &P::turnover_relative_newly_qualified, "workforce", 0.0,
       10.0, 1.0, 1.6, "relative hazard", "assumption", "Leaving hazard of newly qualified vs experienced."},
      {"turnover_relative_senior", &P::turnover_relative_senior, "workforce", 0.0, 10.0, 0.6, 1.0,
       "relative hazard", "assumption", "Leaving hazard of senior vs experienced."},
      {"caseload_turnover_elasticity", &P::caseload_turnover_elasticity, "workforce", 0.0, 5.0, 0.5,
       2.0, "elasticity", "assumption; direction from seed 002 section 6 ('manageable workloads')",
       "Leaving hazard scales as (caseload / starting caseload) to this power."},
      {"quality_turnover_effect", &P::quality_turnover_effect, "workforce", 0.0, 2.0, 0.0, 0.3,
       "log hazard per SD of quality", "assumption (practice climate)",
       "How much a better practice climate lowers leaving."},
      {"pay_turnover_elasticity", &P::pay_turnover_elasticity, "workforce", 0.0, 10.0, 0.5, 3.0,
       "elasticity", "assumption; seed 002 section 6: pay is one factor among supervision, development and workload",
       "Leaving hazard scales as (relative pay) to minus this power (pay uplift intervention, pay effect)."},
      {"newly_qualified_capacity", &P::newly_qualified_capacity, "workforce", 0.1, 1.0, 0.7, 0.9,
       "share of a full caseload", "assumption: ASYE workers carry protected caseloads",
       "Case-holding capacity of a newly qualified worker."},
      {"agency_assignment_months", &P::agency_assignment_months, "workforce", 1.0, 60.0, 3.0, 12.0,
       "months", "assumption", "Mean length of an agency assignment."},
      {"labour_market_sd", &P::labour_market_sd, "workforce", 0.0, 1.0, 0.0, 0.1, "log units per month",
       "assumption; national vacancy rate rose from 16% to 20% in 2021-22 (england_csww_national)",
       "Innovation SD of the national supply of social workers (shared by all models)."},
      {"labour_market_persistence", &P::labour_market_persistence, "workforce", 0.0, 0.999, 0.8,
       0.99, "per month", "assumption", "Persistence of the national supply shock."},
      {"establishment_flex", &P::establishment_flex, "workforce", 0.0, 1.0, 0.0, 0.1, "per month",
       "assumption; seed 002 CSF 9 ('flex in response to changes in demand')",
       "Monthly fraction of the gap between establishment and demand that is closed."},
      {"agency_fill_probability", &P::agency_fill_probability, "workforce", 0.01, 1.0, 0.5, 0.9,
       "per month", "assumption: agencies fill cover requests within weeks",
       "Monthly chance an open agency cover request is filled."},
      {"edge_of_care_effect_per_million", &P::edge_of_care_effect_per_million, "demand", 0.0, 1.0,
       0.0, 0.08, "log hazard per GBP 1m a year per 10,000 children",
       "assumption; evidence on edge-of-care programmes is mixed",
       "How much edge-of-care investment lowers entries to care."},
      {"recruitment_capacity", &P::recruitment_capacity, "workforce", 0.001, 1.0, 0.03, 0.12,
       "share of establishment per month",
       "assumption; England hired 4,826 FTE in 2022 against 39,547 posts (england_csww_national), "
       "about 1% a month, so the default leaves room for campaigns",
       "Most permanent hires a council can make in a month (HR and induction capacity)."},
      // --------------------------------------------------------------- quality
      {"quality_reversion_per_year", &P::quality_reversion_per_year, "quality", 0.0, 5.0, 0.17, 0.81,
       "per year", kCalibrated,
       "Speed at which latent practice quality moves toward its target."},
      {"quality_workforce_effect", &P::quality_workforce_effect, "quality", 0.0, 2.0, 0.07, 0.88,
       "SD per unit of workforce stress",
       "admsim calibrate, with councils' workforce against England's (DfE workforce 2017-2022): "
       "posterior median, 90% interval; an association (poor practice also drives staff away); "
       "direction from seed 002 section 3",
       "How much turnover, agency reliance and caseload above their starting levels lower the quality target."},
      {"inspection_noise_sd", &P::inspection_noise_sd, "quality", 0.0, 3.0, 0.13, 1.63, "SD units",
       kCalibrated, "Noise between latent quality and the inspection's reading of it."},
      {"quality_persistent_share", &P::quality_persistent_share, "quality", 0.0, 0.95, 0.0, 0.5,
       "share",
       "admsim calibrate holds it at 0 by default: its likelihood is flat (under one log-likelihood "
       "unit gained on the 2014-2022 data) and the rolling-origin back-test forecasts better without "
       "it; range an assumption (the fit with it free puts it at 0.3)",
       "Persistent part of latent quality: a council-level offset drawn once per replicate given the "
       "starting quality; the rest reverts as before."},
      {"inadequate_response", &P::inadequate_response, "quality", -1.0, 3.0, 0.10, 1.91, "SD units",
       kCalibrated,
       "Shift of the quality target while the latest grade is Inadequate (the ILACS era's: "
       "inadequate_response_ilacs in the fit; monitoring visits and DfE intervention)."},
      {"inspection_gap_median_good_months", &P::inspection_gap_median_good_months, "quality", 1.0,
       240.0, 44.1, 63.0, "months", kSchedule,
       "Median gap from a Good or Outstanding grade to the next graded inspection (log-logistic)."},
      {"inspection_gap_median_requires_improvement_months",
       &P::inspection_gap_median_requires_improvement_months, "quality", 1.0, 240.0, 37.6, 47.8, "months",
       kSchedule, "Median gap from a Requires improvement grade to the next graded inspection."},
      {"inspection_gap_median_inadequate_months", &P::inspection_gap_median_inadequate_months, "quality",
       1.0, 240.0, 29.8, 37.2, "months", kSchedule,
       "Median gap from an Inadequate grade to the re-inspection."},
      {"inspection_gap_shape", &P::inspection_gap_shape, "quality", 0.5, 100.0, 8.5, 10.4, "shape", kSchedule,
       "Log-logistic shape of the gaps (larger: more regular); the IQR is about 2 x median x ln 3 / shape."},
      {"short_inspection_shift", &P::short_inspection_shift, "quality", -3.0, 3.0, 0.68, 1.40, "SD units",
       kCalibrated,
       "How much lower the cut-points of ILACS short inspections (after Good or Outstanding) lie than "
       "those of standard ones (positive: short inspections grade more generously)."},
      {"grading_drift_per_year", &P::grading_drift_per_year, "quality", -1.0, 1.0, -0.05, 0.06,
       "SD units per year", kCalibrated,
       "How fast ILACS cut-points fall (grades become better for the same quality) at month 0; the "
       "trend fitted to 2018-2022, damped from month 0 on."},
      {"grading_drift_half_life_years", &P::grading_drift_half_life_years, "quality", 0.1, 1000.0, 2.0,
       20.0, "years",
       "assumption: the national grading trend of 2018-2022 (ofsted_national_distribution) is carried "
       "forward but cannot go on for ever; a half-life of 5 years carries 2.5 years' worth in the first 3",
       "Half-life of the grading drift's pace after the end of the data."},
      {"monitoring_visit_months", &P::monitoring_visit_months, "quality", 1.0, 24.0, 3.0, 4.0,
       "months", "domain.md: quarterly monitoring visits for Inadequate LAs",
       "Interval between ungraded monitoring visits while Inadequate."},
      {"national_share_outstanding", &P::national_share_outstanding, "quality", 0.001, 0.997, 0.03,
       0.10, "share", kCalibrated,
       "Share of an average council's ILACS standard inspections graded Outstanding at the end of the "
       "data (December 2022); sets the ordered-grade cut-points."},
      {"national_share_good", &P::national_share_good, "quality", 0.001, 0.997, 0.31, 0.45, "share",
       kCalibrated, "Share graded Good (ILACS standard inspections)."},
      {"national_share_requires_improvement", &P::national_share_requires_improvement, "quality",
       0.001, 0.997, 0.32, 0.43, "share", kCalibrated,
       "Share graded Requires improvement (Inadequate is the rest; ILACS standard inspections)."},
      // --------------------------------------------------------------- finance
      {"discount_rate", &P::discount_rate, "finance", 0.0, 0.5, 0.035, 0.035, "per year",
       "HM Treasury Green Book discount rate", "Annual rate for the NPV of costs."},
      {"vat_rate", &P::vat_rate, "finance", 0.0, 1.0, 0.2, 0.2, "share", "HMRC standard rate",
       "VAT rate on VAT-able spend."},
      {"vatable_share", &P::vatable_share, "finance", 0.0, 1.0, 0.1, 0.5, "share",
       "assumption; HMRC VATGPB8225, VATWELF3031: treatment is case by case and no quantified cost was found",
       "Share of non-staff spend that carries VAT."},
      {"corporation_tax_rate", &P::corporation_tax_rate, "finance", 0.0, 1.0, 0.19, 0.25, "share",
       "HMRC main rate from April 2023", "Corporation tax on surpluses where it applies."},
      {"surplus_margin", &P::surplus_margin, "finance", 0.0, 0.5, 0.0, 0.03, "share of spend",
       "assumption", "Taxable surplus of a company, as a share of its spend."},
      {"transition_cost_share", &P::transition_cost_share, "finance", 0.0, 5.0, 0.1, 0.5,
       "share of set-up cost", "assumption; seed 002 risk register ('residual costs ... of support services and client service')",
       "Extra cost during the transition period, as a share of the set-up cost."},
      {"placement_price_growth_per_year", &P::placement_price_growth_per_year, "finance", -0.1, 0.3, 0.0,
       0.05, "fraction per year above CPI",
       "assumption: the CMA's children's social care market study (2022) found children's home and "
       "independent fostering prices rising faster than inflation with high provider profits; no "
       "figure for the excess is taken from it, so 2% a year (range 0-5%) is an assumption",
       "Real growth of placement prices (the costs are in 2022 prices; budgets flat in real terms)."},
      // ------------------------------------------------------------------ risk
      {"risk_probability_high", &P::risk_probability_high, "risk", 0.0, 1.0, 0.3, 0.7, "probability",
       "assumption mapping seed 002's likelihood H", "Chance an H-likelihood risk occurs in its window."},
      {"risk_probability_medium", &P::risk_probability_medium, "risk", 0.0, 1.0, 0.15, 0.35,
       "probability", "assumption (likelihood M)", "Chance an M-likelihood risk occurs."},
      {"risk_probability_low", &P::risk_probability_low, "risk", 0.0, 1.0, 0.05, 0.15, "probability",
       "assumption (likelihood L)", "Chance an L-likelihood risk occurs."},
      {"risk_impact_high", &P::risk_impact_high, "risk", 0.0, 10.0, 0.5, 1.5, "scale",
       "assumption mapping seed 002's impact H", "Scale of an H-impact event's effect."},
      {"risk_impact_medium", &P::risk_impact_medium, "risk", 0.0, 10.0, 0.25, 0.75, "scale",
       "assumption (impact M)", "Scale of an M-impact event."},
      {"risk_impact_low", &P::risk_impact_low, "risk", 0.0, 10.0, 0.1, 0.3, "scale",
       "assumption (impact L)", "Scale of an L-impact event."},
  };
  return table;
}

const ParameterInfo* find_parameter(const std::string& name) {
  for (const auto& info : parameter_table()) {
    if (name == info.name) return &info;
  }
  return nullptr;
}

}  // namespace admsim
