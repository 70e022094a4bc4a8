// Regional runs: councils stepped together, sharing a labour market.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "admsim/region.hpp"
#include "support.hpp"

using admsim::json;
using admsim::Metric;
using namespace admsim::test;

namespace {
json region_spec(double mover_share, int years = 2, int replicates = 6) {
  json spec = small_spec(years, replicates);
  spec.erase("profile");
  spec["models"] = json::array({"in_house", "latc"});
  const json example = read_json(std::string(ADMSIM_DATA_DIR) + "/profiles/example-county.json");
  spec["councils"] = json::array({{{"name", "Small"}, {"profile", small_spec()["profile"]}},
                                  {{"name", "Example"}, {"profile", example}}});
  spec["labour_market"] = {{"mover_share", mover_share}};
  return spec;
}

double at(const admsim::EnsembleResult& r, std::size_t m, std::size_t rep, std::size_t t, Metric k) {
  return metric(r, m, static_cast<std::int64_t>(rep), t, k);
}
}  // namespace

TEST_CASE("without coupling every council is its own single-council run, bit for bit", "[region]") {
  const json spec = region_spec(0.0);
  const auto region = admsim::parse_regional_scenario(spec, catalogue());
  REQUIRE(region.councils.size() == 2);
  const auto together = admsim::run_region(region);
  for (std::size_t c = 0; c < 2; ++c) {
    const auto alone = admsim::run_ensemble(region.councils[c]);
    CHECK(together.councils[c].metrics == alone.metrics);
    CHECK(together.councils[c].metric_mean == alone.metric_mean);
    CHECK(together.councils[c].events.size() == alone.events.size());
  }
}

TEST_CASE("with coupling, workers moving between councils are conserved", "[region]") {
  const auto region = admsim::parse_regional_scenario(region_spec(0.4, 3, 8), catalogue());
  const auto r = admsim::run_region(region);
  const auto& a = r.councils[0];
  const auto& b = r.councils[1];
  double moved = 0;
  for (std::size_t m = 0; m < 2; ++m) {
    for (std::size_t rep = 0; rep < 8; ++rep) {
      for (std::size_t t = 1; t < a.months; ++t) {
        INFO("option " << m << ", replicate " << rep << ", month " << t);
        const double out = at(a, m, rep, t - 1, Metric::movers_out) + at(b, m, rep, t - 1, Metric::movers_out);
        const double in = at(a, m, rep, t, Metric::movers_in) + at(b, m, rep, t, Metric::movers_in);
        const double unplaced = r.unplaced[(m * 8 + rep) * a.months + t];
        REQUIRE(in + unplaced == out);  // last month's movers are hired or leave the region
        for (const auto* council : {&a, &b}) {
          // each council's own books: in post = last month's - leavers + hires (movers included)
          REQUIRE(at(*council, m, rep, t, Metric::social_workers) ==
                  at(*council, m, rep, t - 1, Metric::social_workers) - at(*council, m, rep, t, Metric::leavers) +
                      at(*council, m, rep, t, Metric::hires));
          REQUIRE(at(*council, m, rep, t, Metric::movers_in) <= at(*council, m, rep, t - 1, Metric::vacancies));
          REQUIRE(at(*council, m, rep, t, Metric::movers_out) <= at(*council, m, rep, t, Metric::leavers));
        }
        moved += in;
      }
    }
  }
  CHECK(moved > 0);
}

TEST_CASE("one council's recruitment campaign draws movers from the other", "[region]") {
  auto movers_to_small = [](bool campaign) {
    json spec = region_spec(0.5, 3, 40);
    if (campaign) {
      spec["councils"][1]["interventions"] = json::array({{{"type", "recruitment_campaign"}, {"start_month", 0}, {"size", 3.0}}});
    }
    const auto r = admsim::run_region(admsim::parse_regional_scenario(spec, catalogue()));
    double sum = 0;
    for (std::size_t rep = 0; rep < 40; ++rep)
      for (std::size_t t = 0; t < r.councils[0].months; ++t) sum += at(r.councils[0], 0, rep, t, Metric::movers_in);
    return sum;
  };
  CHECK(movers_to_small(true) < movers_to_small(false));
}

TEST_CASE("regional results do not depend on the thread count", "[region]") {
  const auto region = admsim::parse_regional_scenario(region_spec(0.3), catalogue());
  admsim::RunOptions one, two;
  one.threads = 1;
  two.threads = 2;
  two.block_replicates = 4;
  const auto x = admsim::run_region(region, one), y = admsim::run_region(region, two);
  for (std::size_t c = 0; c < 2; ++c) CHECK(x.councils[c].metrics == y.councils[c].metrics);
  CHECK(x.unplaced == y.unplaced);
}

TEST_CASE("a hub and an alliance do not depend on the thread count or block size", "[region]") {
  json spec = region_spec(0.3, 3, 10);
  spec["commissioning_hub"] = {{"share", {{"dist", "uniform"}, {"low", 0.2}, {"high", 0.6}}}};
  spec["improvement_alliance"] = json::object();
  const auto region = admsim::parse_regional_scenario(spec, catalogue());
  REQUIRE(region.hub);
  REQUIRE(region.alliance);
  admsim::RunOptions one, two, three;
  one.threads = 1;
  two.threads = 2;
  two.block_replicates = 4;
  three.threads = 2;
  three.block_replicates = 3;
  const auto x = admsim::run_region(region, one), y = admsim::run_region(region, two), z = admsim::run_region(region, three);
  for (std::size_t c = 0; c < 2; ++c) {
    CHECK(x.councils[c].metrics == y.councils[c].metrics);
    CHECK(x.councils[c].metrics == z.councils[c].metrics);
  }
  CHECK(x.hub_savings == y.hub_savings);
  CHECK(x.hub_savings == z.hub_savings);
  CHECK(x.net_good == z.net_good);
  CHECK(x.hub_savings.size() == 2 * 10 * 3);
}

TEST_CASE("bad regional scenarios name the field", "[region]") {
  auto pointer_of = [](const json& spec) {
    try {
      admsim::parse_regional_scenario(spec, catalogue());
    } catch (const admsim::ValidationError& e) {
      return e.pointer();
    }
    return std::string("(no error)");
  };
  json spec = region_spec(0.3);
  spec["councils"][1]["profile"]["population"]["children_0_17"] = -4;
  CHECK(pointer_of(spec) == "/councils/1/profile/population/children_0_17");
  spec = region_spec(0.3);
  spec["councils"][1]["models"] = json::array({"in_house"});
  CHECK(pointer_of(spec) == "/councils/1/models");
  spec = region_spec(0.3);
  spec["years"] = 0;
  CHECK(pointer_of(spec) == "/years");
  spec = region_spec(1.5);
  CHECK(pointer_of(spec) == "/labour_market/mover_share");
  spec = region_spec(0.3);
  spec["councils"][0]["colour"] = "red";
  CHECK(pointer_of(spec) == "/councils/0/colour");
  spec = region_spec(0.3);
  spec["councils"] = json::array();
  CHECK(pointer_of(spec) == "/councils");
  spec = region_spec(0.3);
  spec["commissioning_hub"] = {{"ramp_months", -1}};
  CHECK(pointer_of(spec) == "/commissioning_hub/ramp_months");
  spec = region_spec(0.3);
  spec["improvement_alliance"] = {{"options", json::array({5})}};
  CHECK(pointer_of(spec) == "/improvement_alliance/options/0");
}

TEST_CASE("a shared vehicle's set-up cost is paid once by the region, split by the rule", "[region]") {
  for (const char* split : {"equal", "population", "use"}) {
    INFO(split);
    json spec = region_spec(0.0, 2, 5);
    spec["vehicle"] = {{"cost_split", split}};
    const auto region = admsim::parse_regional_scenario(spec, catalogue());
    const auto shared = admsim::run_region(region);
    // Alone, each council drawing with the region's seed: the one vehicle's draw, paid whole.
    json apart = region_spec(0.0, 2, 5);
    apart["council_streams"] = "shared";
    const auto alone = admsim::run_region(admsim::parse_regional_scenario(apart, catalogue()));
    double share_sum = 0;
    for (double s : region.cost_shares) share_sum += s;
    CHECK(share_sum == Approx(1.0));
    const auto setup = static_cast<std::size_t>(admsim::Outcome::setup_cost);
    const auto K = admsim::kOutcomeCount;
    for (std::size_t rep = 0; rep < 5; ++rep) {
      // option 1 (latc): the councils' shares add up to the one vehicle's cost, the same draw
      // each council would pay alone
      const double whole = alone.councils[0].outcomes[(1 * 5 + rep) * K + setup];
      CHECK(alone.councils[1].outcomes[(1 * 5 + rep) * K + setup] == Approx(whole));
      const double parts = shared.councils[0].outcomes[(1 * 5 + rep) * K + setup] +
                           shared.councils[1].outcomes[(1 * 5 + rep) * K + setup];
      CHECK(parts == Approx(whole).epsilon(1e-12));
      CHECK(shared.councils[0].outcomes[rep * K + setup] == 0.0);  // in-house sets nothing up
    }
  }
  json bad = region_spec(0.0);
  bad["vehicle"] = {{"cost_split", "by_mood"}};
  CHECK_THROWS_AS(admsim::parse_regional_scenario(bad, catalogue()), admsim::ValidationError);
}

TEST_CASE("a regional agency-rate agreement caps the premium and can lengthen assignments", "[region]") {
  const auto plain = admsim::run_region(admsim::parse_regional_scenario(region_spec(0.0, 2, 6), catalogue()));
  json spec = region_spec(0.0, 2, 6);
  spec["agency_agreement"] = {{"premium_cap", 0.2}};
  const auto region = admsim::parse_regional_scenario(spec, catalogue());
  for (const auto& s : region.councils) {
    CHECK(s.profile.weekly_cost_agency <= s.profile.weekly_cost_employed * 1.2 + 1e-9);
  }
  const auto capped = admsim::run_region(region);
  double staff_plain = 0, staff_capped = 0;
  for (std::size_t c = 0; c < 2; ++c) {
    for (std::size_t rep = 0; rep < 6; ++rep) {
      for (std::size_t t = 0; t < capped.councils[c].months; ++t) {
        // the cap changes what agency staff cost, not how many there are
        REQUIRE(at(capped.councils[c], 0, rep, t, Metric::agency_workers) == at(plain.councils[c], 0, rep, t, Metric::agency_workers));
        staff_plain += at(plain.councils[c], 0, rep, t, Metric::cost_staff);
        staff_capped += at(capped.councils[c], 0, rep, t, Metric::cost_staff);
      }
    }
  }
  CHECK(staff_capped < staff_plain);
  spec["agency_agreement"]["assignment_months"] = 15;
  const auto longer = admsim::run_region(admsim::parse_regional_scenario(spec, catalogue()));
  double ends_capped = 0, ends_longer = 0;
  for (std::size_t rep = 0; rep < 6; ++rep)
    for (std::size_t t = 0; t < longer.councils[1].months; ++t) {
      ends_capped += at(capped.councils[1], 0, rep, t, Metric::agency_ends);
      ends_longer += at(longer.councils[1], 0, rep, t, Metric::agency_ends);
    }
  CHECK(ends_longer < ends_capped);
  spec["agency_agreement"]["premium_cap"] = -1;
  CHECK_THROWS_AS(admsim::parse_regional_scenario(spec, catalogue()), admsim::ValidationError);
}
