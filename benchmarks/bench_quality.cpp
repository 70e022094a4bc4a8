// Time of the quality model's fit to Ofsted histories for a data set shaped like the real one
// (python/admsim/data/ofsted_history.csv: 155 councils, 331 SIF/ILACS grades published February
// 2014 to December 2022): simulated histories over those months, 15 councils under a delivery
// model. Prints ms per parameter set for the log-likelihood and the forecast, and the time of 1000
// simulated replicates, on 1 thread and on all (best of three runs each).
// Usage: bench_quality [parameter sets = 64]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "admsim/quality_histories.hpp"

namespace q = admsim::quality;

namespace {
constexpr int kFirst = 2014 * 12 + 1, kMonths = 107;
constexpr std::size_t kCouncils = 155;

q::SimulationSettings schedule(std::int64_t replicates) {
  q::SimulationSettings s;
  s.start_month = kFirst;
  s.end_month = kFirst + kMonths;
  s.replicates = replicates;
  s.seed = 2024;
  // Log-logistic gaps by latest grade (medians in months; shape), as calibration/schedule.py fits.
  for (auto& sched : s.schedule) {
    sched.median_months = {50, 44, 30, 22};
    sched.shape = 4.0;
  }
  s.calendar.pause_start_month = 2020 * 12 + 2;
  s.calendar.pause_end_month = 2021 * 12 + 3;
  return s;
}

std::vector<double> row(double rho) {
  // reversion, rho, noise, improvement, inadequate response (SIF, ILACS), workforce effect, drift
  // per year and half-life, then the cut-points of SIF, ILACS standard and short inspections.
  return {0.35, rho, 0.5, 0.2, 0.6, 0.0, 0.6, 0.05, 4.0, 1.4, 0.3, -1.2, 1.6, 0.4, -1.1, 1.5, 0.2, -1.3};
}

// First inspections spread over the SIF years; one simulated replicate gives the rest.
q::CouncilHistories histories() {
  q::CouncilHistories seed;
  seed.first_month = kFirst;
  seed.months = kMonths;
  seed.councils = kCouncils;
  seed.ilacs_start_month = 2018 * 12;
  seed.drift_end_month = kFirst + kMonths;
  seed.offsets = {0};
  for (std::size_t c = 0; c < kCouncils; ++c) {
    seed.month.push_back(kFirst + static_cast<int>((c * 7) % 47));
    seed.grade.push_back(1);
    seed.framework.push_back(0);
    seed.offsets.push_back(static_cast<std::int32_t>(c + 1));
  }
  seed.adm_live.assign(kCouncils * kMonths, 0.0);
  seed.stress.assign(kCouncils * kMonths, 0.0);
  for (std::size_t c = 0; c < kCouncils; c += 11)
    for (std::size_t t = 24; t < kMonths; ++t) seed.adm_live[c * kMonths + t] = 1.0;
  const auto sim = q::simulate_quality_histories(q::parse_parameter_rows(row(0.3), 1), seed, schedule(1));
  q::CouncilHistories h = seed;
  h.month.clear();
  h.grade.clear();
  h.framework.clear();
  h.offsets = {0};
  for (std::size_t c = 0; c < kCouncils; ++c) {
    for (const auto& e : sim) {
      if (static_cast<std::size_t>(e.council) != c) continue;
      h.month.push_back(e.month);
      h.grade.push_back(e.grade);
      h.framework.push_back(e.framework);
    }
    h.offsets.push_back(static_cast<std::int32_t>(h.month.size()));
  }
  return h;
}

// The best of three runs, so that a busy machine disturbs it less.
template <typename F>
double seconds(F&& f) {
  double best = 1e300;
  for (int run = 0; run < 3; ++run) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}
}  // namespace

int main(int argc, char** argv) {
  const std::size_t S = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 64;
  const q::CouncilHistories h = histories();
  std::vector<double> values;
  for (std::size_t s = 0; s < S; ++s) {
    const auto r = row(0.6 * double(s % 4) / 3.0);  // rho 0, 0.2, 0.4, 0.6
    values.insert(values.end(), r.begin(), r.end());
  }
  const auto sets = q::parse_parameter_rows(values, S);
  q::Horizons z;
  z.as_of_month = kFirst + kMonths - 61;
  z.offsets = {0};
  for (std::size_t c = 0; c < kCouncils; ++c) {
    for (int m = 12; m <= 60; m += 12) {
      z.months.push_back(m);
      z.weights.push_back(0.2);
    }
    z.offsets.push_back(static_cast<std::int32_t>(z.months.size()));
  }
  // The forecast needs every inspection at or before the as-of month: keep those.
  q::CouncilHistories past = h;
  past.month.clear();
  past.grade.clear();
  past.framework.clear();
  past.offsets = {0};
  for (std::size_t c = 0; c < kCouncils; ++c) {
    for (auto i = static_cast<std::size_t>(h.offsets[c]); i < static_cast<std::size_t>(h.offsets[c + 1]); ++i) {
      if (h.month[i] > z.as_of_month) continue;
      past.month.push_back(h.month[i]);
      past.grade.push_back(h.grade[i]);
      past.framework.push_back(h.framework[i]);
    }
    past.offsets.push_back(static_cast<std::int32_t>(past.month.size()));
  }
  std::printf("%zu councils, %zu graded inspections (%.2f each), %zu parameter sets (rho 0 to 0.6), grid 81, 9 nodes\n",
              kCouncils, h.month.size(), double(h.month.size()) / kCouncils, S);
  std::printf("%-8s %16s %24s %22s\n", "threads", "loglik ms/set", "forecast ms/set (5 h)", "simulate 1000 reps s");
  for (int threads : {1, 0}) {
    admsim::RunOptions o;
    o.threads = threads;
    double sink = 0;
    const double ll = seconds([&] {
      for (double v : q::quality_log_likelihood(sets, h, {81, 9}, o)) sink += v;
    });
    const double fc = seconds([&] {
      for (double v : q::quality_forecast(sets, past, z, {81, 9}, o)) sink += v;
    });
    const double sim = seconds([&] {
      sink += double(q::simulate_quality_histories(sets, h, schedule(1000), o).size());
    });
    std::printf("%-8s %16.3f %24.3f %22.3f   (checksum %.6g)\n", threads ? "1" : "all", 1e3 * ll / double(S),
                1e3 * fc / double(S), sim, sink);
  }
}
