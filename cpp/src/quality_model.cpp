#include "admsim/quality_model.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "admsim/json_reader.hpp"
#include "admsim/samplers.hpp"

namespace admsim::quality {

Reversion monthly_reversion(double per_year) {
  const double pace = 1.0 - std::exp(-per_year / 12.0);
  const double phi = 1.0 - pace;
  return {pace, phi, std::sqrt(1.0 - phi * phi)};
}

Cuts reading_cuts(double inspection_noise_sd, const std::array<double, 3>& z) {
  const double sd = std::sqrt(1.0 + inspection_noise_sd * inspection_noise_sd);
  return {sd * z[0], sd * z[1], sd * z[2]};
}

int Schedule::months_to_next(int grade, double u) const {
  return std::max(1, static_cast<int>(interval(grade, u)));
}

Inspection inspect(rng::Stream& s, double q, double noise_sd, const Cuts& cut, const Schedule& schedule) {
  const double reading = q + noise_sd * rng::normal(s);
  const int grade = grade_of(reading, cut);
  return {grade, schedule.months_to_next(grade, s.uniform())};
}

namespace {
std::string number_text(double x) {
  std::ostringstream out;
  out.precision(10);
  out << x;
  return out.str();
}
}  // namespace

Parameters parse_parameters(const double* row, std::size_t index) {
  auto fail = [&](std::size_t column, const std::string& allowed) {
    throw ValidationError("parameters[" + std::to_string(index) + ", " + std::to_string(column) + "]",
                          std::string(kColumnNames[column]) + " out of range", number_text(row[column]),
                          allowed);
  };
  for (std::size_t k = 0; k < kColumnCount; ++k) {
    if (!std::isfinite(row[k])) fail(k, "a finite number");
  }
  if (!(row[kReversionPerYear] > 0)) fail(kReversionPerYear, "a number > 0 (per year)");
  const double rho = row[kPersistentShare];
  if (rho < 0 || rho > kMaxPersistentShare) fail(kPersistentShare, "a number in [0, 0.95]");
  if (!(row[kInspectionNoiseSd] > 0)) fail(kInspectionNoiseSd, "a number > 0 (SD units)");
  // Cut-points must fall from Outstanding/Good to RI/Inadequate within each framework.
  for (std::size_t first : {kSifZ0, kIlacsZ0}) {
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
  p.cut[0] = reading_cuts(p.noise_sd, {row[kSifZ0], row[kSifZ1], row[kSifZ2]});
  p.cut[1] = reading_cuts(p.noise_sd, {row[kIlacsZ0], row[kIlacsZ1], row[kIlacsZ2]});
  return p;
}

}  // namespace admsim::quality
