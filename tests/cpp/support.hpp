#pragma once
// Shared fixtures for the engine tests: the shipped catalogue and a small test profile.
#include <fstream>
#include <sstream>
#include <string>

#include "admsim/ensemble.hpp"
#include "admsim/json_reader.hpp"
#include "admsim/scenario.hpp"

namespace admsim::test {

inline json read_json(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return parse_json_text(text.str());
}

inline const json& catalogue() {
  static const json c = read_json(std::string(ADMSIM_DATA_DIR) + "/catalogue.json");
  return c;
}

// The shipped risk register (seed 002 section 7), as a scenario's "risks".
inline const json& risk_register() {
  static const json r = read_json(std::string(ADMSIM_DATA_DIR) + "/risk_register.json")["risks"];
  return r;
}

inline json small_spec(int years = 2, int replicates = 4) {
  json spec;
  spec["risks"] = risk_register();
  spec["profile"] = read_json(std::string(ADMSIM_TEST_DATA_DIR) + "/profile_small.json");
  spec["models"] = json::array({"in_house", "latc", "independent_trust"});
  spec["years"] = years;
  spec["replicates"] = replicates;
  spec["seed"] = 11;
  return spec;
}

// No risk events: for tests of the engine's own balance.
inline void quiet(json& spec) {
  spec["parameters"]["risk_probability_high"] = 0.0;
  spec["parameters"]["risk_probability_medium"] = 0.0;
  spec["parameters"]["risk_probability_low"] = 0.0;
}

inline double metric(const EnsembleResult& r, std::size_t model, std::int64_t rep, std::size_t month,
                     Metric m) {
  const std::size_t at = ((model * static_cast<std::size_t>(r.replicates) + static_cast<std::size_t>(rep)) *
                          r.months + month) * kMetricCount + static_cast<std::size_t>(m);
  return r.metrics[at];
}

}  // namespace admsim::test
