// Posterior-predictive histories: each council's latent quality month by month, graded on the
// inspection schedule from its first observed inspection, as the engine's quality module does.
#include <climits>
#include <cmath>
#include <string>

#include "admsim/json_reader.hpp"
#include "admsim/quality_histories.hpp"
#include "admsim/samplers.hpp"
#include "ensemble/parallel_blocks.hpp"

namespace admsim::quality {

namespace {
void check(const SimulationSettings& s, const CouncilHistories& h, std::size_t sets) {
  if (sets == 0) throw ValidationError("parameters", "no parameter sets", "0 rows", "at least one row");
  const int end = h.first_month + static_cast<int>(h.months);
  if (!h.covers(s.start_month)) {
    throw ValidationError("start_month", "outside the histories' months", std::to_string(s.start_month),
                          "a month in [" + std::to_string(h.first_month) + ", " + std::to_string(end) + ")");
  }
  if (s.end_month <= s.start_month || s.end_month > end) {
    throw ValidationError("end_month", "outside the histories' months", std::to_string(s.end_month),
                          "a month in (start_month, " + std::to_string(end) + "] (first_month + months)");
  }
  if (s.replicates < 1 || s.replicates > INT_MAX) {
    throw ValidationError("replicates", "out of range", std::to_string(s.replicates), "an integer in [1, 2^31 - 1]");
  }
  quality::check(s.schedule[0], "schedule[0]");
  quality::check(s.schedule[1], "schedule[1]");
  quality::check(s.calendar);
  for (std::size_t c = 0; c < h.councils; ++c) {
    const auto first = static_cast<std::size_t>(h.offsets[c]);
    if (first < static_cast<std::size_t>(h.offsets[c + 1]) && h.month[first] < s.start_month) {
      throw ValidationError("histories['month'][" + std::to_string(first) + "]",
                            "council " + std::to_string(c) + "'s first inspection is before start_month",
                            std::to_string(h.month[first]),
                            "a month >= start_month = " + std::to_string(s.start_month));
    }
  }
}

void simulate_council(const Parameters& p, const CouncilHistories& h, const SimulationSettings& s,
                      std::int64_t replicate, std::size_t c, std::vector<SimulatedInspection>& out) {
  if (h.offsets[c] == h.offsets[c + 1]) return;  // never inspected: nothing to compare with
  const auto r = static_cast<std::uint64_t>(replicate);
  const auto base = kHistoryStreamStride * static_cast<std::uint32_t>(c);
  auto stream = [&](HistoryStream purpose, int month) {
    return rng::Stream(s.seed, r, base + purpose, static_cast<std::uint32_t>(month));
  };
  rng::Stream start = stream(kHistoryStart, s.start_month);
  const double u = std::sqrt(p.persistent_share) * rng::normal(start);
  double q = u + p.transient_sd * rng::normal(start);
  const double noise = innovation_sd(p.reversion, p.persistent_share);
  int next = h.month[static_cast<std::size_t>(h.offsets[c])], latest = -1;
  const GradingDrift drift = p.drift(h.ilacs_start_month, h.drift_end_month);
  for (int t = s.start_month; t < s.end_month; ++t) {
    if (t > s.start_month) {
      rng::Stream e = stream(kHistoryLatent, t);
      const double target = u + p.shift(h.live_at(c, t), h.stress_at(c, t), latest, t >= h.ilacs_start_month);
      q = step(q, target, p.reversion.pace, noise, rng::normal(e));
    }
    if (t != next) continue;
    const int regime = regime_of(t, latest, h.ilacs_start_month);
    rng::Stream draw = stream(kHistoryInspection, t);
    const Inspection ins = inspect(draw, q, p.noise_sd, p.cuts(regime, drift.at(t)), s.schedule[regime == kSif ? 0 : 1]);
    out.push_back({static_cast<std::int32_t>(replicate), static_cast<std::int32_t>(c), t, ins.grade, regime});
    latest = ins.grade;
    // The schedule's clock stops during the pause (COVID, 2020-21).
    next = calendar_month(t, ins.months_to_next, s.calendar.pause_start_month, s.calendar.pause_end_month);
  }
}
}  // namespace

std::vector<SimulatedInspection> simulate_quality_histories(const std::vector<Parameters>& sets,
                                                            const CouncilHistories& h,
                                                            const SimulationSettings& settings,
                                                            const RunOptions& options) {
  validate(h);
  check(settings, h, sets.size());
  const auto R = static_cast<std::size_t>(settings.replicates);
  std::vector<std::vector<SimulatedInspection>> by_replicate(R);
  // An item is a replicate: all its councils, in order, into its own list.
  admsim::detail::run_in_blocks(R, 1, options, [&](std::size_t begin, std::size_t end) {
    for (std::size_t r = begin; r < end; ++r) {
      for (std::size_t c = 0; c < h.councils; ++c) {
        simulate_council(sets[r % sets.size()], h, settings, static_cast<std::int64_t>(r), c, by_replicate[r]);
      }
    }
  }, 1, h.councils);
  std::vector<SimulatedInspection> out;
  for (auto& inspections : by_replicate) out.insert(out.end(), inspections.begin(), inspections.end());
  return out;
}

}  // namespace admsim::quality
