#pragma once
// Internal: a region's commissioning hub and improvement alliance, parsed from the regional
// document and turned into each council's terms for a month (engine/replicate.hpp RegionalTerms).
#include <cstdint>
#include <string>
#include <vector>

#include "admsim/region.hpp"
#include "engine/replicate.hpp"

namespace admsim::detail {

// Each council's share of a sum split by `rule`: "equal", by "population" of children or by
// "use" (children in care); sums to 1.
std::vector<double> split_shares(const std::string& rule, const std::vector<Scenario>& councils);

// `node` is "commissioning_hub" / "improvement_alliance"; vehicle_split is the region's vehicle
// rule (empty without one).
CommissioningHub parse_hub(const JsonReader& node, const std::vector<Scenario>& councils,
                           const std::string& vehicle_split);
ImprovementAlliance parse_alliance(const JsonReader& node, const std::vector<Scenario>& councils);

// One replicate's draws (the same for every council and option: common random numbers).
struct HubDraw {
  double share = 0, discount = 0;
};
HubDraw draw_hub(const CommissioningHub& hub, std::uint64_t seed, std::uint64_t replicate);
double draw_alliance(const ImprovementAlliance& alliance, std::uint64_t seed, std::uint64_t replicate);

// The region's hub cost in month t (set-up and running), GBP, and the share of external
// placements bought through it that month.
double hub_cost(const CommissioningHub& hub, int t);
double hub_take_up(const CommissioningHub& hub, const HubDraw& draw, int t);

// Adds the hub's terms for council c in month t to `terms`.
void add_hub_terms(const CommissioningHub& hub, const HubDraw& draw, std::size_t c, int t, RegionalTerms& terms);

// Adds the alliance's terms for month t to every council's, given their latest grades.
void add_alliance_terms(const ImprovementAlliance& alliance, double effect, const std::vector<int>& grades,
                        std::vector<RegionalTerms>& terms);

}  // namespace admsim::detail
