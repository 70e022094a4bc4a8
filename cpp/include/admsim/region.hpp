#pragma once
// Regional runs: several councils simulated together, month by month, replicate by replicate,
// sharing a labour market. Each council is a full scenario (its profile, its delivery model for
// each of the region's options, its interventions and rules); option k of the region is model k
// of every council. With coupling off every council's results are bit-identical to its own
// single-council run with the same seed.
#include <limits>
#include <string>
#include <vector>

#include "admsim/ensemble.hpp"
#include "admsim/scenario.hpp"

namespace admsim {

struct RegionalScenario {
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
};

// spec: {"councils": [{"name", "profile", "models"?, "parameters"?, "interventions"?, "rules"?,
// ...}], "models": [...], "years", "replicates", "seed", "output", ..., "labour_market":
// {"mover_share"}, "vehicle": {"cost_split"}, "agency_agreement": {"premium_cap",
// "assignment_months"}}. A council's own fields override the region's ("parameters" are merged).
// Errors name the JSON pointer of the regional document.
RegionalScenario parse_regional_scenario(const json& spec, const json& catalogue);

struct RegionalResult {
  std::vector<EnsembleResult> councils;
  // Full mode: movers of the month before that no council took, [option][replicate][month].
  std::vector<double> unplaced;
};

RegionalResult run_region(const RegionalScenario& region, const RunOptions& options = {});

}  // namespace admsim
