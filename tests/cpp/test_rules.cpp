// Rules (interventions triggered by the simulated state) and interventions limited to named models.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>

#include "admsim/engine.hpp"
#include "support.hpp"

using admsim::json;
using admsim::Metric;
using namespace admsim::test;

namespace {
admsim::EnsembleResult run(const json& spec) { return admsim::run_ensemble(admsim::parse_scenario(spec, catalogue())); }

// A condition that holds every month (there are always children).
json always() { return {{"metric", "population"}, {"above", 0}}; }

json recruitment(int months) {
  return {{"type", "recruitment_campaign"}, {"size", 1.5}, {"duration_months", months}};
}

std::string error_pointer(const json& spec) {
  try {
    admsim::parse_scenario(spec, catalogue());
  } catch (const admsim::ValidationError& e) {
    return e.pointer();
  }
  return "(no error)";
}
}  // namespace

TEST_CASE("a rule fires when its condition has held, at most max_times, cooldown apart", "[rules]") {
  json spec = small_spec(2, 3);
  spec["rules"] = json::array({{{"when", always()}, {"then", recruitment(3)}, {"max_times", 2},
                                {"cooldown_months", 2}}});
  const auto r = run(spec);
  for (std::size_t m = 0; m < r.models; ++m) {
    for (std::int64_t rep = 0; rep < r.replicates; ++rep) {
      for (std::size_t t = 0; t < r.months; ++t) {
        INFO("model " << m << ", replicate " << rep << ", month " << t);
        // Month 1 reads month 0; the action runs in 1-3, the cooldown in 4-5, the next starts at 6.
        CHECK(metric(r, m, rep, t, Metric::rule_actions) == ((t == 1 || t == 6) ? 1.0 : 0.0));
      }
    }
  }
}

TEST_CASE("for_months counts months in a row", "[rules]") {
  json spec = small_spec(1, 2);
  json when = always();
  when["for_months"] = 4;
  spec["rules"] = json::array({{{"when", when}, {"then", recruitment(2)}}});
  const auto r = run(spec);
  for (std::size_t t = 0; t < r.months; ++t) CHECK(metric(r, 0, 1, t, Metric::rule_actions) == (t == 4 ? 1.0 : 0.0));
}

TEST_CASE("a rule's action is exactly the intervention it starts", "[rules]") {
  json fixed = small_spec(2, 3);
  fixed["interventions"] = json::array({{{"type", "recruitment_campaign"}, {"start_month", 1},
                                         {"duration_months", 6}, {"size", 1.5}}});
  json ruled = small_spec(2, 3);
  ruled["rules"] = json::array({{{"when", always()}, {"then", recruitment(6)}}});
  const auto a = run(fixed), b = run(ruled);
  REQUIRE(a.metrics.size() == b.metrics.size());
  const auto skip = static_cast<std::size_t>(Metric::rule_actions);
  for (std::size_t i = 0; i < a.metrics.size(); ++i) {
    if (i % admsim::kMetricCount == skip) continue;
    REQUIRE(a.metrics[i] == b.metrics[i]);
  }
  REQUIRE(a.outcomes.size() == b.outcomes.size());
  for (std::size_t i = 0; i < a.outcomes.size(); ++i) {
    REQUIRE((a.outcomes[i] == b.outcomes[i] || (std::isnan(a.outcomes[i]) && std::isnan(b.outcomes[i]))));
  }
}

TEST_CASE("interventions and rules can be limited to named models", "[rules]") {
  const auto plain = run(small_spec(2, 3));
  json spec = small_spec(2, 3);
  spec["interventions"] = json::array({{{"type", "caseload_cap"}, {"start_month", 0}, {"size", 12},
                                        {"models", {"latc"}}}});
  spec["rules"] = json::array({{{"when", always()}, {"then", recruitment(6)}, {"models", {"independent_trust"}}}});
  const auto r = run(spec);
  double rules_in_house = 0, rules_trust = 0;
  for (std::int64_t rep = 0; rep < r.replicates; ++rep) {
    for (std::size_t t = 0; t < r.months; ++t) {
      rules_in_house += metric(r, 0, rep, t, Metric::rule_actions);
      rules_trust += metric(r, 2, rep, t, Metric::rule_actions);
      // in-house has neither: identical to the run without them
      REQUIRE(metric(r, 0, rep, t, Metric::cost) == metric(plain, 0, rep, t, Metric::cost));
    }
  }
  CHECK(rules_in_house == 0);
  CHECK(rules_trust == double(r.replicates));
  // the cap applies to the LATC only: more posts, so a different staff cost
  CHECK(metric(r, 1, 0, 12, Metric::establishment) > metric(plain, 1, 0, 12, Metric::establishment));
}

TEST_CASE("a rule on the latest grade", "[rules]") {
  json spec = small_spec(1, 2);
  const std::string start = spec["profile"]["ofsted"]["last_grade"].get<std::string>();
  spec["rules"] = json::array({{{"when", {{"latest_grade", {start}}}}, {"then", recruitment(2)}}});
  const auto r = run(spec);
  CHECK(metric(r, 0, 0, 1, Metric::rule_actions) == 1.0);
  json other = small_spec(1, 2);
  other["rules"] = json::array({{{"when", {{"latest_grade", {start == "inadequate" ? "outstanding" : "inadequate"}}}},
                                 {"then", recruitment(2)}}});
  CHECK(metric(run(other), 0, 0, 1, Metric::rule_actions) == 0.0);
}

TEST_CASE("spend_vs_budget is the year's spend so far against the budget's share", "[rules]") {
  const json spec = small_spec(2, 2);
  const auto scenario = admsim::parse_scenario(spec, catalogue());
  const auto budgets = admsim::calibrate(scenario).budget_by_year;
  const auto r = admsim::run_ensemble(scenario);
  for (std::size_t year = 0; year < 2; ++year) {
    double spent = 0;
    for (std::size_t m = 0; m < 12; ++m) {
      const std::size_t t = 12 * year + m;
      spent += metric(r, 1, 1, t, Metric::cost);
      INFO("month " << t);
      CHECK(metric(r, 1, 1, t, Metric::spend_vs_budget) == Approx(spent / (budgets[year] * double(m + 1) / 12.0)));
    }
  }
}

TEST_CASE("bad rules are errors that name the field", "[rules]") {
  auto with_rule = [](json rule) {
    json spec = small_spec(1, 2);
    spec["rules"] = json::array({rule});
    return spec;
  };
  CHECK(error_pointer(with_rule({{"when", {{"metric", "moral"}, {"above", 1}}}, {"then", recruitment(2)}})) ==
        "/rules/0/when/metric");
  CHECK(error_pointer(with_rule({{"when", {{"metric", "caseload"}, {"above", 1}, {"below", 3}}}, {"then", recruitment(2)}})) ==
        "/rules/0/when");
  CHECK(error_pointer(with_rule({{"when", {{"metric", "caseload"}}}, {"then", recruitment(2)}})) == "/rules/0/when");
  CHECK(error_pointer(with_rule({{"when", always()}, {"then", {{"type", "bake_sale"}, {"size", 1}, {"duration_months", 2}}}})) ==
        "/rules/0/then/type");
  CHECK(error_pointer(with_rule({{"when", always()}, {"then", {{"type", "agency_cap"}, {"size", 3}, {"duration_months", 2}}}})) ==
        "/rules/0/then/size");
  CHECK(error_pointer(with_rule({{"when", always()}, {"then", recruitment(2)}, {"models", {"nope"}}})) == "/rules/0/models/0");
  CHECK(error_pointer(with_rule({{"when", always()}, {"then", recruitment(2)}, {"max_times", 0}})) == "/rules/0/max_times");
  CHECK(error_pointer(with_rule({{"when", {{"latest_grade", {"great"}}}}, {"then", recruitment(2)}})) ==
        "/rules/0/when/latest_grade/0");
  CHECK(error_pointer(with_rule({{"when", always()}})) == "/rules/0/then");
  json spec = small_spec(1, 2);
  spec["interventions"] = json::array({{{"type", "caseload_cap"}, {"start_month", 0}, {"size", 12}, {"models", {"in_house", "in_house"}}}});
  CHECK(error_pointer(spec) == "/interventions/0/models/1");
}

// ---- Policies (RunOptions::policy): the block runs in lockstep and a callback sets levers.

namespace {
constexpr std::size_t kLevers = admsim::kInterventionNames.size();
constexpr auto kRecruitment = static_cast<std::size_t>(admsim::InterventionKind::recruitment_campaign);

bool same(const admsim::EnsembleResult& a, const admsim::EnsembleResult& b) {
  if (a.metrics != b.metrics || a.outcomes.size() != b.outcomes.size()) return false;
  for (std::size_t i = 0; i < a.outcomes.size(); ++i) {
    if (!(a.outcomes[i] == b.outcomes[i] || (std::isnan(a.outcomes[i]) && std::isnan(b.outcomes[i])))) return false;
  }
  return a.metric_mean == b.metric_mean && a.events.size() == b.events.size();
}
}  // namespace

TEST_CASE("a policy that sets nothing changes nothing, and lockstep is the same run", "[policy]") {
  const auto scenario = admsim::parse_scenario(small_spec(2, 5), catalogue());
  admsim::RunOptions options;
  int calls = 0;
  options.policy = [&](admsim::PolicyCall&) { ++calls; };
  CHECK(same(admsim::run_ensemble(scenario), admsim::run_ensemble(scenario, options)));
  CHECK(calls == 25);  // one block of 5 replicates: 24 months, and once after the last
}

TEST_CASE("lockstep's tasks split a replicate's models differently by thread count and change nothing", "[policy]") {
  // 25 models, 2 replicates: 1 thread steps each replicate's models in tasks of 13, 8 threads in
  // tasks of 2, each task with its own shared blocks.
  json spec = small_spec(1, 2);
  spec["models"] = json::array();
  for (const auto& id : admsim::catalogue_ids(catalogue())) spec["models"].push_back(id);
  const auto scenario = admsim::parse_scenario(spec, catalogue());
  admsim::RunOptions options;
  options.policy = [](admsim::PolicyCall&) {};
  const auto plain = admsim::run_ensemble(scenario);
  for (int threads : {1, 8}) {
    options.threads = threads;
    CHECK(same(plain, admsim::run_ensemble(scenario, options)));
  }
}

TEST_CASE("a policy's lever acts as the intervention of that size", "[policy]") {
  json fixed = small_spec(2, 4);
  fixed["interventions"] = json::array({{{"type", "recruitment_campaign"}, {"start_month", 3},
                                         {"duration_months", 6}, {"size", 1.4}}});
  admsim::RunOptions options;
  options.policy = [](admsim::PolicyCall& call) {
    if (call.month < 3 || call.month >= 9) return;
    for (std::size_t i = 0; i < call.models * call.replicates; ++i) call.levers[i * kLevers + kRecruitment] = 1.4;
  };
  CHECK(same(run(fixed), admsim::run_ensemble(admsim::parse_scenario(small_spec(2, 4), catalogue()), options)));
}

TEST_CASE("a state-reading policy is independent of threads and block size", "[policy]") {
  const auto scenario = admsim::parse_scenario(small_spec(3, 12), catalogue());
  // Recruit wherever last month's caseload was above the replicate's own random threshold.
  const auto policy = [](admsim::PolicyCall& call) {
    for (std::size_t m = 0; m < call.models; ++m) {
      for (std::size_t r = 0; r < call.replicates; ++r) {
        const std::size_t item = m * call.replicates + r;
        const double caseload = call.state[item * admsim::kMetricCount + static_cast<std::size_t>(Metric::caseload)];
        if (caseload > 15.0 + 3.0 * call.uniforms[r]) call.levers[item * kLevers + kRecruitment] = 1.5;
      }
    }
  };
  admsim::RunOptions a, b;
  a.policy = b.policy = policy;
  a.threads = 1;
  a.block_replicates = 64;
  b.threads = 2;
  b.block_replicates = 5;
  const auto x = admsim::run_ensemble(scenario, a), y = admsim::run_ensemble(scenario, b);
  CHECK(same(x, y));
  CHECK_FALSE(same(x, admsim::run_ensemble(scenario)));  // and it did something
}

TEST_CASE("a policy's lever out of range is a named error", "[policy]") {
  admsim::RunOptions options;
  options.policy = [](admsim::PolicyCall& call) {
    if (call.month == 2) call.levers[kLevers + static_cast<std::size_t>(admsim::InterventionKind::agency_cap)] = 3.0;
  };
  try {
    admsim::run_ensemble(admsim::parse_scenario(small_spec(1, 3), catalogue()), options);
    FAIL("expected a ValidationError");
  } catch (const admsim::ValidationError& e) {
    CHECK(e.pointer() == "/policy");
    CHECK(std::string(e.what()).find("agency_cap") != std::string::npos);
    CHECK(std::string(e.what()).find("replicate 1, month 2") != std::string::npos);
  }
}
