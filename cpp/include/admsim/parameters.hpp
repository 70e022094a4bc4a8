#pragma once
// Engine parameters that are not read from a council profile: their defaults, the range a user
// may set them to, the range we believe plausible, and where each default comes from.
// docs/model.md is generated from this table (python -m admsim.docs), so it is the one source.
#include <cstddef>
#include <string>
#include <vector>

namespace admsim {

struct EngineParameters {
  // Demand
  double demand_trend_per_year = 0.0;
  double demand_persistence_per_year = 0.8;
  double demand_noise_sd = 0.03;
  double demand_noise_persistence = 0.9;
  double cla_from_cpp_share = 0.35;
  double cpp_end_to_cin_share = 0.55;
  double quality_rereferral_effect = 0.15;
  double quality_care_entry_effect = 0.10;
  double placement_moves_per_year = 0.35;
  double quality_placement_effect = 0.15;
  double leaving_hazard_0_6m = 2.5;
  double leaving_hazard_6_24m = 1.0;
  double leaving_hazard_2_5y = 0.6;
  double leaving_hazard_5y_plus = 1.0;
  double leaving_multiplier_adoption = 4.0;
  double leaving_multiplier_with_parents = 1.5;
  double leaving_multiplier_supported = 1.0;
  double leaving_multiplier_residential = 0.9;
  double leaving_multiplier_kinship = 0.8;
  double leaving_multiplier_age_0_4 = 2.25;
  double leaving_multiplier_age_5_9 = 1.25;
  double leaving_multiplier_age_16_17 = 0.25;
  double entry_share_age_0_4 = 0.37;
  double entry_share_age_5_9 = 0.18;
  double entry_share_age_16_17 = 0.10;
  double uasc_share_of_starts = 0.10;
  double uasc_share_aged_16_17 = 0.85;
  double step_down_per_year = 0.10;
  // Workforce
  double newly_qualified_share_of_hires = 0.35;
  double newly_qualified_months = 12.0;
  double senior_progression_per_year = 0.12;
  double initial_newly_qualified_share = 0.12;
  double initial_senior_share = 0.30;
  double turnover_relative_newly_qualified = 1.2;
  double turnover_relative_senior = 0.8;
  double caseload_turnover_elasticity = 1.0;
  double quality_turnover_effect = 0.15;
  double pay_turnover_elasticity = 1.5;
  double newly_qualified_capacity = 0.8;
  double agency_fill_probability = 0.7;
  double edge_of_care_effect_per_million = 0.03;
  double agency_assignment_months = 6.0;
  double labour_market_sd = 0.05;
  double labour_market_persistence = 0.95;
  double establishment_flex = 0.02;
  double recruitment_capacity = 0.06;
  // Quality and inspection
  double quality_reversion_per_year = 0.36;
  double quality_workforce_effect = 0.47;
  double inspection_noise_sd = 0.54;
  double quality_persistent_share = 0.0;
  double inadequate_response = 0.94;
  double inspection_gap_median_good_months = 52.7;
  double inspection_gap_median_requires_improvement_months = 42.4;
  double inspection_gap_median_inadequate_months = 33.3;
  double inspection_gap_shape = 9.4;
  double short_inspection_shift = 1.06;
  double grading_drift_per_year = 0.004;
  double grading_drift_half_life_years = 5.0;
  double monitoring_visit_months = 3.0;
  double national_share_outstanding = 0.058;
  double national_share_good = 0.380;
  double national_share_requires_improvement = 0.377;
  // Finance
  double discount_rate = 0.035;
  double vat_rate = 0.20;
  double vatable_share = 0.30;
  double corporation_tax_rate = 0.25;
  double surplus_margin = 0.01;
  double transition_cost_share = 0.25;
  double placement_price_growth_per_year = 0.02;
  // Risk register
  double risk_probability_high = 0.5;
  double risk_probability_medium = 0.25;
  double risk_probability_low = 0.1;
  double risk_impact_high = 1.0;
  double risk_impact_medium = 0.5;
  double risk_impact_low = 0.2;
};

struct ParameterInfo {
  const char* name;
  double EngineParameters::*field;
  const char* module;     // demand | workforce | quality | finance | risk
  double min, max;        // what a user may set (validation)
  double low, high;       // plausible range (documentation and sensitivity analysis)
  const char* unit;
  const char* source;     // publication or data, or "assumption"
  const char* meaning;
};

const std::vector<ParameterInfo>& parameter_table();
const ParameterInfo* find_parameter(const std::string& name);

}  // namespace admsim
