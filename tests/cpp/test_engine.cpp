// The engine: conservation, inspections, steady state, reproducibility and common random numbers.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <map>

#include "admsim/engine.hpp"
#include "support.hpp"

using admsim::Metric;
using admsim::json;
using namespace admsim::test;

namespace {
admsim::EnsembleResult run(const json& spec, int threads = 0) {
  admsim::RunOptions options;
  options.threads = threads;
  options.block_replicates = 3;  // several blocks even in small tests
  return admsim::run_ensemble(admsim::parse_scenario(spec, catalogue()), options);
}
}  // namespace

TEST_CASE("children and staff are conserved every month of every replicate") {
  json spec = small_spec(3, 6);
  spec["interventions"] = json::array({
      {{"type", "agency_cap"}, {"start_month", 6}, {"duration_months", 6}, {"size", 0.05}},
      {{"type", "demand_shock"}, {"start_month", 12}, {"duration_months", 3}, {"size", 1.5}},
      {{"type", "caseload_cap"}, {"start_month", 20}, {"size", 14}}});
  const auto r = run(spec);
  for (std::size_t m = 0; m < r.models; ++m)
    for (std::int64_t rep = 0; rep < r.replicates; ++rep)
      for (std::size_t t = 1; t < r.months; ++t) {
        auto d = [&](Metric x) { return metric(r, m, rep, t, x) - metric(r, m, rep, t - 1, x); };
        auto f = [&](Metric x) { return metric(r, m, rep, t, x); };
        REQUIRE(d(Metric::cla) == f(Metric::cla_starts) - f(Metric::cla_ceased));
        REQUIRE(d(Metric::cpp) == f(Metric::cpp_starts) - f(Metric::cpp_ends));
        REQUIRE(d(Metric::cin) == f(Metric::cin_starts) - f(Metric::cin_closed));
        REQUIRE(d(Metric::social_workers) == f(Metric::hires) - f(Metric::leavers));
        REQUIRE(d(Metric::agency_workers) == f(Metric::agency_starts) - f(Metric::agency_ends));
        REQUIRE(f(Metric::cpp) + f(Metric::cla) <= f(Metric::cin));
        REQUIRE(f(Metric::rereferrals) <= f(Metric::referrals));
        // every child in care is in one placement type and one age band
        double by_type = 0, by_age = 0;
        for (std::size_t k = 0; k < admsim::kPlacementCount; ++k)
          by_type += f(static_cast<Metric>(static_cast<std::size_t>(Metric::cla_foster_inhouse) + k));
        for (std::size_t a = 0; a < admsim::kAgeBands; ++a)
          by_age += f(static_cast<Metric>(static_cast<std::size_t>(Metric::cla_age_0_4) + a));
        REQUIRE(by_type == f(Metric::cla));
        REQUIRE(by_age == f(Metric::cla));
        REQUIRE(f(Metric::care_leavers) <= f(Metric::cla_ceased));
        REQUIRE(f(Metric::uasc_starts) <= f(Metric::cla_starts));
        REQUIRE(f(Metric::cost) >= 0);
        REQUIRE(f(Metric::agency_share) >= 0);
        REQUIRE(f(Metric::agency_share) <= 1);
        REQUIRE(f(Metric::vacancy_rate) >= 0);
        REQUIRE(f(Metric::vacancy_rate) <= 1);
      }
}

TEST_CASE("grades appear only at inspection dates and follow the schedule") {
  json spec = small_spec(10, 12);
  const auto r = run(spec);
  const auto s = admsim::parse_scenario(spec, catalogue());
  const auto schedule = admsim::calibrate(s).schedule;
  std::map<std::pair<int, std::int64_t>, std::vector<admsim::InspectionEvent>> by_run;
  for (const auto& ev : r.events) by_run[{ev.model, ev.replicate}].push_back(ev);
  std::size_t inspections = 0;
  for (std::size_t m = 0; m < r.models; ++m)
    for (std::int64_t rep = 0; rep < r.replicates; ++rep) {
      const auto& evs = by_run[{static_cast<int>(m), rep}];
      std::map<int, int> graded;
      for (const auto& ev : evs) if (ev.kind == 0) graded[ev.month] = ev.grade;
      int current = metric(r, m, rep, 0, Metric::current_grade) > 0 ? 3 : 0;  // profile starts RI
      int last_month = -1, last_grade = admsim::kRequiresImprovement;
      for (std::size_t t = 0; t < r.months; ++t) {
        const double awarded = metric(r, m, rep, t, Metric::grade_awarded);
        const auto it = graded.find(static_cast<int>(t));
        if (it == graded.end()) {
          REQUIRE(awarded == 0);
        } else {
          ++inspections;
          REQUIRE(awarded == it->second);
          if (last_month >= 0) {
            const int gap = static_cast<int>(t) - last_month;
            // The schedule's gap, drawn by inversion: within its 1-in-10^6 quantiles.
            const int g = last_grade - admsim::kOutstanding;
            REQUIRE(gap >= std::max(1, static_cast<int>(schedule.quantile(g, 1e-6))));
            REQUIRE(gap <= static_cast<int>(std::ceil(schedule.quantile(g, 1.0 - 1e-6))));
          }
          last_month = static_cast<int>(t);
          last_grade = it->second;
          current = it->second;
        }
        REQUIRE(metric(r, m, rep, t, Metric::current_grade) == current);
      }
      // Monitoring visits happen only while the latest grade is Inadequate.
      for (const auto& ev : evs)
        if (ev.kind == 1) REQUIRE(metric(r, m, rep, static_cast<std::size_t>(ev.month), Metric::current_grade) == admsim::kInadequate);
    }
  CHECK(inspections > r.models * static_cast<std::size_t>(r.replicates));
}

TEST_CASE("in-house with no shocks stays within 10% of the profile's own rates for 10 years") {
  // With quality's feedback on the rates switched off: quality itself reverts toward the council's
  // persistent level (and rates with it, which the next test bounds for a year).
  json spec = small_spec(10, 200);
  spec["models"] = json::array({"in_house"});
  quiet(spec);
  for (const char* k : {"quality_rereferral_effect", "quality_care_entry_effect", "quality_placement_effect",
                        "quality_turnover_effect"})
    spec["parameters"][k] = 0.0;
  const auto r = run(spec);
  const json& p = spec["profile"];
  const double per10k = p["population"]["children_0_17"].get<double>() / 1e4;
  auto mean_of = [&](Metric x, std::size_t from, std::size_t to) {
    double sum = 0;
    for (std::int64_t rep = 0; rep < r.replicates; ++rep)
      for (std::size_t t = from; t < to; ++t) sum += metric(r, 0, rep, t, x);
    return sum / double(r.replicates) / double(to - from);
  };
  for (std::size_t year = 0; year < 10; ++year) {
    const std::size_t a = year * 12, b = a + 12;
    INFO("year " << year + 1);
    CHECK(mean_of(Metric::referrals, a, b) * 12 / per10k == Approx(p["demand"]["referrals_per_10k"].get<double>()).epsilon(0.1));
    CHECK(mean_of(Metric::cin, a, b) / per10k == Approx(p["demand"]["cin_per_10k"].get<double>()).epsilon(0.1));
    CHECK(mean_of(Metric::cpp, a, b) / per10k == Approx(p["demand"]["cpp_per_10k"].get<double>()).epsilon(0.1));
    CHECK(mean_of(Metric::cla, a, b) / per10k == Approx(p["demand"]["cla_per_10k"].get<double>()).epsilon(0.1));
    CHECK(mean_of(Metric::turnover_rate, a, b) == Approx(p["workforce"]["turnover_rate"].get<double>()).epsilon(0.1));
    CHECK(mean_of(Metric::caseload, a, b) == Approx(p["workforce"]["caseload"].get<double>()).epsilon(0.1));
    const double agency = p["workforce"]["agency_fte"].get<double>();
    CHECK(mean_of(Metric::agency_share, a, b) ==
          Approx(agency / (agency + p["workforce"]["in_post_fte"].get<double>())).epsilon(0.1));
    CHECK(mean_of(Metric::vacancy_rate, a, b) == Approx(p["workforce"]["vacancy_rate"].get<double>()).epsilon(0.1));
  }
}

TEST_CASE("whatever its last grade, a council's first year in-house stays within 5% of its profile") {
  // The profile's rates are the council's at its starting quality, so the hazards are calibrated
  // there, not at the national average.
  for (const char* grade : {"inadequate", "requires_improvement", "good", "outstanding"}) {
    json spec = small_spec(1, 400);
    spec["models"] = json::array({"in_house"});
    spec["profile"]["ofsted"]["last_grade"] = grade;
    quiet(spec);
    const auto r = run(spec);
    const json& p = spec["profile"];
    const double per10k = p["population"]["children_0_17"].get<double>() / 1e4;
    double turnover = 0, cla = 0;
    for (std::int64_t rep = 0; rep < r.replicates; ++rep)
      for (std::size_t t = 0; t < 12; ++t) {
        turnover += metric(r, 0, rep, t, Metric::turnover_rate);
        cla += metric(r, 0, rep, t, Metric::cla);
      }
    const double n = double(r.replicates) * 12.0;
    INFO("last grade " << grade);
    CHECK(turnover / n == Approx(p["workforce"]["turnover_rate"].get<double>()).epsilon(0.05));
    CHECK(cla / n / per10k == Approx(p["demand"]["cla_per_10k"].get<double>()).epsilon(0.05));
  }
}

TEST_CASE("results are bit-identical for 1, 2, 4 and 8 threads, and change with the seed") {
  json spec = small_spec(3, 10);
  const auto one = run(spec, 1);
  for (int threads : {2, 4, 8}) {
    const auto other = run(spec, threads);
    REQUIRE(other.metrics == one.metrics);
    REQUIRE(other.outcomes.size() == one.outcomes.size());
    for (std::size_t i = 0; i < one.outcomes.size(); ++i) {
      REQUIRE((std::isnan(one.outcomes[i]) ? std::isnan(other.outcomes[i]) : other.outcomes[i] == one.outcomes[i]));
    }
    REQUIRE(other.metric_mean == one.metric_mean);
    REQUIRE(other.events.size() == one.events.size());
  }
  spec["seed"] = 12;
  const auto reseeded = run(spec, 2);
  CHECK(reseeded.metrics != one.metrics);
}

TEST_CASE("every catalogue model in groups of a replicate's models, for any thread count, gives the same numbers") {
  // 25 models, 4 replicates a block: 1 thread runs them as 1 group per replicate, 8 threads as
  // 6 groups of 4 and one of 1 (a last group smaller than the rest).
  json spec = small_spec(1, 4);
  spec["models"] = json::array();
  for (const auto& id : admsim::catalogue_ids(catalogue())) spec["models"].push_back(id);
  admsim::RunOptions options;
  options.block_replicates = 4;
  const admsim::Scenario s = admsim::parse_scenario(spec, catalogue());
  options.threads = 1;
  const auto one = admsim::run_ensemble(s, options);
  options.threads = 8;
  const auto eight = admsim::run_ensemble(s, options);
  REQUIRE(one.models == 25);
  REQUIRE(eight.metrics == one.metrics);
  REQUIRE(eight.metric_mean == one.metric_mean);
}

TEST_CASE("a replicate's numbers do not depend on how many replicates run beside it") {
  json spec = small_spec(2, 9);
  const auto nine = run(spec);
  spec["replicates"] = 4;
  const auto four = run(spec);
  const std::size_t per_rep = nine.months * admsim::kMetricCount;
  for (std::size_t m = 0; m < nine.models; ++m)
    for (std::size_t rep = 0; rep < 4; ++rep)
      for (std::size_t i = 0; i < per_rep; ++i)
        REQUIRE(four.metrics[(m * 4 + rep) * per_rep + i] == nine.metrics[(m * 9 + rep) * per_rep + i]);
}

TEST_CASE("common random numbers: a copy of a model gives identical results and turning CRN off does not") {
  json spec = small_spec(3, 5);
  json twin = {{"id", "in_house_twin"}, {"name", "copy"}, {"group", "in_house"},
               {"attributes", catalogue()["models"][0]["attributes"]}};
  spec["models"] = json::array({"in_house", twin});
  const auto r = run(spec);
  const std::size_t half = r.metrics.size() / 2;
  REQUIRE(std::equal(r.metrics.begin(), r.metrics.begin() + static_cast<long>(half), r.metrics.begin() + static_cast<long>(half)));
  spec["common_random_numbers"] = false;
  const auto independent = run(spec);
  CHECK(!std::equal(independent.metrics.begin(), independent.metrics.begin() + static_cast<long>(half),
                    independent.metrics.begin() + static_cast<long>(half)));
}

TEST_CASE("a replicate's models run together, sharing each month's blocks, give each model's own run") {
  for (bool crn : {true, false}) {
    json spec = small_spec(3, 2);
    spec["common_random_numbers"] = crn;
    admsim::Scenario s = admsim::parse_scenario(spec, catalogue());
    s.vehicle_seed = 5;  // a second seed (a region's vehicles), whose streams are never the shared ones
    const admsim::Calibration c = admsim::calibrate(s);
    const std::size_t M = s.models.size(), T = static_cast<std::size_t>(s.months), K = s.risks.size();
    std::vector<double> metrics(M * T * admsim::kMetricCount), outcomes(M * admsim::kOutcomeCount), risks(M * K);
    std::vector<std::vector<admsim::InspectionEvent>> events(M);
    std::vector<admsim::ReplicateBuffers> buffers;
    for (std::size_t m = 0; m < M; ++m) {
      buffers.push_back({&metrics[m * T * admsim::kMetricCount], &outcomes[m * admsim::kOutcomeCount], &events[m],
                         risks.data() + m * K});
    }
    const std::vector<std::size_t> all = {0, 1, 2};
    admsim::simulate_models(s, c, all.data(), M, 1, buffers.data());
    for (std::size_t m = 0; m < M; ++m) {
      std::vector<double> own(T * admsim::kMetricCount), own_outcomes(admsim::kOutcomeCount), own_risks(K);
      std::vector<admsim::InspectionEvent> own_events;
      admsim::simulate_replicate(s, c, m, 1, own.data(), own_outcomes.data(), &own_events, own_risks.data());
      REQUIRE(std::equal(own.begin(), own.end(), metrics.begin() + static_cast<long>(m * T * admsim::kMetricCount)));
      for (std::size_t k = 0; k < admsim::kOutcomeCount; ++k) {
        const double a = own_outcomes[k], b = outcomes[m * admsim::kOutcomeCount + k];
        REQUIRE((std::isnan(a) ? std::isnan(b) : a == b));
      }
      REQUIRE(std::equal(own_risks.begin(), own_risks.end(), risks.begin() + static_cast<long>(m * K)));
      REQUIRE(own_events.size() == events[m].size());
      for (std::size_t e = 0; e < own_events.size(); ++e) {
        const auto &a = own_events[e], &b = events[m][e];
        REQUIRE((a.model == b.model && a.replicate == b.replicate && a.month == b.month && a.kind == b.kind &&
                 a.grade == b.grade));
      }
    }
    // Some of the models alone, out of order: the same as their part of the whole.
    const std::vector<std::size_t> some = {2, 0};
    std::vector<double> part(2 * T * admsim::kMetricCount), part_outcomes(2 * admsim::kOutcomeCount), part_risks(2 * K);
    std::vector<admsim::ReplicateBuffers> group;
    for (std::size_t i = 0; i < 2; ++i) {
      group.push_back({&part[i * T * admsim::kMetricCount], &part_outcomes[i * admsim::kOutcomeCount], nullptr,
                       part_risks.data() + i * K});
    }
    admsim::simulate_models(s, c, some.data(), 2, 1, group.data());
    for (std::size_t i = 0; i < 2; ++i) {
      const auto from = metrics.begin() + static_cast<long>(some[i] * T * admsim::kMetricCount);
      REQUIRE(std::equal(from, from + static_cast<long>(T * admsim::kMetricCount),
                         part.begin() + static_cast<long>(i * T * admsim::kMetricCount)));
    }
  }
}

TEST_CASE("summary-only mode gives the same means as full mode and keeps no per-replicate arrays") {
  json spec = small_spec(2, 7);
  const auto full = run(spec);
  spec["output"] = "summary";
  const auto summary = run(spec);
  CHECK(summary.metrics.empty());
  CHECK(summary.outcomes.empty());
  CHECK(summary.metric_mean == full.metric_mean);
  CHECK(summary.metric_quantiles == full.metric_quantiles);
  // Grade shares: each month's shares sum to 1 and match counting the full arrays.
  for (std::size_t m = 0; m < summary.models; ++m)
    for (std::size_t t = 0; t < summary.months; ++t) {
      double total = 0;
      for (int g = 1; g <= 4; ++g) {
        double count = 0;
        for (std::int64_t rep = 0; rep < full.replicates; ++rep)
          count += metric(full, m, rep, t, Metric::current_grade) == g;
        const double share = summary.grade_share[(m * summary.months + t) * 4 + static_cast<std::size_t>(g - 1)];
        CHECK(share == Approx(count / double(full.replicates)));
        total += share;
      }
      CHECK(total == Approx(1.0));
    }
  // The mean from the summary equals the mean of the full arrays.
  for (std::size_t k : {static_cast<std::size_t>(Metric::cla), static_cast<std::size_t>(Metric::cost)}) {
    double sum = 0;
    for (std::int64_t rep = 0; rep < full.replicates; ++rep) sum += metric(full, 1, rep, 5, static_cast<Metric>(k));
    CHECK(summary.metric_mean[(1 * summary.months + 5) * admsim::kMetricCount + k] == Approx(sum / double(full.replicates)));
  }
}

TEST_CASE("interventions and effects move the engine the way they say") {
  json base = small_spec(3, 30);
  base["models"] = json::array({"in_house"});
  quiet(base);
  const auto plain = run(base);
  auto mean_metric = [](const admsim::EnsembleResult& r, Metric x) {
    double sum = 0;
    for (std::int64_t rep = 0; rep < r.replicates; ++rep)
      for (std::size_t t = 12; t < r.months; ++t) sum += metric(r, 0, rep, t, x);
    return sum / double(r.replicates * static_cast<std::int64_t>(r.months - 12));
  };
  json capped = base;
  capped["interventions"] = json::array({{{"type", "agency_cap"}, {"start_month", 0}, {"size", 0.05}}});
  CHECK(mean_metric(run(capped), Metric::agency_share) <= 0.05 + 1e-9);
  json shocked = base;
  shocked["interventions"] = json::array({{{"type", "demand_shock"}, {"start_month", 0}, {"size", 1.3}}});
  CHECK(mean_metric(run(shocked), Metric::referrals) > 1.2 * mean_metric(plain, Metric::referrals));
  json paid = base;
  paid["interventions"] = json::array({{{"type", "pay_uplift"}, {"start_month", 0}, {"size", 0.1}}});
  CHECK(mean_metric(run(paid), Metric::leavers) < mean_metric(plain, Metric::leavers));
  json campaign = base;
  campaign["interventions"] = json::array({{{"type", "recruitment_campaign"}, {"start_month", 0}, {"size", 10}}});
  campaign["parameters"]["recruitment_capacity"] = 0.01;
  const auto capped_hires = run(campaign);
  for (std::int64_t rep = 0; rep < capped_hires.replicates; ++rep)
    for (std::size_t t = 0; t < capped_hires.months; ++t)
      REQUIRE(metric(capped_hires, 0, rep, t, Metric::hires) <=
              std::ceil(0.01 * (metric(capped_hires, 0, rep, t, Metric::establishment) + 0.5)));
  json retained = base;
  retained["models"] = json::array({{{"id", "in_house"}, {"effects", {{"turnover", {{"dist", "fixed"}, {"value", 0.5}}}}}}});
  CHECK(mean_metric(run(retained), Metric::turnover_rate) < 0.7 * mean_metric(plain, Metric::turnover_rate));
}

TEST_CASE("starting quality follows the last Ofsted grade") {
  double previous = std::numeric_limits<double>::infinity();
  for (const char* grade : {"outstanding", "good", "requires_improvement", "inadequate"}) {
    json spec = small_spec(1, 400);
    spec["models"] = json::array({"in_house"});
    spec["profile"]["ofsted"]["last_grade"] = grade;
    quiet(spec);
    const auto r = run(spec);
    double sum = 0;
    for (std::int64_t rep = 0; rep < r.replicates; ++rep) sum += metric(r, 0, rep, 0, Metric::quality);
    const double mean = sum / double(r.replicates);
    INFO(grade << ": mean starting quality " << mean);
    CHECK(mean < previous - 0.5);
    previous = mean;
  }
}

TEST_CASE("irrecoverable VAT follows vat_recoverable when no effect is given") {
  json spec = small_spec(1, 2);
  json attributes = catalogue()["models"][0]["attributes"];
  attributes["vat_recoverable"] = "no";
  spec["models"] = json::array({"in_house", {{"id", "vat_payer"}, {"name", "pays VAT"},
                                             {"group", "in_house"}, {"attributes", attributes}}});
  quiet(spec);
  const auto r = run(spec);
  const auto& e = admsim::parse_scenario(spec, catalogue()).parameters;
  for (std::size_t t = 0; t < r.months; ++t) {
    const double vat = metric(r, 1, 0, t, Metric::cost_delivery_model);
    const double base = (metric(r, 1, 0, t, Metric::cost) - vat - metric(r, 1, 0, t, Metric::cost_staff));
    CHECK(metric(r, 0, 0, t, Metric::cost_delivery_model) == 0);
    CHECK(vat == Approx(e.vat_rate * e.vatable_share * base));
  }
}

TEST_CASE("children age in care, leave at 18, arrive as UASC and step down between placements") {
  json base = small_spec(3, 30);
  base["models"] = json::array({"in_house"});
  quiet(base);
  const auto plain = run(base);
  auto total = [](const admsim::EnsembleResult& r, Metric x) {
    double sum = 0;
    for (std::int64_t rep = 0; rep < r.replicates; ++rep)
      for (std::size_t t = 0; t < r.months; ++t) sum += metric(r, 0, rep, t, x);
    return sum / double(r.replicates);
  };
  // Care leavers at 18 appear, and they are part of the exits.
  CHECK(total(plain, Metric::care_leavers) > 0);
  CHECK(total(plain, Metric::care_leavers) < total(plain, Metric::cla_ceased));
  // A UASC shock: more direct arrivals, and more 16-17 year olds in supported accommodation.
  json shock = base;
  shock["interventions"] = json::array({{{"type", "uasc_arrivals"}, {"start_month", 0}, {"size", 3}}});
  const auto shocked = run(shock);
  CHECK(total(shocked, Metric::uasc_starts) > 2.5 * total(plain, Metric::uasc_starts));
  CHECK(total(shocked, Metric::cla_supported) > total(plain, Metric::cla_supported));
  CHECK(total(shocked, Metric::cla_age_16_17) > total(plain, Metric::cla_age_16_17));
  CHECK(total(shocked, Metric::cla_age_0_4) == Approx(total(plain, Metric::cla_age_0_4)).epsilon(0.05));
  // Without a programme step-downs and escalations balance; a programme empties children's homes.
  CHECK(total(plain, Metric::step_downs) == Approx(total(plain, Metric::escalations)).epsilon(0.15));
  json programme = base;
  programme["interventions"] = json::array({{{"type", "step_down_programme"}, {"start_month", 0}, {"size", 4}}});
  const auto stepped = run(programme);
  CHECK(total(stepped, Metric::step_downs) > 2 * total(stepped, Metric::escalations));
  CHECK(total(stepped, Metric::cla_residential) < 0.9 * total(plain, Metric::cla_residential));
  CHECK(total(stepped, Metric::cost_placements) < total(plain, Metric::cost_placements));
}

TEST_CASE("entry shares by age that add to more than 1 are named") {
  json spec = small_spec();
  spec["parameters"]["entry_share_age_0_4"] = 0.8;
  spec["parameters"]["entry_share_age_16_17"] = 0.3;
  const auto s = admsim::parse_scenario(spec, catalogue());
  try {
    admsim::calibrate(s);
    FAIL("no error");
  } catch (const admsim::ValidationError& e) {
    CHECK(std::string(e.what()).find("/parameters/entry_share_age_16_17") != std::string::npos);
  }
}
