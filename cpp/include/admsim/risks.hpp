#pragma once
// The risk register of seed 002 (Birmingham case for change, section 7) as events the engine can
// simulate. Which risks apply to a delivery model follows from its attributes and effects alone.
#include <cstddef>
#include <vector>

namespace admsim {

enum class RiskWindow { implementation, ongoing };   // set-up + transition, or any year
enum class RiskApplies { always, new_arrangement, staff_transfer, contract_managed };
enum class RiskEffect {
  quality_drop,         // latent quality falls by 0.3 x impact SD at once
  improvement_stall,    // quality target lowered by 0.5 x impact SD for 6 months
  recruitment_squeeze,  // vacancy filling x (1 - 0.4 x impact) for 12 months
  demand_rise,          // referrals and care entries x (1 + 0.15 x impact) for 12 months
  cost_overrun,         // 3% x impact of the annual budget spread over 12 months
  setup_overrun,        // set-up cost x (1 + 0.5 x impact)
  turnover_spike,       // leaving hazard x (1 + 0.5 x impact) for 6 months
  go_live_delay,        // go-live later by 6 x impact months
};

struct RiskInfo {
  const char* id;
  const char* description;  // the register's wording, shortened
  char likelihood;          // 'H', 'M' or 'L' as in the register
  char impact;
  RiskWindow window;
  RiskApplies applies;
  RiskEffect effect;
};

const std::vector<RiskInfo>& risk_register();

}  // namespace admsim
