#pragma once
// Risk events. The register is data (python/admsim/data/risk_register.json: seed 002's section 7,
// each risk with the passage it rests on) that a scenario carries in "risks"; nothing here names
// a risk. Which risks apply to a delivery model follows from its attributes and effects alone.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "admsim/json_reader.hpp"

namespace admsim {

// When a risk can happen: once in the set-up and transition window; each year; once in a fixed
// window of months; or each year from go-live on.
enum class RiskWindow { implementation, ongoing, period, after_go_live };
inline constexpr std::array<const char*, 4> kRiskWindowNames = {"implementation", "ongoing", "period",
                                                                "after_go_live"};
// To which arrangements: any (in-house too); new arrangements (set-up time, transition or set-up
// cost); new ones that transfer staff (TUPE); new ones with medium or high contract management;
// new ones operationally independent of the council.
enum class RiskApplies { all, new_arrangement, staff_transfer, contract_managed, separate_entity };
inline constexpr std::array<const char*, 5> kRiskAppliesNames = {"all", "new_arrangement", "staff_transfer",
                                                                 "contract_managed", "separate_entity"};
// What it does, `size` per unit of impact scale (risk_impact_*), for `months` months:
enum class RiskEffect {
  quality_drop,         // latent quality falls by size SD at once
  improvement_stall,    // quality target lowered by size SD
  recruitment_squeeze,  // vacancy filling x (1 - size)
  demand_rise,          // referrals and care entries x (1 + size)
  cost_overrun,         // size x the annual budget, spread over the months
  setup_overrun,        // set-up cost x (1 + size)
  turnover_spike,       // leaving hazard x (1 + size)
  go_live_delay,        // go-live later by size months
  placement_cost_rise,  // placement costs x (1 + size)
};
inline constexpr std::array<const char*, 9> kRiskEffectNames = {
    "quality_drop", "improvement_stall", "recruitment_squeeze", "demand_rise", "cost_overrun",
    "setup_overrun", "turnover_spike", "go_live_delay", "placement_cost_rise"};

struct Risk {
  std::string id;
  char likelihood = 'M', impact = 'M';  // 'H', 'M' or 'L' as in the register
  RiskWindow window = RiskWindow::ongoing;
  int window_start = 0, window_end = 0;  // months, for RiskWindow::period
  RiskApplies applies = RiskApplies::all;
  RiskEffect effect = RiskEffect::quality_drop;
  double size = 0;
  int months = 1;
  std::uint32_t stream_key = 0;  // from the id: a risk's draws do not move when others change
};

// The scenario's "risks" array; errors name the JSON pointer (/risks/3/effect/size).
std::vector<Risk> parse_risks(const JsonReader& list);

}  // namespace admsim
