#pragma once
// Councils' graded Ofsted histories and the three computations over them that the calibration
// needs, each batched over parameter sets (rows of quality_model.hpp's parameter vector), in
// parallel (TBB) with results independent of the thread count:
//   quality_log_likelihood     the likelihood of each council's history (forward algorithm),
//   quality_forecast           the grade at each council's next inspection,
//   simulate_quality_histories posterior-predictive histories.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "admsim/ensemble.hpp"
#include "admsim/quality_model.hpp"

namespace admsim::quality {

// Graded inspections of C councils in CSR form, with each council's monthly covariates over
// M months starting at first_month. Months are absolute: year * 12 + month - 1.
struct CouncilHistories {
  int first_month = 0;
  std::size_t months = 0, councils = 0;
  int ilacs_start_month = 0;            // ILACS grades from this month (SIF before); the drift starts
  int drift_end_month = 0;              // the drift is linear to here (the data's end), damped after
  std::vector<std::int32_t> offsets;    // C + 1: council c's inspections are [offsets[c], offsets[c+1])
  std::vector<std::int32_t> month;      // of each graded inspection, nondecreasing within a council
  std::vector<std::int32_t> grade;      // 0 Outstanding .. 3 Inadequate
  std::vector<std::int32_t> framework;  // the grading regime: 0 SIF, 1 ILACS standard, 2 ILACS short
  std::vector<double> adm_live;         // C x M, row-major: 1 in months run by a delivery model
  std::vector<double> stress;           // C x M: workforce stress (engine units)

  std::size_t column(int absolute_month) const { return static_cast<std::size_t>(absolute_month - first_month); }
  double live_at(std::size_t c, int m) const { return adm_live[c * months + column(m)]; }
  double stress_at(std::size_t c, int m) const { return stress[c * months + column(m)]; }
  bool covers(int m) const { return m >= first_month && m < first_month + static_cast<int>(months); }
};

// Throws ValidationError naming the field and index, e.g. histories['grade'][17].
void validate(const CouncilHistories& h);

// Validated parameter sets: S rows of kColumnCount values, row-major.
std::vector<Parameters> parse_parameter_rows(const std::vector<double>& values, std::size_t rows);

// The discretisation of the forward algorithm: v on `grid` points over +-5 SD, u by Gauss-Hermite
// quadrature with `nodes` nodes (one at u = 0 when the persistent share is 0).
struct FilterSettings {
  int grid = 81;
  int nodes = 9;
};

// S x C log-likelihoods, row-major.
std::vector<double> quality_log_likelihood(const std::vector<Parameters>& sets, const CouncilHistories& h,
                                           const FilterSettings& settings, const RunOptions& options = {});

// Next-inspection horizons per council: months ahead of the as-of month (>= 1) with weights
// summing to 1, council c's in [offsets[c], offsets[c+1]). The regime of each is regime_of()
// its month and the council's latest grade.
struct Horizons {
  int as_of_month = 0;
  std::vector<std::int32_t> offsets, months;
  std::vector<double> weights;
};

// The calendar of graded inspection: the pause (no graded inspection in [pause_start,
// pause_end): COVID, 2020-21) stops the schedule's clock.
struct InspectionCalendar {
  int pause_start_month = 0, pause_end_month = 0;
};

// Each council's next-inspection horizons after as_of_month from the schedule by its latest
// grade (schedule[1] once that grade is ILACS's, schedule[0] for SIF's), given none between its
// latest inspection and as_of_month; at most `max_months` ahead (the tail's mass goes to the last).
Horizons next_inspection_horizons(const CouncilHistories& h, int as_of_month, const std::array<Schedule, 2>& schedule,
                                  const InspectionCalendar& calendar, int max_months);

// S x C x 4 probabilities of each grade at the next inspection, row-major.
std::vector<double> quality_forecast(const std::vector<Parameters>& sets, const CouncilHistories& h,
                                     const Horizons& horizons, const FilterSettings& settings,
                                     const RunOptions& options = {});

// Throw ValidationError naming `name` (e.g. "schedule[1].shape") for a bad schedule or calendar.
void check(const Schedule& s, const std::string& name);
void check(const InspectionCalendar& c);

struct SimulationSettings {
  int start_month = 0, end_month = 0;  // simulated months [start, end)
  std::int64_t replicates = 1;         // replicate r uses parameter set r % S
  std::uint64_t seed = 1;
  std::array<Schedule, 2> schedule;    // after a SIF grade, after an ILACS grade
  InspectionCalendar calendar;
};

// Random streams: (seed, replicate, kHistoryStreamStride * council + purpose, month), so a
// council's draws depend on neither the thread count nor how many replicates or councils run.
inline constexpr std::uint32_t kHistoryStreamStride = 4;
enum HistoryStream : std::uint32_t { kHistoryStart = 0, kHistoryLatent = 1, kHistoryInspection = 2 };

struct SimulatedInspection {
  std::int32_t replicate, council, month, grade, framework;
};

// Every simulated graded inspection, sorted by replicate, council and month.
std::vector<SimulatedInspection> simulate_quality_histories(const std::vector<Parameters>& sets,
                                                            const CouncilHistories& h,
                                                            const SimulationSettings& settings,
                                                            const RunOptions& options = {});

}  // namespace admsim::quality
