#include "admsim/risks.hpp"

namespace admsim {

const std::vector<RiskInfo>& risk_register() {
  using W = RiskWindow;
  using A = RiskApplies;
  using E = RiskEffect;
  static const std::vector<RiskInfo> table = {
      {"implementation_effort", "Considerable effort to design and implement the new model disrupts delivery",
       'H', 'H', W::implementation, A::new_arrangement, E::quality_drop},
      {"improvement_stalls", "Operational social work does not continue to improve during transition",
       'M', 'H', W::implementation, A::new_arrangement, E::improvement_stall},
      {"social_worker_shortage", "National shortage of experienced social workers",
       'H', 'M', W::ongoing, A::always, E::recruitment_squeeze},
      {"partners_disrupted", "Transition has a negative impact on partners and the rest of the council",
       'M', 'M', W::implementation, A::new_arrangement, E::quality_drop},
      {"demand_above_forecast", "Demand rises beyond the budget forecast (e.g. unaccompanied asylum-seeking children)",
       'M', 'M', W::ongoing, A::always, E::demand_rise},
      {"savings_undeliverable", "Specified savings plan is not deliverable",
       'L', 'H', W::ongoing, A::always, E::cost_overrun},
      {"setup_cost_burden", "Set-up and transition costs place a burden on the council",
       'H', 'H', W::implementation, A::new_arrangement, E::setup_overrun},
      {"staff_transfer_unrest", "Transfer of employees to a new entity causes unease and disruption",
       'L', 'M', W::implementation, A::staff_transfer, E::turnover_spike},
      {"contract_delays", "Commissioning function not set up to manage contracts: delays in set-up",
       'M', 'H', W::implementation, A::contract_managed, E::go_live_delay},
      {"consultation_delay", "Widespread consultation and staff opposition delay the transfer",
       'M', 'M', W::implementation, A::staff_transfer, E::go_live_delay},
  };
  return table;
}

}  // namespace admsim
