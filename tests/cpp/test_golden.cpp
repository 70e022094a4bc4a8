// Golden-file regression: a small scenario's numbers are pinned, so refactors that change them
// are seen. After a deliberate model change, regenerate with
//   ADMSIM_UPDATE_GOLDEN=1 ./admsim_tests "[golden]"
// and say why in the commit.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <fstream>

#include "support.hpp"

using admsim::json;
using namespace admsim::test;

TEST_CASE("golden small scenario", "[golden]") {
  json spec = small_spec(2, 3);
  spec["models"] = json::array({"in_house", "independent_trust"});
  spec["interventions"] = json::array({{{"type", "recruitment_campaign"}, {"start_month", 3}, {"duration_months", 6}, {"size", 1.2}}});
  const auto r = admsim::run_ensemble(admsim::parse_scenario(spec, catalogue()));
  json got;
  got["metric_mean"] = r.metric_mean;
  std::vector<double> outcomes;
  for (double v : r.outcomes) outcomes.push_back(std::isnan(v) ? -999.0 : v);  // JSON has no NaN
  got["outcomes"] = outcomes;
  got["events"] = r.events.size();

  const std::string path = std::string(ADMSIM_TEST_DATA_DIR) + "/golden_small.json";
  if (std::getenv("ADMSIM_UPDATE_GOLDEN")) {
    std::ofstream(path) << got.dump(1) << "\n";
    WARN("golden file rewritten: " << path);
    return;
  }
  const json want = read_json(path);
  REQUIRE(want["events"] == got["events"]);
  for (const char* key : {"metric_mean", "outcomes"}) {
    const auto& a = want[key];
    const auto& b = got[key];
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      INFO(key << "[" << i << "]");
      REQUIRE(b[i].get<double>() == Approx(a[i].get<double>()).epsilon(1e-12).margin(1e-9));
    }
  }
}
