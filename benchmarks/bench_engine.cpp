// Engine throughput against its RNG-bound limit, thread scaling and peak memory.
//
//   bench_engine PROFILE.json CATALOGUE.json [replicates=10000] [years=10] [threads list, e.g. 1,2]
//                [repeats=3]
//
// Standard run: every catalogue model, summary-only. The RNG-bound limit is a loop that makes the
// same number and kinds of draws per replicate-month as the engine (stream set-ups, normals, a
// Poisson, binomials and multinomials sized by the profile's calibrated stocks and rates) with the
// same samplers, its streams' first blocks made as the engine makes them (MonthStreams, once for
// all the models of a replicate-month), and nothing else. Each repeat times the limit and then
// the engine at each thread count, one after another (A B A B), and the figures are the medians
// of each repeat's ratios, with their spread: the machine is shared, and one timing alone says
// little.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "admsim/engine.hpp"
#include "admsim/ensemble.hpp"
#include "admsim/month_streams.hpp"
#include "admsim/samplers.hpp"

namespace {
using admsim::json;
using Clock = std::chrono::steady_clock;

json read(const char* path) {
  std::ifstream in(path);
  if (!in) { std::fprintf(stderr, "cannot read %s\n", path); std::exit(2); }
  std::stringstream s;
  s << in.rdbuf();
  return admsim::parse_json_text(s.str());
}

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// The engine's draws for one replicate-month, with calibrated sizes (see demand.cpp, workforce.cpp,
// quality.cpp): returns a checksum so nothing is optimised away.
// streams: the month's first blocks made together, as the engine makes them (once for all the
// models of a replicate-month, with common random numbers).
std::uint64_t draw_month(const admsim::Calibration& c, const admsim::MonthStreams& streams) {
  using namespace admsim::rng;
  std::uint64_t sum = 0;
  double fsum = 0;
  auto s = [&](std::uint32_t id) { return streams.stream(id); };
  { Stream n = s(admsim::kStreamDemandNoise); fsum += normal(n); }                                          // demand noise
  { Stream r = s(admsim::kStreamReferrals); sum += poisson(r, c.new_referrals); }                         // referrals
  { Stream r = s(admsim::kStreamRereferrals);                                                               // re-referrals
    std::uint64_t pool[12], back[12];  // the 12 cohorts in steady state, thinning
    double cohort = c.closures;
    for (int k = 0; k < 12; ++k, cohort *= 1 - c.rereferral_hazard) pool[k] = static_cast<std::uint64_t>(cohort);
    Binomial(c.rereferral_hazard).many(r, pool, 12, back);  // drawn together, as the engine does
    for (const auto k : back) sum += k; }
  const auto referrals = static_cast<std::uint64_t>(c.closures);  // closures = referrals in steady state
  { Stream r = s(admsim::kStreamReferralOutcome); sum += binomial(r, referrals, c.nfa_share); }                // outcome
  { Stream r = s(admsim::kStreamCin); double p[4] = {c.cin_to_cpp, c.cin_to_cla, c.cin_close, 1 - c.cin_to_cpp - c.cin_to_cla - c.cin_close};
    std::uint64_t out[4]; multinomial(r, static_cast<std::uint64_t>(c.cin_only0), p, 4, out); sum += out[0]; }
  { Stream r = s(admsim::kStreamCpp); const auto ends = binomial(r, static_cast<std::uint64_t>(c.cpp0), c.cpp_exit);
    const auto care = binomial(r, ends, c.cpp_exit_to_cla); sum += binomial(r, ends - care, 0.55); }
  { Stream r = s(admsim::kStreamCppRepeat); sum += binomial(r, static_cast<std::uint64_t>(c.cpp0 * c.cpp_exit), 0.2); }
  { Stream r = s(admsim::kStreamCareExit), more = s(admsim::kStreamCareMoves);                        // care exits
    std::uint64_t n[admsim::Calibration::kCareCells], move[admsim::Calibration::kCareCells][admsim::rng::RareOutcomeCells::kOutcomes];
    for (std::size_t t = 0, i = 0; t < admsim::kPlacementCount; ++t)
      for (std::size_t b = 0; b < admsim::kCareBands; ++b)
        for (std::size_t a = 0; a < admsim::kAgeBands; ++a, ++i) n[i] = static_cast<std::uint64_t>(c.initial_care[t][b][a] + 0.5);
    c.care_draws.moves(r, more, n, move);  // the engine's own prepared samplers, the fastest it has
    for (const auto& cell : move) sum += cell[0] + cell[1] + cell[2] + cell[3]; }
  { Stream r = s(admsim::kStreamPlacementStep), more = s(admsim::kStreamPlacementStepMore);             // step-down
    const auto& d = c.care_draws;  // the engine's prepared draws, three uniforms a cell
    for (std::size_t b = 0; b < admsim::kCareBands; ++b)
      for (std::size_t a = 0; a < admsim::kAgeBands; ++a) {
        const double u0 = r.uniform(), u1 = r.uniform(), u2 = r.uniform();
        const auto res = static_cast<std::uint64_t>(c.initial_care[3][b][a] + 0.5);
        const auto down = d.step_down.from(more, res, u0);
        sum += binomial(more, down, 0.5) + d.escalation[b][a].from(more, static_cast<std::uint64_t>(c.initial_care[0][b][a] + 0.5), u1) +
               d.escalation[b][a].from(more, static_cast<std::uint64_t>(c.initial_care[1][b][a] + 0.5), u2);
      } }
  { Stream r = s(admsim::kStreamUasc); sum += binomial(r, poisson(r, c.uasc_entries), c.uasc_share_16_17); }
  { Stream r = s(admsim::kStreamCareEntry); std::uint64_t out[admsim::kPlacementCount * admsim::kAgeBands];
    c.care_draws.entry(r, static_cast<std::uint64_t>(c.cla_entry_rate), out); sum += out[0]; }
  { Stream r = s(admsim::kStreamPlacementMoves); sum += binomial(r, static_cast<std::uint64_t>(c.cla0), 0.03); }  // moves
  { Stream n = s(admsim::kStreamLabourMarket); fsum += normal(n); }                                          // labour market
  { Stream r = s(admsim::kStreamLeavers); for (int b = 0; b < 3; ++b) sum += binomial(r, static_cast<std::uint64_t>(c.in_post0 / 3), c.band_hazard[static_cast<std::size_t>(b)]); }
  { Stream r = s(admsim::kStreamProgression); sum += binomial(r, static_cast<std::uint64_t>(c.in_post0 * 0.12), 1.0 / 12);
    sum += binomial(r, static_cast<std::uint64_t>(c.in_post0 * 0.58), 0.01); }
  const auto vacancies = static_cast<std::uint64_t>(c.establishment0 - c.in_post0);
  { Stream r = s(admsim::kStreamHires); const auto h = binomial(r, vacancies, c.fill_prob); sum += binomial(r, h, 0.35); }
  { Stream r = s(admsim::kStreamAgency); sum += binomial(r, static_cast<std::uint64_t>(c.agency0), 1.0 / 6) + binomial(r, 6, 0.7); }
  { Stream n = s(admsim::kStreamQuality); fsum += normal(n); }                                          // quality
  return sum + static_cast<std::uint64_t>(fsum > 0);
}

// "median (min-max)" of a repeat's figures.
std::string spread(std::vector<double> v, const char* format = "%.2f") {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  const double median = n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
  char out[96];
  const std::string f = std::string(format) + " (" + format + "-" + format + ")";
  std::snprintf(out, sizeof out, f.c_str(), median, v.front(), v.back());
  return out;
}

double rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s PROFILE.json CATALOGUE.json [replicates] [years] [threads,..] [repeats]\n",
                 argv[0]);
    return 2;
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress lines appear as they happen
  const json catalogue = read(argv[2]);
  const long replicates = argc > 3 ? std::atol(argv[3]) : 10000;
  const long years = argc > 4 ? std::atol(argv[4]) : 10;
  std::vector<int> threads_list = {1, 2};
  if (argc > 5) {
    threads_list.clear();
    std::stringstream list(argv[5]);
    for (std::string item; std::getline(list, item, ',');) threads_list.push_back(std::atoi(item.c_str()));
  }
  const int repeats = argc > 6 ? std::max(1, std::atoi(argv[6])) : 3;
  json spec;
  spec["profile"] = read(argv[1]);
  spec["models"] = json::array();
  for (const auto& id : admsim::catalogue_ids(catalogue)) spec["models"].push_back(id);
  spec["years"] = years;
  spec["replicates"] = replicates;
  spec["output"] = "summary";
  const admsim::Scenario scenario = admsim::parse_scenario(spec, catalogue);
  const admsim::Calibration calibration = admsim::calibrate(scenario);
  const double rep_months = double(scenario.models.size()) * double(replicates) * double(years * 12);
  std::printf("standard run: %zu models x %ld replicates x %ld years = %.3g replicate-months (summary-only)\n",
              scenario.models.size(), replicates, years, rep_months);

  // RNG-bound limit on one core: the same draws, nothing else.
  // ADMSIM_BENCH_LIMIT_MONTHS=0 skips the limit (to profile the engine alone).
  const char* limit_env = std::getenv("ADMSIM_BENCH_LIMIT_MONTHS");
  const long limit_months = limit_env ? std::atol(limit_env) : 200000;
  auto limit_rate = [&] {
    const auto t0 = Clock::now();
    std::uint64_t checksum = 0;
    admsim::MonthStreams streams;
    const long models = static_cast<long>(scenario.models.size());
    for (long i = 0; i < limit_months; ++i) {
      const long rep_month = i / models;  // each replicate-month's blocks made once for its models
      if (i % models == 0) {
        streams.prepare(1, static_cast<std::uint64_t>(rep_month / 120), static_cast<std::uint32_t>(rep_month % 120));
      }
      checksum += draw_month(calibration, streams);
    }
    const double rate = limit_months > 0 ? double(limit_months) / seconds_since(t0) : 0.0;
    std::printf("  RNG-bound limit (1 core): %.0f replicate-months/s  (checksum %llu)\n", rate,
                static_cast<unsigned long long>(checksum % 1000));
    return rate;
  };

  // Per repeat: the limit, then each thread count; the ratios are taken within a repeat.
  std::vector<std::vector<double>> seconds(threads_list.size()), per_limit(threads_list.size()),
      speedup(threads_list.size());
  std::vector<double> limits;
  for (int rep = 0; rep < repeats; ++rep) {
    std::printf("repeat %d of %d\n", rep + 1, repeats);
    const double limit = limit_rate();
    limits.push_back(limit);
    double first_rate = 0;
    for (std::size_t j = 0; j < threads_list.size(); ++j) {
      const int threads = threads_list[j];
      admsim::RunOptions options;
      options.threads = threads;
      const auto t0 = Clock::now();
      const auto result = admsim::run_ensemble(scenario, options);
      const double secs = seconds_since(t0), rate = rep_months / secs;
      if (j == 0) first_rate = rate;
      seconds[j].push_back(secs);
      per_limit[j].push_back(limit / (rate / threads));
      speedup[j].push_back(rate / first_rate);
      std::printf("  threads %2d: %7.2f s  %9.0f replicate-months/s  (P good y3 in_house %.3f)\n", threads, secs, rate,
                  result.outcome_mean[1]);
    }
  }
  std::printf("medians of %d repeats (min-max):\n", repeats);
  std::printf("RNG-bound limit (1 core): %s replicate-months/s\n", spread(limits, "%.0f").c_str());
  for (std::size_t j = 0; j < threads_list.size(); ++j) {
    std::vector<double> us(seconds[j].size());  // microseconds per replicate-month on each core used
    for (std::size_t i = 0; i < us.size(); ++i) us[i] = seconds[j][i] * threads_list[j] / rep_months * 1e6;
    std::printf("threads %2d: %s s  %s us per replicate-month per core  engine/limit per core %s  speed-up vs %d "
                "thread(s) %s\n",
                threads_list[j], spread(seconds[j]).c_str(), spread(us).c_str(), spread(per_limit[j]).c_str(),
                threads_list.front(), spread(speedup[j]).c_str());
  }
  std::printf("peak memory (max RSS): %.0f MB\n", rss_mb());
  return 0;
}
