#include "admsim/quality_model.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "admsim/json_reader.hpp"
#include "admsim/samplers.hpp"

namespace admsim::quality {

static_assert(kIlacsZ0 == kSifZ0 + 3 && kShortZ0 == kSifZ0 + 6, "cut-point columns: three per regime, in Regime order");

Reversion monthly_reversion(double per_year) {
  const double pace = 1.0 - std::exp(-per_year / 12.0);
  const double phi = 1.0 - pace;
  return {pace, phi, std::sqrt(1.0 - phi * phi)};
}

Cuts reading_cuts(double inspection_noise_sd, const std::array<double, 3>& z) {
  const double sd = std::sqrt(1.0 + inspection_noise_sd * inspection_noise_sd);
  return {sd * z[0], sd * z[1], sd * z[2]};
}

double GradingDrift::at(int month) const {
  if (per_year == 0.0 || month <= start_month) return 0.0;
  const int linear_end = std::max(start_month, end_month);
  double years = double(std::min(month, linear_end) - start_month) / 12.0;
  if (month > linear_end) {
    const double extra = double(month - linear_end) / 12.0;
    years += std::isinf(half_life_years)
                 ? extra
                 : half_life_years / std::log(2.0) * (1.0 - std::exp2(-extra / half_life_years));
  }
  return per_year * years;
}

double Schedule::cdf(int grade, double months) const {
  if (months <= 0.0) return 0.0;
  return 1.0 / (1.0 + std::pow(months / median_months[static_cast<std::size_t>(grade)], -shape));
}

double Schedule::quantile(int grade, double u) const {
  return median_months[static_cast<std::size_t>(grade)] * std::pow(u / (1.0 - u), 1.0 / shape);
}

namespace {
// Beyond this, P(no inspection yet) is too small to condition on: an overdue inspection falls
// uniformly in the next 12 months instead.
constexpr double kOverdueTail = 1e-9;
}  // namespace

int Schedule::months_to_next(int grade, double u, int waited) const {
  const double done = cdf(grade, double(waited));
  if (1.0 - done < kOverdueTail) return waited + 1 + std::min(11, static_cast<int>(12.0 * u));
  const double t = quantile(grade, done + u * (1.0 - done));
  // A gap in (k - 1, k] months is k months; at least one more than waited.
  return std::max(waited + 1, static_cast<int>(std::ceil(t)));
}

double Schedule::month_probability(int grade, int month, int waited) const {
  if (month <= waited) return 0.0;
  const double left = 1.0 - cdf(grade, double(waited));
  if (left < kOverdueTail) return month <= waited + 12 ? 1.0 / 12.0 : 0.0;
  return (cdf(grade, double(month)) - cdf(grade, double(month - 1))) / left;
}

int calendar_month(int from, int clock, int pause_start, int pause_end) {
  const int t = from + clock;
  if (pause_end <= pause_start || t < pause_start || from >= pause_end) return t;
  return std::max(from, pause_end) + (clock - std::max(0, pause_start - from));
}

int clock_months(int from, int to, int pause_start, int pause_end) {
  const int overlap = std::max(0, std::min(to, pause_end) - std::max(from, pause_start));
  return to - from - overlap;
}

Cuts Parameters::cuts(int regime, double drift) const {
  Cuts c = cut[static_cast<std::size_t>(regime)];
  if (regime != kSif) {
    for (double& x : c) x -= drift * reading_sd;
  }
  return c;
}

Inspection inspect(rng::Stream& s, double q, double noise_sd, const Cuts& cut, const Schedule& schedule) {
  const double reading = q + noise_sd * rng::normal(s);
  const int grade = grade_of(reading, cut);
  return {grade, schedule.months_to_next(grade, s.uniform())};
}


Parameters parse_parameters(const double* row, std::size_t index) {
  auto fail = [&](std::size_t column, const std::string& allowed) {
    throw ValidationError("parameters[" + std::to_string(index) + ", " + std::to_string(column) + "]",
                          std::string(kColumnNames[column]) + " out of range", number_text(row[column]),
                          allowed);
  };
  for (std::size_t k = 0; k < kColumnCount; ++k) {
    if (k == kDriftHalfLifeYears ? std::isnan(row[k]) : !std::isfinite(row[k])) fail(k, "a finite number");
  }
  if (!(row[kDriftHalfLifeYears] > 0)) fail(kDriftHalfLifeYears, "a number > 0 (years; inf for no damping)");
  if (!(row[kReversionPerYear] > 0)) fail(kReversionPerYear, "a number > 0 (per year)");
  const double rho = row[kPersistentShare];
  if (rho < 0 || rho > kMaxPersistentShare) fail(kPersistentShare, "a number in [0, 0.95]");
  if (!(row[kInspectionNoiseSd] > 0)) fail(kInspectionNoiseSd, "a number > 0 (SD units)");
  // Cut-points must fall from Outstanding/Good to RI/Inadequate within each framework.
  for (std::size_t first : {kSifZ0, kIlacsZ0, kShortZ0}) {
    for (std::size_t k = first + 1; k < first + 3; ++k) {
      if (!(row[k] < row[k - 1])) {
        fail(k, std::string("a number below ") + kColumnNames[k - 1] + " = " + number_text(row[k - 1]) +
                    " (cut-points decrease from Outstanding/Good to RI/Inadequate)");
      }
    }
  }
  Parameters p;
  p.reversion = monthly_reversion(row[kReversionPerYear]);
  p.persistent_share = rho;
  p.noise_sd = row[kInspectionNoiseSd];
  p.transient_sd = std::sqrt(1.0 - rho);
  p.improvement = row[kImprovement];
  p.inadequate_response = row[kInadequateResponse];
  p.workforce_effect = row[kWorkforceEffect];
  p.inadequate_response_ilacs = row[kInadequateResponseIlacs];
  p.drift_per_year = row[kDriftPerYear];
  p.drift_half_life_years = row[kDriftHalfLifeYears];
  p.reading_sd = std::sqrt(1.0 + p.noise_sd * p.noise_sd);
  for (std::size_t r = 0; r < kRegimeCount; ++r) {
    const std::size_t z = kSifZ0 + 3 * r;
    p.cut[r] = reading_cuts(p.noise_sd, {row[z], row[z + 1], row[z + 2]});
  }
  return p;
}

}  // namespace admsim::quality
