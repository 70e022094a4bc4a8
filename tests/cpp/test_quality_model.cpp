// The quality model fitted to Ofsted histories: the likelihood against closed forms, forecasts
// against the likelihood, simulated histories against the likelihood, reproducibility, errors;
// and the engine's persistent level and Inadequate response.
#include <catch2/catch.hpp>
#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "admsim/quality_histories.hpp"
#include "admsim/samplers.hpp"
#include "support.hpp"

namespace q = admsim::quality;
using admsim::json;
using namespace admsim::test;

namespace {
constexpr int kStart = 2013 * 12;  // January 2013

constexpr int kIlacsStart = kStart + 60;  // regimes of the test histories
constexpr int kDriftEnd = kStart + 100;

// reversion, rho, noise, improvement, inadequate response (SIF era), workforce effect, inadequate
// response (ILACS era, the same here), drift per year and half-life, SIF z, ILACS standard z, ILACS short z.
std::vector<double> row(double rho = 0.0, double improvement = 0.0, double response = 0.0,
                        double workforce = 0.0, double drift = 0.0, double half_life = INFINITY) {
  return {0.35, rho, 0.5, improvement, response, workforce, response, drift, half_life,
          1.1, 0.1, -1.2, 0.9, -0.2, -1.4, 0.5, -0.6, -1.8};
}

// Councils with the given (month offset from kStart, grade, framework) inspections, over 120
// months with no delivery model and no stress unless set afterwards.
using Visit = std::array<int, 3>;
q::CouncilHistories histories(const std::vector<std::vector<Visit>>& councils, std::size_t months = 120) {
  q::CouncilHistories h;
  h.first_month = kStart;
  h.ilacs_start_month = kIlacsStart;
  h.drift_end_month = kDriftEnd;
  h.months = months;
  h.councils = councils.size();
  h.offsets = {0};
  for (const auto& visits : councils) {
    for (const auto& v : visits) {
      h.month.push_back(kStart + v[0]);
      h.grade.push_back(v[1]);
      h.framework.push_back(v[2]);
    }
    h.offsets.push_back(static_cast<std::int32_t>(h.month.size()));
  }
  h.adm_live.assign(h.councils * months, 0.0);
  h.stress.assign(h.councils * months, 0.0);
  return h;
}

// Every council under a delivery model from months 5 to 40 and under some stress (the same for
// all, so councils differ only in their inspections).
void add_covariates(q::CouncilHistories& h) {
  for (std::size_t c = 0; c < h.councils; ++c)
    for (std::size_t t = 0; t < h.months; ++t) {
      h.adm_live[c * h.months + t] = t >= 5 && t < 40 ? 1.0 : 0.0;
      h.stress[c * h.months + t] = 0.4 * std::sin(0.3 * double(t));
    }
}

std::vector<double> loglik(const std::vector<double>& values, const q::CouncilHistories& h, int grid = 81,
                           int threads = 0) {
  admsim::RunOptions options;
  options.threads = threads;
  return q::quality_log_likelihood(q::parse_parameter_rows(values, values.size() / q::kColumnCount), h,
                                   {grid, 9}, options);
}

// The probit probability of each grade with no history: the reading is N(0, 1 + s^2), cut at
// the regime's standardised cut-points after they have fallen by `drift`.
double probit(const std::vector<double>& r, int regime, int grade, double drift = 0.0) {
  const double* z = &r[q::kSifZ0 + 3 * static_cast<std::size_t>(regime)];
  const double upper = grade == 0 ? 1.0 : admsim::rng::normal_cdf(z[grade - 1] - drift);
  const double lower = grade == 3 ? 0.0 : admsim::rng::normal_cdf(z[grade] - drift);
  return upper - lower;
}

q::Schedule schedule(double good, double ri, double inadequate, double shape) {
  q::Schedule s;
  s.median_months = {good, good, ri, inadequate};
  s.shape = shape;
  return s;
}

q::SimulationSettings simulation(int start, int end, std::int64_t replicates, std::uint64_t seed) {
  q::SimulationSettings s;
  s.start_month = start;
  s.end_month = end;
  s.replicates = replicates;
  s.seed = seed;
  s.schedule = {schedule(44, 47, 32, 9.7), schedule(52, 42, 33, 9.7)};
  s.calendar = {kStart + 86, kStart + 92};
  return s;
}

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const admsim::ValidationError& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

TEST_CASE("one inspection, no persistent level: the likelihood is the ordered-probit probability") {
  const auto r = row();
  for (int framework : {0, 1, 2}) {
    std::vector<std::vector<Visit>> councils;
    for (int g = 0; g < 4; ++g) councils.push_back({{10, g, framework}});
    const auto h = histories(councils);
    const auto coarse = loglik(r, h), fine = loglik(r, h, 801);
    for (int g = 0; g < 4; ++g) {
      INFO("framework " << framework << ", grade " << g);
      CHECK(std::exp(coarse[static_cast<std::size_t>(g)]) == Approx(probit(r, framework, g)).margin(5e-4));
      CHECK(std::exp(fine[static_cast<std::size_t>(g)]) == Approx(probit(r, framework, g)).margin(1e-5));
    }
  }
}

TEST_CASE("ILACS cut-points fall with the drift, linearly to the data's end and damped after") {
  const double per_year = 0.3;
  for (double half_life : {double(INFINITY), 2.0}) {
    const auto r = row(0.0, 0.0, 0.0, 0.0, per_year, half_life);
    const q::GradingDrift d = q::parse_parameter_rows(r, 1)[0].drift(kIlacsStart, kDriftEnd);
    CHECK(d.at(kIlacsStart - 5) == 0.0);
    CHECK(d.at(kIlacsStart + 18) == Approx(per_year * 1.5));
    const double at_end = per_year * (kDriftEnd - kIlacsStart) / 12.0;
    const double beyond = std::isinf(half_life) ? 2.0 : half_life / std::log(2.0) * (1.0 - std::exp2(-2.0 / half_life));
    CHECK(d.at(kDriftEnd + 24) == Approx(at_end + per_year * beyond));
    // One inspection in each regime, 30 months into ILACS: SIF's cut-points never move.
    std::vector<std::vector<Visit>> councils;
    for (int framework : {0, 1, 2})
      for (int g = 0; g < 4; ++g) councils.push_back({{90, g, framework}});
    const auto ll = loglik(r, histories(councils), 801);
    for (int framework : {0, 1, 2})
      for (int g = 0; g < 4; ++g) {
        INFO("regime " << framework << ", grade " << g << ", half-life " << half_life);
        const double drift = framework == 0 ? 0.0 : per_year * 2.5;
        CHECK(std::exp(ll[static_cast<std::size_t>(4 * framework + g)]) ==
              Approx(probit(r, framework, g, drift)).margin(1e-5));
      }
  }
}

TEST_CASE("the regime follows the framework and the latest grade") {
  CHECK(q::regime_of(kIlacsStart - 1, 1, kIlacsStart) == q::kSif);
  CHECK(q::regime_of(kIlacsStart, 0, kIlacsStart) == q::kIlacsShort);
  CHECK(q::regime_of(kIlacsStart, 1, kIlacsStart) == q::kIlacsShort);
  CHECK(q::regime_of(kIlacsStart, 2, kIlacsStart) == q::kIlacsStandard);
  CHECK(q::regime_of(kIlacsStart, 3, kIlacsStart) == q::kIlacsStandard);
  CHECK(q::regime_of(kIlacsStart, -1, kIlacsStart) == q::kIlacsStandard);
}

TEST_CASE("the schedule: log-logistic gaps by grade, conditional on the months waited") {
  const q::Schedule s = schedule(50, 40, 30, 8.0);
  CHECK(s.cdf(1, 50.0) == Approx(0.5));
  CHECK(s.cdf(3, 30.0 * std::pow(3.0, 1.0 / 8.0)) == Approx(0.75));
  CHECK(s.quantile(2, s.cdf(2, 37.3)) == Approx(37.3));
  for (int waited : {0, 20, 45, 400}) {
    // months_to_next by inversion has the distribution month_probability gives.
    std::map<int, double> drawn;
    const int n = 20000;
    for (int i = 0; i < n; ++i) drawn[s.months_to_next(1, (i + 0.5) / n, waited)] += 1.0 / n;
    double total = 0.0;
    for (int m = 1; m < 20 * waited + 400; ++m) {
      const double p = s.month_probability(1, m, waited);
      total += p;
      INFO("waited " << waited << ", month " << m);
      CHECK(drawn[m] == Approx(p).margin(2.0 / n));
      if (m <= waited) CHECK(p == 0.0);
    }
    CHECK(total == Approx(1.0).margin(1e-6));
  }
}

TEST_CASE("the clock stops during the pause") {
  const int ps = 100, pe = 113;
  CHECK(q::calendar_month(60, 30, ps, pe) == 90);
  CHECK(q::calendar_month(60, 40, ps, pe) == 113);   // due in the pause's first month
  CHECK(q::calendar_month(60, 45, ps, pe) == 118);
  CHECK(q::calendar_month(105, 10, ps, pe) == 123);  // from inside the pause
  CHECK(q::calendar_month(120, 10, ps, pe) == 130);
  for (int from : {50, 99, 100, 106, 113, 130})
    for (int clock = 1; clock < 80; ++clock) {
      const int to = q::calendar_month(from, clock, ps, pe);
      CHECK((to < ps || to >= pe));
      CHECK(q::clock_months(from, to, ps, pe) == clock);
    }
}

TEST_CASE("next-inspection horizons: the schedule after the latest grade, given none since") {
  // Council 0 last graded RI under SIF at month 10; council 1 Good under ILACS at month 70;
  // council 2 never inspected.
  const auto h = histories({{{10, 2, 0}}, {{70, 1, 2}}, {}}, 300);
  const std::array<q::Schedule, 2> sched = {schedule(44, 47, 32, 9.7), schedule(52, 42, 33, 9.7)};
  const q::InspectionCalendar pause = {kStart + 86, kStart + 92};
  const int as_of = kStart + 80;
  const auto z = q::next_inspection_horizons(h, as_of, sched, pause, 150);
  REQUIRE(z.offsets.size() == 4);
  for (std::size_t c = 0; c < 3; ++c) {
    double total = 0.0;
    for (auto k = static_cast<std::size_t>(z.offsets[c]); k < static_cast<std::size_t>(z.offsets[c + 1]); ++k) {
      CHECK(z.months[k] >= 1);
      CHECK(z.months[k] <= 150);
      const int month = as_of + z.months[k];
      CHECK((month < pause.pause_start_month || month >= pause.pause_end_month));
      total += z.weights[k];
    }
    CHECK(total == Approx(1.0).margin(1e-12));
  }
  // Council 1 (ILACS, Good): waited 6 clock months; month as_of + a is clock month 10 + a, or 4
  // fewer after the pause's six months.
  const auto first = static_cast<std::size_t>(z.offsets[1]);
  for (auto k = first; k < static_cast<std::size_t>(z.offsets[2]) - 1; ++k) {
    const int clock = q::clock_months(kStart + 70, as_of + z.months[k], pause.pause_start_month, pause.pause_end_month);
    CHECK(z.weights[k] == Approx(sched[1].month_probability(1, clock, 10)).epsilon(1e-12));
  }
  CHECK(z.months[static_cast<std::size_t>(z.offsets[2])] == 1);  // never inspected: next month
}

TEST_CASE("two inspections: the probabilities of all 16 grade pairs sum to 1") {
  for (int gap : {1, 7, 30}) {
    for (const auto& r : {row(), row(0.4, 0.3, 0.7, 0.5)}) {
      std::vector<std::vector<Visit>> councils;
      for (int a = 0; a < 4; ++a)
        for (int b = 0; b < 4; ++b) councils.push_back({{3, a, 0}, {3 + gap, b, 1}});
      auto h = histories(councils);
      add_covariates(h);
      double total = 0.0;
      for (double ll : loglik(r, h)) total += std::exp(ll);
      INFO("gap " << gap << ", rho " << r[q::kPersistentShare]);
      CHECK(total == Approx(1.0).margin(1e-6));
    }
  }
}

TEST_CASE("several inspections in one month apply in turn, with no move between them") {
  // Grades g then g' in one month: P = sum over the grid of p(v) e_g(v) e_g'(v), so the pair
  // probabilities over g' sum to the single inspection's probability of g.
  std::vector<std::vector<Visit>> councils;
  for (int b = 0; b < 4; ++b) councils.push_back({{12, 1, 0}, {12, b, 0}});
  councils.push_back({{12, 1, 0}});
  const auto ll = loglik(row(0.3), histories(councils));
  double total = 0.0;
  for (int b = 0; b < 4; ++b) total += std::exp(ll[static_cast<std::size_t>(b)]);
  CHECK(total == Approx(std::exp(ll[4])).epsilon(1e-12));
}

TEST_CASE("a council with no inspections has log-likelihood 0") {
  const auto ll = loglik(row(0.2), histories({{}, {{5, 2, 0}}}));
  CHECK(ll[0] == 0.0);
  CHECK(ll[1] < 0.0);
}

TEST_CASE("forecast with one horizon is the likelihood ratio of the history with the next grade added") {
  const int as_of = 50, ahead = 20;
  const std::vector<Visit> past = {{2, 3, 0}, {30, 2, 0}, {44, 3, 1}};
  for (const auto& r : {row(), row(0.4, 0.3, 0.7, 0.5)}) {
    std::vector<std::vector<Visit>> councils = {past};
    for (int g = 0; g < 4; ++g) {
      councils.push_back(past);
      councils.back().push_back({as_of + ahead, g, 1});
    }
    auto extended = histories(councils);
    add_covariates(extended);
    const auto ll = loglik(r, extended);

    auto h = histories({past, {}});
    add_covariates(h);
    q::Horizons z;
    z.as_of_month = kStart + as_of;
    z.offsets = {0, 1, 3};
    z.months = {ahead, 12, 24};
    z.weights = {1.0, 0.25, 0.75};
    const auto sets = q::parse_parameter_rows(r, 1);
    const auto f = q::quality_forecast(sets, h, z, {81, 9});
    REQUIRE(f.size() == 8);
    for (std::size_t g = 0; g < 4; ++g) {
      INFO("grade " << g << ", rho " << r[q::kPersistentShare]);
      CHECK(f[g] == Approx(std::exp(ll[g + 1] - ll[0])).epsilon(1e-9).margin(1e-12));
    }
    // A weighted forecast is the weighted sum of single-horizon ones; each sums to 1.
    z.offsets = {0, 1, 2};
    auto single = [&](int months) {
      z.months = {ahead, months};
      z.weights = {1.0, 1.0};
      return q::quality_forecast(sets, h, z, {81, 9});
    };
    const auto at12 = single(12), at24 = single(24);
    double total = 0.0;
    for (std::size_t g = 0; g < 4; ++g) {
      CHECK(f[4 + g] == Approx(0.25 * at12[4 + g] + 0.75 * at24[4 + g]).epsilon(1e-12));
      total += f[4 + g];
    }
    CHECK(total == Approx(1.0).epsilon(1e-12));
  }
}

TEST_CASE("simulated second grades given the first match the likelihood's conditional probabilities") {
  // One council first inspected at month 10 (SIF); with a fixed 20-month interval the second is at
  // month 30 (ILACS from month 11). Covariates move the target in between.
  const int first = 10, gap = 20;
  const std::int64_t n = 40000;
  for (const auto& r : {row(), row(0.4, 0.5, 0.8, 0.5)}) {
    auto h = histories({{{first, 0, 0}}});
    add_covariates(h);
    h.ilacs_start_month = kStart + first + 1;
    q::SimulationSettings s = simulation(kStart + first, kStart + first + gap + 1, n, 5);
    s.schedule[0] = schedule(gap - 0.5, gap - 0.5, gap - 0.5, 1e6);  // every gap exactly `gap`
    const auto sets = q::parse_parameter_rows(r, 1);
    const auto sim = q::simulate_quality_histories(sets, h, s);
    REQUIRE(sim.size() == 2 * static_cast<std::size_t>(n));
    std::array<std::array<double, 4>, 4> count{};
    std::array<double, 4> firsts{};
    for (std::size_t i = 0; i < sim.size(); i += 2) {
      REQUIRE(sim[i].replicate == sim[i + 1].replicate);
      REQUIRE(sim[i].month == kStart + first);
      REQUIRE(sim[i + 1].month == kStart + first + gap);
      REQUIRE(sim[i].framework == q::kSif);
      REQUIRE(sim[i + 1].framework == q::regime_of(sim[i + 1].month, sim[i].grade, h.ilacs_start_month));
      count[static_cast<std::size_t>(sim[i].grade)][static_cast<std::size_t>(sim[i + 1].grade)] += 1;
      firsts[static_cast<std::size_t>(sim[i].grade)] += 1;
    }
    // The likelihood of each pair and of each first grade alone.
    std::vector<std::vector<Visit>> councils;
    for (int a = 0; a < 4; ++a)
      for (int b = 0; b < 4; ++b) councils.push_back({{first, a, 0}, {first + gap, b, a <= 1 ? 2 : 1}});
    for (int a = 0; a < 4; ++a) councils.push_back({{first, a, 0}});
    auto pairs = histories(councils);
    pairs.ilacs_start_month = h.ilacs_start_month;
    add_covariates(pairs);
    const auto ll = loglik(r, pairs, 161);
    for (std::size_t a = 0; a < 4; ++a) {
      const double p_first = std::exp(ll[16 + a]);
      CHECK(firsts[a] / double(n) == Approx(p_first).margin(4.5 * std::sqrt(p_first * (1 - p_first) / double(n))));
      if (firsts[a] < 300) continue;
      for (std::size_t b = 0; b < 4; ++b) {
        const double p = std::exp(ll[a * 4 + b]) / p_first;
        INFO("rho " << r[q::kPersistentShare] << ": P(second " << b << " | first " << a << ")");
        CHECK(count[a][b] / firsts[a] == Approx(p).margin(4.5 * std::sqrt(p * (1 - p) / firsts[a]) + 1e-3));
      }
    }
  }
}

TEST_CASE("simulated histories follow the schedule, the frameworks and the pause") {
  const auto h = histories({{{0, 1, 0}}, {}, {{24, 3, 0}}});
  const auto s = simulation(kStart, kStart + 120, 50, 3);
  const auto sets = q::parse_parameter_rows(row(0.3, 0.0, 0.5), 1);
  const auto sim = q::simulate_quality_histories(sets, h, s);
  std::map<std::pair<int, int>, std::vector<q::SimulatedInspection>> runs;
  for (const auto& e : sim) runs[{e.replicate, e.council}].push_back(e);
  CHECK(runs.size() == 100);  // never inspected (council 1): nothing simulated
  for (const auto& [key, list] : runs) {
    REQUIRE(key.second != 1);
    REQUIRE(list.front().month == kStart + (key.second == 0 ? 0 : 24));
    const int ps = s.calendar.pause_start_month, pe = s.calendar.pause_end_month;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const int m = list[i].month;
      CHECK(list[i].framework == q::regime_of(m, i ? list[i - 1].grade : -1, h.ilacs_start_month));
      CHECK((m < ps || m >= pe));
      if (i == 0) continue;
      // The gap in clock months is the schedule's, within its 1-in-10^6 quantiles.
      const int gap = q::clock_months(list[i - 1].month, m, ps, pe);
      const int g = list[i - 1].grade;
      const q::Schedule& sched = s.schedule[list[i - 1].framework == q::kSif ? 0 : 1];
      CHECK(gap >= int(sched.quantile(g, 1e-6)));
      CHECK(gap <= int(std::ceil(sched.quantile(g, 1 - 1e-6))));
    }
  }
}

TEST_CASE("all three computations are identical for 1, 2 and 4 threads and the seed changes simulations") {
  auto h = histories({{{0, 1, 0}, {40, 2, 0}}, {{3, 3, 0}, {30, 2, 0}, {70, 1, 1}}, {}, {{12, 0, 0}}});
  add_covariates(h);
  std::vector<double> values;
  for (double rho : {0.0, 0.2, 0.5}) {
    const auto r = row(rho, 0.2, 0.6, 0.3);
    values.insert(values.end(), r.begin(), r.end());
  }
  const auto sets = q::parse_parameter_rows(values, 3);
  q::Horizons z;
  z.as_of_month = kStart + 80;
  z.offsets = {0, 2, 3, 4, 5};
  z.months = {12, 24, 6, 36, 1};
  z.weights = {0.5, 0.5, 1.0, 1.0, 1.0};
  auto flat = [](const std::vector<q::SimulatedInspection>& sim) {
    std::vector<std::int32_t> out;
    for (const auto& e : sim) out.insert(out.end(), {e.replicate, e.council, e.month, e.grade, e.framework});
    return out;
  };
  auto run = [&](int threads, std::uint64_t seed) {
    admsim::RunOptions o;
    o.threads = threads;
    return std::make_tuple(q::quality_log_likelihood(sets, h, {81, 9}, o), q::quality_forecast(sets, h, z, {81, 9}, o),
                           flat(q::simulate_quality_histories(sets, h, simulation(kStart, kStart + 120, 30, seed), o)));
  };
  const auto one = run(1, 9);
  for (int threads : {2, 4}) CHECK(run(threads, 9) == one);
  CHECK(std::get<2>(run(2, 10)) != std::get<2>(one));
  // A replicate's history does not depend on how many replicates run.
  const auto few = flat(q::simulate_quality_histories(sets, h, simulation(kStart, kStart + 120, 7, 9)));
  const auto& all = std::get<2>(one);
  REQUIRE(few.size() < all.size());
  CHECK(std::equal(few.begin(), few.end(), all.begin()));
}

TEST_CASE("a progress callback that returns false stops each computation (Ctrl-C in Python)") {
  const auto h = histories({{{0, 1, 0}}, {{5, 3, 0}}});
  const auto sets = q::parse_parameter_rows(row(0.3), 1);
  q::Horizons z;
  z.as_of_month = kStart + 20;
  z.offsets = {0, 1, 2};
  z.months = {12, 12};
  z.weights = {1.0, 1.0};
  admsim::RunOptions stop;
  stop.progress = [](std::int64_t, std::int64_t) { return false; };
  CHECK_THROWS_AS(q::quality_log_likelihood(sets, h, {81, 9}, stop), admsim::Cancelled);
  CHECK_THROWS_AS(q::quality_forecast(sets, h, z, {81, 9}, stop), admsim::Cancelled);
  CHECK_THROWS_AS(q::simulate_quality_histories(sets, h, simulation(kStart, kStart + 120, 3, 1), stop),
                  admsim::Cancelled);
}

TEST_CASE("bad parameters, histories and settings are named") {
  auto r = row();
  r[q::kPersistentShare] = 0.99;
  CHECK_THAT(error_of([&] { q::parse_parameter_rows(r, 1); }),
             Catch::Contains("parameters[0, 1]") && Catch::Contains("persistent_share") && Catch::Contains("0.99"));
  r = row();
  r[q::kIlacsZ1] = 2.0;
  CHECK_THAT(error_of([&] { q::parse_parameter_rows(r, 1); }),
             Catch::Contains("parameters[0, 13]") && Catch::Contains("ilacs_z1") && Catch::Contains("below ilacs_z0"));
  r = row();
  r[q::kShortZ2] = 0.0;
  CHECK_THAT(error_of([&] { q::parse_parameter_rows(r, 1); }),
             Catch::Contains("parameters[0, 17]") && Catch::Contains("short_z2"));
  r = row();
  r[q::kDriftHalfLifeYears] = 0.0;
  CHECK_THAT(error_of([&] { q::parse_parameter_rows(r, 1); }), Catch::Contains("drift_half_life_years"));
  r = row();
  r[q::kInspectionNoiseSd] = std::nan("");
  CHECK_THAT(error_of([&] { q::parse_parameter_rows(r, 1); }), Catch::Contains("inspection_noise_sd"));

  const auto sets = q::parse_parameter_rows(row(), 1);
  auto bad = [&](auto change) {
    auto h = histories({{{0, 1, 0}, {30, 2, 1}}, {{5, 3, 0}}});
    change(h);
    return error_of([&] { q::quality_log_likelihood(sets, h, {81, 9}); });
  };
  using H = q::CouncilHistories;
  CHECK_THAT(bad([](H& h) { h.grade[2] = 5; }),
             Catch::Contains("histories['grade'][2]") && Catch::Contains("Inadequate"));
  CHECK_THAT(bad([](H& h) { h.framework[0] = 3; }), Catch::Contains("histories['framework'][0]"));
  CHECK_THAT(bad([](H& h) { h.month[1] = kStart + 500; }),
             Catch::Contains("histories['month'][1]") && Catch::Contains("outside"));
  CHECK_THAT(bad([](H& h) { h.month[2] = kStart - 1; }), Catch::Contains("histories['month'][2]"));
  CHECK_THAT(bad([](H& h) { std::swap(h.month[0], h.month[1]); }),
             Catch::Contains("histories['month'][1]") && Catch::Contains("order"));
  CHECK_THAT(bad([](H& h) { h.offsets[1] = 4; }), Catch::Contains("histories['offsets'][2]"));
  CHECK_THAT(bad([](H& h) { h.adm_live[7] = 0.5; }), Catch::Contains("histories['adm_live'][0, 7]"));
  CHECK_THAT(bad([](H& h) { h.stress[125] = INFINITY; }), Catch::Contains("histories['stress'][1, 5]"));
  CHECK_THAT(bad([](H& h) { h.stress.pop_back(); }),
             Catch::Contains("histories['stress']") && Catch::Contains("councils x months"));
  CHECK_THAT(error_of([&] { q::quality_log_likelihood(sets, histories({}), {2, 9}); }), Catch::Contains("grid"));

  const auto h = histories({{{0, 1, 0}}, {{5, 3, 0}}});
  q::Horizons z;
  z.as_of_month = kStart + 20;
  z.offsets = {0, 1, 2};
  z.months = {12, 0};
  z.weights = {1.0, 1.0};
  CHECK_THAT(error_of([&] { q::quality_forecast(sets, h, z, {81, 9}); }), Catch::Contains("horizon_months[1]"));
  z.months = {12, 12};
  z.weights = {1.0, 0.5};
  CHECK_THAT(error_of([&] { q::quality_forecast(sets, h, z, {81, 9}); }), Catch::Contains("horizon_weights[1:2]"));
  z.weights = {1.0, 1.0};
  z.as_of_month = kStart + 2;
  CHECK_THAT(error_of([&] { q::quality_forecast(sets, h, z, {81, 9}); }),
             Catch::Contains("histories['month'][1]") && Catch::Contains("after as_of_month"));

  auto s = simulation(kStart, kStart + 120, 5, 1);
  s.schedule[1].shape = 0.0;
  CHECK_THAT(error_of([&] { q::simulate_quality_histories(sets, h, s); }), Catch::Contains("schedule[1].shape"));
  s = simulation(kStart, kStart + 120, 5, 1);
  s.schedule[0].median_months[2] = 0.5;
  CHECK_THAT(error_of([&] { q::simulate_quality_histories(sets, h, s); }),
             Catch::Contains("schedule[0].median_months[2]"));
  s = simulation(kStart + 1, kStart + 120, 5, 1);
  CHECK_THAT(error_of([&] { q::simulate_quality_histories(sets, h, s); }),
             Catch::Contains("histories['month'][0]") && Catch::Contains("start_month"));
  s = simulation(kStart, kStart + 121, 5, 1);
  CHECK_THAT(error_of([&] { q::simulate_quality_histories(sets, h, s); }), Catch::Contains("end_month"));
}

// ---- the engine's side of the shared model

namespace {
admsim::EnsembleResult run_engine(const json& spec) {
  return admsim::run_ensemble(admsim::parse_scenario(spec, catalogue()));
}

double outcome_mean(const admsim::EnsembleResult& r, admsim::Outcome o) {
  return r.outcome_mean[static_cast<std::size_t>(o)];
}
}  // namespace

TEST_CASE("engine: an Inadequate response makes a council starting Inadequate leave it sooner") {
  json spec = small_spec(5, 400);
  spec["models"] = json::array({"in_house"});
  spec["profile"]["ofsted"]["last_grade"] = "inadequate";
  quiet(spec);
  // the pre-calibration quality defaults, with no response to Inadequate as the base
  spec["parameters"]["quality_reversion_per_year"] = 0.35;
  spec["parameters"]["inspection_noise_sd"] = 0.5;
  spec["parameters"]["inadequate_response"] = 0.0;
  const auto base = run_engine(spec);
  spec["parameters"]["inadequate_response"] = 1.0;
  const auto helped = run_engine(spec);
  CHECK(outcome_mean(helped, admsim::Outcome::inadequate_at_year3) <
        outcome_mean(base, admsim::Outcome::inadequate_at_year3) - 0.05);
  CHECK(outcome_mean(helped, admsim::Outcome::months_to_leave_inadequate) <
        outcome_mean(base, admsim::Outcome::months_to_leave_inadequate));
}

TEST_CASE("engine: a persistent level carries a council's starting quality through the years") {
  json spec = small_spec(10, 400);
  spec["models"] = json::array({"in_house"});
  spec["parameters"]["quality_workforce_effect"] = 0.0;
  spec["parameters"]["inadequate_response"] = 0.0;  // grade-driven pushes would blur the level
  quiet(spec);
  auto correlation = [&](double rho) {
    spec["parameters"]["quality_persistent_share"] = rho;
    const auto r = run_engine(spec);
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    const double n = double(r.replicates);
    for (std::int64_t rep = 0; rep < r.replicates; ++rep) {
      const double x = metric(r, 0, rep, 0, admsim::Metric::quality);
      const double y = metric(r, 0, rep, r.months - 1, admsim::Metric::quality);
      sx += x; sy += y; sxx += x * x; syy += y * y; sxy += x * y;
    }
    return (sxy / n - sx / n * sy / n) / std::sqrt((sxx / n - sx * sx / n / n) * (syy / n - sy * sy / n / n));
  };
  CHECK(std::abs(correlation(0.0)) < 0.15);
  CHECK(correlation(0.6) > 0.3);
}
