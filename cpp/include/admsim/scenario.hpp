#pragma once
// The validated, typed form of a scenario: a council profile, delivery models, interventions,
// parameter overrides and run settings. Built from JSON by parse_scenario(), which names the
// JSON pointer of any bad field.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "admsim/json_reader.hpp"
#include "admsim/risks.hpp"
#include "admsim/parameters.hpp"

namespace admsim {

enum class Placement : std::size_t {
  foster_inhouse, foster_agency, kinship, residential, supported, with_parents, adoption, count_
};
inline constexpr std::size_t kPlacementCount = static_cast<std::size_t>(Placement::count_);
inline constexpr std::array<const char*, kPlacementCount> kPlacementNames = {
    "foster_inhouse", "foster_agency", "kinship", "residential", "supported", "with_parents", "adoption"};

// Grades are ordered best to worst, as Ofsted publishes them.
enum Grade : int { kNoGrade = 0, kOutstanding = 1, kGood = 2, kRequiresImprovement = 3, kInadequate = 4 };
inline constexpr std::array<const char*, 5> kGradeNames = {"none", "outstanding", "good",
                                                           "requires_improvement", "inadequate"};

struct Profile {
  std::string name;
  double children = 0, growth_per_year = 0;
  // demand, per year (per 10k children unless a rate)
  double referrals_per_10k = 0, rereferral_rate = 0, no_further_action_rate = 0;
  double referrals_long_run = 0;  // per 10k: the council's long-run rate, referrals revert toward it
  double cin_per_10k = 0, cpp_per_10k = 0, cpp_starts_per_10k = 0, cpp_repeat_rate = 0;
  double cla_per_10k = 0, cla_starts_per_10k = 0, cla_ceased_per_10k = 0;
  std::array<double, kPlacementCount> placement_mix{}, placement_weekly_cost{};
  // workforce
  double in_post_fte = 0, agency_fte = 0, vacancy_rate = 0, turnover_rate = 0, caseload = 0;
  double case_holding_share = 0, weekly_cost_employed = 0, weekly_cost_agency = 0;
  // finance: the budget's first year, and its path over the horizon
  double budget_per_year = 0, overheads_share = 0;
  enum class BudgetPath { flat_real, demand_led, given } budget_path = BudgetPath::flat_real;
  std::vector<double> budget_given;  // one a year, for BudgetPath::given
  // inspection
  Grade last_grade = kGood;
  double months_since_inspection = 0;  // from the last inspection to the profile's as_of date
  double cla_from_cpp_check = 0;       // share of plan ends that go into care (must be < 1)
};

enum class DistKind { fixed, uniform, triangular, normal, lognormal, bernoulli };

// An uncertain effect. Sampled by inversion of one uniform per hook and replicate, so models
// that share a hook move together across replicates (common random numbers).
struct Distribution {
  DistKind kind = DistKind::fixed;
  // fixed: a; uniform: a..b; triangular: a,b(mode),c; normal: mean a, sd b; lognormal: median a,
  // sigma b; bernoulli: 1 with probability a, else 0 (a ruling: all or nothing)
  double a = 0, b = 0, c = 0;
  double quantile(double u) const;
  double mean() const;
};

// The engine hooks through which a delivery model acts. Nothing in the engine looks at model ids.
enum class Hook : std::size_t {
  turnover, recruitment, agency_use, improvement, improvement_pace, transition_dip,
  transition_turnover, transition_months, edge_of_care, placement_cost, overhead_cost, pay,
  establishment_flex, setup_cost, setup_months, contract_management_cost, vat_irrecoverable, count_
};
inline constexpr std::size_t kHookCount = static_cast<std::size_t>(Hook::count_);
inline constexpr std::array<const char*, kHookCount> kHookNames = {
    "turnover", "recruitment", "agency_use", "improvement", "improvement_pace", "transition_dip",
    "transition_turnover", "transition_months", "edge_of_care", "placement_cost", "overhead_cost",
    "pay", "establishment_flex", "setup_cost", "setup_months", "contract_management_cost",
    "vat_irrecoverable"};

enum class Level { none, low, medium, high };

struct DeliveryModel {
  std::string id, name, group;
  // attributes the engine uses (the rest stay in the catalogue for appraisal)
  bool tupe = false;                // staff transfer (tupe "yes" or "may")
  bool corporation_tax = false;
  bool operational_independence = false;  // a separate entity at arm's length from the council
  Level contract_management = Level::none;
  // Irrecoverable VAT share when no vat_irrecoverable effect is given: vat_recoverable
  // "yes" -> 0, "uncertain" -> 0.5 (HMRC decides case by case), "no" -> 1.
  double vat_irrecoverable_default = 0.0;  // with no vat_irrecoverable effect: 0 recoverable, 1 not
  double setup_grant = 0;                  // DfE set-up grant, GBP, when moving under direction
  double trading_income = 0;               // GBP a year while live
  // In a regional run with a shared vehicle (region.hpp): this council's share of the vehicle's
  // set-up, contract-management and trading sums, which the effects give for the whole vehicle.
  double cost_share = 1.0;
  std::array<Distribution, kHookCount> effects{};
  std::array<bool, kHookCount> has_effect{};
};

enum class InterventionKind {
  recruitment_campaign, caseload_cap, agency_cap, pay_uplift, edge_of_care_investment, demand_shock,
  uasc_arrivals, step_down_programme
};
inline constexpr std::array<const char*, 8> kInterventionNames = {
    "recruitment_campaign", "caseload_cap", "agency_cap", "pay_uplift", "edge_of_care_investment",
    "demand_shock", "uasc_arrivals", "step_down_programme"};

// The sizes each kind may take: multipliers, a caseload, a share, a pay rise, GBP a year.
inline constexpr std::array<std::array<double, 2>, kInterventionNames.size()> kInterventionRanges = {{
    {0, 10}, {1, 200}, {0, 0.99}, {-0.5, 1}, {0, 1e9}, {0, 10}, {0, 20}, {0, 20}}};

struct Intervention {
  InterventionKind kind;
  int start_month = 0, end_month = 0;  // active in [start, end)
  double size = 0;
  std::vector<bool> models;            // by model index; empty: every model
  bool applies_to(std::size_t model) const { return models.empty() || models[model]; }
};

// A rule: when a condition on the simulated state has held for `for_months` months in a row,
// start an intervention (for `duration_months`), at most `max_times`, `cooldown_months` apart
// (counted from the end of the last action it started), from `from_month` on. The condition reads
// the metrics of the months already simulated, so a rule acts in the month after they show it.
struct Rule {
  std::string id;
  enum class Test { above, below, grade_in } test = Test::above;
  std::size_t metric = 0;               // Metric index (grade_in: current_grade)
  double threshold = 0;
  std::array<bool, 5> grades{};         // grade_in: by engine grade 1..4
  int for_months = 1;
  InterventionKind action = InterventionKind::recruitment_campaign;
  double size = 0;
  int duration_months = 1;
  int max_times = 1, cooldown_months = 0, from_month = 1;
  std::vector<bool> models;             // as Intervention::models
  bool applies_to(std::size_t model) const { return models.empty() || models[model]; }
  bool holds(const double* metrics_row) const;
};

enum class OutputMode { full, summary };

struct Scenario {
  Profile profile;
  std::vector<DeliveryModel> models;
  std::vector<Intervention> interventions;
  std::vector<Rule> rules;
  std::vector<Risk> risks;             // the risk register in force (empty: no risk events)
  EngineParameters parameters;
  int months = 120;
  std::int64_t replicates = 100;
  std::uint64_t seed = 1;
  // The seed of a delivery model's uncertain effects and of its implementation risks (those not
  // of every model): the scenario's seed, but in a region sharing one vehicle the region's, so
  // that its councils meet one vehicle, implemented once, not one each.
  std::optional<std::uint64_t> vehicle_seed;
  int decision_month = 0;              // month the delivery-model decision is taken
  bool common_random_numbers = true;
  // Set by a regional run (region.hpp) for each council: the share of its leavers who move to
  // another council of the region. 0 in a single-council run.
  double regional_mover_share = 0;
  OutputMode output = OutputMode::full;
  int baseline = 0;                    // index of the model paired differences are taken against
};

// spec: the scenario JSON; catalogue: {"models": [...]} used to resolve model ids.
Scenario parse_scenario(const json& spec, const json& catalogue);
Profile parse_profile(const JsonReader& node);
DeliveryModel parse_delivery_model(const JsonReader& node);
// The values a hook's effect may take (finite; distributions must stay inside, no clamping).
struct HookRange { double min, max; };
HookRange hook_range(Hook hook);
// One effect's distribution for `hook`, validated against the hook's allowed range.
Distribution parse_effect(const JsonReader& node, Hook hook);
// A number (fixed) or a distribution object as for effects, every value within [min, max].
Distribution parse_uncertain(const JsonReader& node, double min, double max);
std::vector<std::string> catalogue_ids(const json& catalogue);
// The full entry of each model in a scenario's "models" array: catalogue entries with any
// overrides merged in (an overridden effect replaces the catalogue's distribution whole).
std::vector<json> resolve_model_entries(const JsonReader& models, const json& catalogue);

}  // namespace admsim
