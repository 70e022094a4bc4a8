#pragma once
// Names and order of the monthly metrics and per-replicate outcomes the engine records.
// Python reads the names through _core, so the order here is the array layout.
#include <array>
#include <cstddef>

namespace admsim {

enum class Metric : std::size_t {
  population,           // children aged 0-17
  referrals,            // referrals in the month (new + re-referrals)
  rereferrals,          // referrals of children referred in the previous 12 months
  cin,                  // children in need (DfE definition: includes CPP and CLA), end of month
  cin_starts,           // referrals assessed as in need in the month
  cin_closed,           // children leaving the CIN population (closures and care leavers)
  cpp,                  // children on a child protection plan, end of month
  cla,                  // children looked after, end of month
  cpp_starts,           // plans started in the month
  cpp_repeat_starts,    // of which second or subsequent plans
  cpp_ends,             // plans ended in the month
  cla_starts,           // entries to care in the month
  cla_ceased,           // exits from care in the month
  // children in care by placement type (kPlacementNames order), end of month
  cla_foster_inhouse, cla_foster_agency, cla_kinship,
  cla_residential,      // children's homes and secure homes
  cla_supported, cla_with_parents, cla_adoption,
  // children in care by age band (kAgeBandNames order), end of month
  cla_age_0_4, cla_age_5_9, cla_age_10_15, cla_age_16_17,
  care_leavers,         // children leaving care as they turn 18 in the month (in cla_ceased)
  uasc_starts,          // unaccompanied asylum-seeking children entering care directly (in cla_starts)
  step_downs,           // moves from children's homes to foster care in the month
  escalations,          // moves from foster care to children's homes in the month
  placement_moves,      // placement changes in the month
  social_workers,       // permanent (employed) social workers, FTE
  agency_workers,       // agency social workers, FTE
  establishment,        // funded social-worker posts, FTE
  vacancies,            // establishment not filled by permanent staff
  leavers,              // permanent leavers in the month
  hires,                // permanent starters in the month
  agency_starts,        // agency assignments begun in the month
  agency_ends,          // agency assignments ended in the month
  caseload,             // cases per case-holding FTE
  turnover_rate,        // leavers in the last 12 months / mean in post (annual rate)
  agency_share,         // agency / (agency + permanent)
  vacancy_rate,         // vacancies / establishment
  quality,              // latent practice quality (SD units; 0 = national average)
  grade_awarded,        // Ofsted grade awarded this month (1 outstanding .. 4 inadequate), 0 if none
  current_grade,        // latest Ofsted grade (1..4)
  cost,                 // total spend in the month, GBP
  cost_staff,
  cost_placements,
  cost_delivery_model,  // set-up, transition, contract management, VAT, corporation tax
  cost_discounted,      // cost discounted to month 0 at the Green Book rate
  risk_events,          // risk-register events that began this month
  in_transition,        // 1 during set-up or transition, else 0
  spend_vs_budget,      // spend so far this financial year / the budget's share for those months
  rule_actions,         // interventions the scenario's rules started this month
  movers_out,           // leavers who moved to another council of the region (regional runs)
  movers_in,            // social workers hired from other councils of the region (regional runs)
  hub_savings,          // GBP off this month's placement costs bought through a regional commissioning hub
  cost_hub,             // this council's share of the commissioning hub's set-up and running cost, GBP
  cost_improvement_support,  // GBP this council spent supporting the region's struggling councils
  count_
};

inline constexpr std::size_t kMetricCount = static_cast<std::size_t>(Metric::count_);

inline constexpr std::array<const char*, kMetricCount> kMetricNames = {
    "population",      "referrals",       "rereferrals",    "cin",
    "cin_starts",      "cin_closed",
    "cpp",             "cla",             "cpp_starts",     "cpp_repeat_starts", "cpp_ends",
    "cla_starts",      "cla_ceased",
    "cla_foster_inhouse", "cla_foster_agency", "cla_kinship", "cla_residential", "cla_supported",
    "cla_with_parents", "cla_adoption",
    "cla_age_0_4", "cla_age_5_9", "cla_age_10_15", "cla_age_16_17",
    "care_leavers", "uasc_starts", "step_downs", "escalations", "placement_moves",
    "social_workers",  "agency_workers",  "establishment",  "vacancies",
    "leavers",         "hires",           "agency_starts",  "agency_ends",
    "caseload",        "turnover_rate",
    "agency_share",    "vacancy_rate",    "quality",        "grade_awarded",
    "current_grade",   "cost",            "cost_staff",     "cost_placements",
    "cost_delivery_model", "cost_discounted", "risk_events", "in_transition",
    "spend_vs_budget", "rule_actions", "movers_out", "movers_in", "hub_savings", "cost_hub",
    "cost_improvement_support"};

// Per-replicate outcomes (one number per model and replicate). NaN where undefined
// (for example no inspection within the horizon).
enum class Outcome : std::size_t {
  good_at_next_inspection,     // 1 if the first inspection grades Good or Outstanding
  good_by_year3,               // latest grade at month 36 is Good or Outstanding
  good_by_year5,
  inadequate_at_year3,         // latest grade at month 36 is Inadequate
  months_to_leave_inadequate,  // first month graded better than Inadequate (NaN if never / not starting there)
  mean_turnover_rate,
  mean_vacancy_rate,
  mean_agency_share,
  mean_caseload,
  cla_per_10k_end,
  total_cost,
  npv_cost,
  overspend_years,             // number of simulated years whose spend exceeded the budget
  overspend_any,               // 1 if any year overspent
  overspend_amount,            // sum over years of spend above the budget, GBP
  setup_cost,
  risk_events,
  hub_savings,                 // GBP over the horizon a regional commissioning hub took off its placement costs
  // Cost lines, GBP over the horizon (undiscounted); total_cost is the costs less the incomes.
  cost_social_workers,         // permanent and agency FTE at the employed rate (pay effect, uplifts)
  cost_agency_premium,         // agency FTE x (agency rate - employed rate)
  cost_placements_foster_inhouse, cost_placements_foster_agency, cost_placements_kinship,
  cost_placements_residential, cost_placements_supported, cost_placements_with_parents,
  cost_placements_adoption,
  cost_overheads,
  cost_setup,                  // the delivery model's set-up cost, before any grant
  cost_transition,
  cost_contract_management,
  cost_vat,                    // irrecoverable VAT
  cost_corporation_tax,
  cost_risk_overruns,          // cost overruns of risk events
  cost_edge_of_care,           // edge-of-care investment
  cost_commissioning_hub,      // its share of a regional commissioning hub's set-up and running cost
  cost_improvement_support,    // support it gave the region's struggling councils (improvement alliance)
  income_setup_grant,          // DfE set-up grant (councils moving under direction)
  income_trading,              // trading income of the delivery vehicle
  count_
};

inline constexpr std::size_t kOutcomeCount = static_cast<std::size_t>(Outcome::count_);

inline constexpr std::array<const char*, kOutcomeCount> kOutcomeNames = {
    "good_at_next_inspection", "good_by_year3",      "good_by_year5",   "inadequate_at_year3",
    "months_to_leave_inadequate", "mean_turnover_rate", "mean_vacancy_rate", "mean_agency_share",
    "mean_caseload",           "cla_per_10k_end",    "total_cost",      "npv_cost",
    "overspend_years",         "overspend_any",      "overspend_amount", "setup_cost",
    "risk_events", "hub_savings",
    "cost_social_workers", "cost_agency_premium",
    "cost_placements_foster_inhouse", "cost_placements_foster_agency", "cost_placements_kinship",
    "cost_placements_residential", "cost_placements_supported", "cost_placements_with_parents",
    "cost_placements_adoption",
    "cost_overheads", "cost_setup", "cost_transition", "cost_contract_management", "cost_vat",
    "cost_corporation_tax", "cost_risk_overruns", "cost_edge_of_care", "cost_commissioning_hub",
    "cost_improvement_support", "income_setup_grant",
    "income_trading"};
// The first cost line, and how many (costs then incomes) follow it.
inline constexpr std::size_t kFirstCostLine = static_cast<std::size_t>(Outcome::cost_social_workers);
inline constexpr std::size_t kCostLineCount = kOutcomeCount - kFirstCostLine;

}  // namespace admsim
