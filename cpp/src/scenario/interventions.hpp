#pragma once
// Internal: the scenario's interventions (fixed dates) and rules (triggered by the simulated
// state), parsed after the delivery models so that either can be limited to named models.
#include "admsim/scenario.hpp"

namespace admsim::detail {

void parse_interventions(const JsonReader& list, Scenario& s);
void parse_rules(const JsonReader& list, Scenario& s);

}  // namespace admsim::detail
