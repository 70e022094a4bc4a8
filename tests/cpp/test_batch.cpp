// Batch evaluation: rows share random numbers, match the ensemble, and bad inputs are named.
#include <catch2/catch.hpp>
#include <cmath>

#include "admsim/batch.hpp"
#include "support.hpp"

using admsim::json;
using admsim::Metric;
using namespace admsim::test;

namespace {
struct Batch {
  admsim::Scenario scenario;
  std::vector<admsim::BatchInput> inputs;
  std::vector<admsim::BatchOutput> outputs;
};

Batch make_batch(const std::vector<std::string>& inputs, const std::vector<std::string>& outputs) {
  json spec = small_spec(3, 6);
  Batch b{admsim::parse_scenario(spec, catalogue()), {}, {}};
  b.inputs = admsim::parse_batch_inputs(b.scenario, inputs);
  b.outputs = admsim::parse_batch_outputs(b.scenario, outputs);
  return b;
}
}  // namespace

TEST_CASE("batch rows match the ensemble's outcome means and share random numbers") {
  const Batch b = make_batch({"quality_reversion_per_year", "latc.turnover"},
                             {"in_house.npv_cost", "latc.mean_turnover_rate", "latc.good_by_year3"});
  const std::vector<double> values = {0.35, 1.0, 0.6, 0.8, 0.35, 1.0};
  const auto out = admsim::evaluate_batch(b.scenario, b.inputs, b.outputs, values, 3);
  REQUIRE(out.size() == 9);
  for (std::size_t j = 0; j < 3; ++j) CHECK(out[j] == out[6 + j]);  // same inputs, same numbers
  CHECK(out[4] < out[1]);                                            // lower turnover effect

  // Row 0 equals a plain run with those values set in the scenario.
  admsim::Scenario s = b.scenario;
  s.parameters.quality_reversion_per_year = 0.35;
  s.models[1].effects[static_cast<std::size_t>(admsim::Hook::turnover)] = {admsim::DistKind::fixed, 1.0, 0, 0};
  s.models[1].has_effect[static_cast<std::size_t>(admsim::Hook::turnover)] = true;
  const auto r = admsim::run_ensemble(s);
  const auto npv = static_cast<std::size_t>(admsim::Outcome::npv_cost);
  CHECK(out[0] == Approx(r.outcome_mean[0 * admsim::kOutcomeCount + npv]).epsilon(1e-12));
}

TEST_CASE("batch results do not depend on the thread count") {
  const Batch b = make_batch({"caseload_turnover_elasticity"}, {"in_house.mean_caseload", "latc.total_cost"});
  const std::vector<double> values = {0.5, 1.0, 1.5, 2.0, 2.5};
  admsim::RunOptions one, many;
  one.threads = 1;
  many.threads = 4;
  CHECK(admsim::evaluate_batch(b.scenario, b.inputs, b.outputs, values, 5, one) ==
        admsim::evaluate_batch(b.scenario, b.inputs, b.outputs, values, 5, many));
}

TEST_CASE("batch inputs, outputs and values are validated with their position") {
  const admsim::Scenario s = admsim::parse_scenario(small_spec(), catalogue());
  auto pointer_of = [](auto&& call) {
    try {
      call();
    } catch (const admsim::ValidationError& e) {
      return e.pointer();
    }
    return std::string("no error");
  };
  CHECK(pointer_of([&] { admsim::parse_batch_inputs(s, {"discount_rate", "bogus"}); }) == "/inputs/1");
  CHECK(pointer_of([&] { admsim::parse_batch_inputs(s, {"latc.moral"}); }) == "/inputs/0");
  CHECK(pointer_of([&] { admsim::parse_batch_inputs(s, {"charity.turnover"}); }) == "/inputs/0");
  CHECK(pointer_of([&] { admsim::parse_batch_outputs(s, {"latc.npv"}); }) == "/outputs/0");
  const auto inputs = admsim::parse_batch_inputs(s, {"discount_rate"});
  const auto outputs = admsim::parse_batch_outputs(s, {"latc.npv_cost"});
  CHECK(pointer_of([&] { admsim::evaluate_batch(s, inputs, outputs, {0.03, 2.0}, 2); }) == "/values/1/0");
  CHECK(pointer_of([&] { admsim::evaluate_batch(s, inputs, outputs, {0.03, NAN}, 2); }) == "/values/1/0");
}

TEST_CASE("batch rows can sweep an intervention's size and timing and a rule's threshold") {
  json spec = small_spec(3, 6);
  spec["interventions"] = json::array({{{"type", "caseload_cap"}, {"start_month", 6}, {"duration_months", 12}, {"size", 15}}});
  spec["rules"] = json::array({{{"when", {{"metric", "caseload"}, {"above", 1000}}},
                                {"then", {{"type", "recruitment_campaign"}, {"size", 1.5}, {"duration_months", 6}}}}});
  const admsim::Scenario s = admsim::parse_scenario(spec, catalogue());
  const auto inputs = admsim::parse_batch_inputs(
      s, {"interventions.0.size", "interventions.0.start_month", "rules.0.threshold"});
  const auto outputs = admsim::parse_batch_outputs(s, {"in_house.total_cost", "in_house.mean_caseload"});
  // row 0: the scenario as written; row 1: a tighter cap, earlier; row 2: the rule fires (threshold 0)
  const std::vector<double> values = {15, 6, 1000, 12, 0.4, 1000, 15, 6, 0};
  const auto out = admsim::evaluate_batch(s, inputs, outputs, values, 3);
  const auto base = admsim::run_ensemble(s);
  const auto cost = static_cast<std::size_t>(admsim::Outcome::total_cost);
  CHECK(out[0] == Approx(base.outcome_mean[cost]).epsilon(1e-12));
  CHECK(out[3] < out[1]);  // the tighter cap, from month 0 (0.4 rounds down), lowers caseloads
  CHECK(out[2] > out[0]);  // more staff under the cap cost more
  CHECK(out[4] != out[0]); // the rule's recruitment campaign changes spending
}

TEST_CASE("intervention and rule inputs are validated with their position") {
  json spec = small_spec(1, 2);
  spec["interventions"] = json::array({{{"type", "agency_cap"}, {"start_month", 0}, {"size", 0.2}}});
  const admsim::Scenario s = admsim::parse_scenario(spec, catalogue());
  auto pointer_of = [](auto&& call) {
    try {
      call();
    } catch (const admsim::ValidationError& e) {
      return e.pointer();
    }
    return std::string("(no error)");
  };
  CHECK(pointer_of([&] { admsim::parse_batch_inputs(s, {"interventions.1.size"}); }) == "/inputs/0");
  CHECK(pointer_of([&] { admsim::parse_batch_inputs(s, {"quality_reversion_per_year", "interventions.0.colour"}); }) == "/inputs/1");
  CHECK(pointer_of([&] { admsim::parse_batch_inputs(s, {"rules.0.threshold"}); }) == "/inputs/0");
  const auto inputs = admsim::parse_batch_inputs(s, {"interventions.0.size"});
  const auto outputs = admsim::parse_batch_outputs(s, {"in_house.total_cost"});
  CHECK(pointer_of([&] { admsim::evaluate_batch(s, inputs, outputs, {0.2, 3.0}, 2); }) == "/values/1/0");
}

TEST_CASE("batch outputs can be a metric at the end or averaged over the months") {
  const admsim::Scenario s = admsim::parse_scenario(small_spec(2, 6), catalogue());
  const auto inputs = admsim::parse_batch_inputs(s, {"quality_reversion_per_year"});
  const auto outputs = admsim::parse_batch_outputs(s, {"latc.caseload@end", "in_house.agency_share@mean", "latc.npv_cost"});
  const auto out = admsim::evaluate_batch(s, inputs, outputs, {s.parameters.quality_reversion_per_year}, 1);
  const auto r = admsim::run_ensemble(s);
  const std::size_t T = r.months, K = admsim::kMetricCount;
  const auto caseload = static_cast<std::size_t>(Metric::caseload), agency = static_cast<std::size_t>(Metric::agency_share);
  CHECK(out[0] == Approx(r.metric_mean[(1 * T + T - 1) * K + caseload]).epsilon(1e-12));
  double mean = 0;
  for (std::size_t t = 0; t < T; ++t) mean += r.metric_mean[(0 * T + t) * K + agency] / double(T);
  CHECK(out[1] == Approx(mean).epsilon(1e-12));
  CHECK_THROWS_AS(admsim::parse_batch_outputs(s, {"latc.moral@end"}), admsim::ValidationError);
  CHECK_THROWS_AS(admsim::parse_batch_outputs(s, {"latc.caseload@median"}), admsim::ValidationError);
}
