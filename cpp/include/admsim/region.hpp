#pragma once
// Regional runs: several councils simulated together, month by month, replicate by replicate,
// sharing a labour market. Each council is a full scenario (its profile, its delivery model for
// each of the region's options, its interventions and rules); option k of the region is model k
// of every council. With coupling off every council's results are bit-identical to its own
// single-council run with the same seed.
#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "admsim/ensemble.hpp"
#include "admsim/scenario.hpp"

namespace admsim {

// A regional commissioning hub (seed 001: "self-sufficient within three years ... through better
// management of the marketplace and the collaborative buying power of the region's councils").
// From start_month it costs setup_cost (spread over setup_months) and running_cost a year, split
// among the councils by cost_shares; it buys a share of each council's external placements (a
// share external[k] of placement type k is bought on the market) rising linearly over
// ramp_months to `share`, at `discount` off the weekly price. share and discount are drawn once
// per replicate (kStreamRegionHub), the same for every council and option. Only the options
// marked in `options` have it.
struct CommissioningHub {
  int start_month = 0, setup_months = 6, ramp_months = 24;
  double setup_cost = 0, running_cost = 0;  // GBP; GBP a year
  Distribution share, discount;
  std::array<double, kPlacementCount> external{};
  std::string cost_split;
  std::vector<double> cost_shares;  // by council, sum 1
  std::vector<bool> options;        // by option
  // Whole years of the hub within a horizon of `months`.
  int years(int months) const { return months > start_month ? (months - start_month) / 12 : 0; }
};

// Improvement support between councils (the West Midlands Regional Improvement and Innovation
// Alliance): each month a council whose latest grade is Requires Improvement or Inadequate gets
// `effect` times the share of the region's other councils graded Good or Outstanding on its
// quality target (the improvement lever, SD units); the strong councils pay cost_per_year for each
// council supported, split equally among them. effect is drawn once per replicate
// (kStreamRegionAlliance). Only the options marked in `options` have it.
struct ImprovementAlliance {
  Distribution effect;
  double cost_per_year = 0;
  std::vector<bool> options;
};

// A council's seed in a region whose councils draw independent random numbers: a hash of the
// region's seed and the council's name (below 2^53, so a scenario can be given it), the same in
// any region and whatever the councils' order.
std::uint64_t council_seed(std::uint64_t seed, const std::string& name);

struct RegionalScenario {
  // The region's seed: its labour market, hub and alliance draws, and (with independent
  // councils) the root of each council's own seed.
  std::uint64_t seed = 1;
  // "independent" (the default): each council draws its own random numbers (council_seed), as
  // separate places do; options still share them (common random numbers) within a council, and a
  // shared vehicle's effects and implementation risks are drawn once for the region. "shared":
  // every council uses the region's seed, so each is bit-identical to its single-council run
  // with that seed (with coupling off) and shocks are perfectly correlated across councils.
  bool independent_councils = true;
  std::vector<std::string> names;   // the councils', as given (or "council <i>")
  std::vector<Scenario> councils;   // the same years, replicates, seed, output and option count
  // The shared labour market: the share of each council's leavers who move to another council
  // of the region; each month the region's movers of last month are offered to its councils in
  // proportion to their vacancies times their pull (recruitment effect, campaigns and pay).
  // Movers no council takes leave the region.
  double mover_share = 0;
  // A shared delivery vehicle: each council's share of the set-up, contract-management and
  // trading sums of every option but in-house ("equal", by "population" of children or by
  // "use": children in care), so the region pays for one vehicle, not one per council.
  // Empty: no sharing (each council bears the whole, as if it set one up alone).
  std::string cost_split;
  std::vector<double> cost_shares;  // by council; sum 1 when cost_split is set
  // A regional agency-rate agreement: every council pays agency social workers at most
  // (1 + premium_cap) times its employed cost, and (optionally) assignments last
  // assignment_months on average, as workers no longer move for a better rate. NaN: none.
  double agency_premium_cap = std::numeric_limits<double>::quiet_NaN();
  double agency_assignment_months = std::numeric_limits<double>::quiet_NaN();
  std::optional<CommissioningHub> hub;
  std::optional<ImprovementAlliance> alliance;
};

// spec: {"councils": [{"name", "profile", "models"?, "parameters"?, "interventions"?, "rules"?,
// ...}], "models": [...], "years", "replicates", "seed", "output", ..., "labour_market":
// {"mover_share"}, "vehicle": {"cost_split"}, "agency_agreement": {"premium_cap",
// "assignment_months"}, "commissioning_hub": {...}, "improvement_alliance": {...}}. A council's own fields override the region's ("parameters" are merged).
// Errors name the JSON pointer of the regional document.
RegionalScenario parse_regional_scenario(const json& spec, const json& catalogue);

struct RegionalResult {
  std::vector<EnsembleResult> councils;
  // Full mode: movers of the month before that no council took, [option][replicate][month].
  std::vector<double> unplaced;
  // With a hub: GBP its discount saved the region's councils, [option][replicate][hub year].
  std::vector<double> hub_savings;
  // The alliance's measure, [option][replicate][month]: councils whose latest grade is Good or
  // Outstanding minus those Inadequate, at the end of the month (with or without an alliance).
  std::vector<double> net_good;
};

RegionalResult run_region(const RegionalScenario& region, const RunOptions& options = {});

}  // namespace admsim
