#pragma once
// The quality-and-inspection model, shared by the engine (quality.cpp) and the fit to real Ofsted
// histories (quality_filter.cpp, quality_simulation.cpp), so both compute one model.
//
// Standardised units: latent quality q = u + v has stationary SD 1. u ~ N(0, rho) is a council's
// persistent level; v is AR(1) toward the month's target shift x with pace kappa = 1 - exp(-r/12)
// and innovation SD sqrt(1 - rho) * sqrt(1 - (1 - kappa)^2). An inspection reads y = q + s * e and
// grades it against cut-points c_k = sqrt(1 + s^2) z_k, best first. Grades here count from 0
// (Outstanding) to 3 (Inadequate); the engine's Grade enum counts from 1.
#include <array>
#include <cmath>
#include <cstddef>

#include "admsim/random.hpp"

namespace admsim::quality {

inline constexpr int kGradeCount = 4;
inline constexpr int kInadequateGrade = 3;
inline constexpr int kFrameworkCount = 2;  // 0 SIF (2013-2017), 1 ILACS (2018-)

using Cuts = std::array<double, 3>;  // reading-scale cut-points O/G, G/RI, RI/I (decreasing)

// Monthly AR(1) coefficients for a reversion rate per year (stationary SD 1 when rho = 0).
struct Reversion {
  double pace;      // kappa: share of the gap to the target closed in a month
  double phi;       // 1 - kappa: what is left of a deviation after a month
  double noise_sd;  // sqrt(1 - phi^2)
};
Reversion monthly_reversion(double per_year);

// SD of the monthly innovation of the transient part v, whose stationary variance is 1 - rho.
inline double innovation_sd(const Reversion& r, double persistent_share) {
  return r.noise_sd * std::sqrt(1.0 - persistent_share);
}

// Workforce stress: the mean of turnover, agency share and caseload above reference levels, each
// in units of a notable gap (5 points of turnover, 10 of agency share, caseload 20% higher).
inline double workforce_stress(double turnover, double agency_share, double caseload, double turnover_ref,
                               double agency_share_ref, double caseload_ref) {
  return ((turnover - turnover_ref) / 0.05 + (agency_share - agency_share_ref) / 0.10 +
          (caseload / caseload_ref - 1.0) / 0.2) / 3.0;
}

// The month's shift of the quality target (x_t): lowered by workforce stress, raised while the
// latest grade is Inadequate (statutory intervention) and by a delivery model's improvement while
// it is live (pass 0 when it is not).
inline double target_shift(double workforce_effect, double stress, double inadequate_response, bool inadequate,
                           double live_improvement) {
  double x = -workforce_effect * stress;
  if (inadequate) x += inadequate_response;
  return x + live_improvement;
}

// One month of the latent: a share pace of the way to target, plus noise_sd * e.
inline double step(double q, double target, double pace, double noise_sd, double e) {
  return q + (pace * (target - q) + noise_sd * e);
}

// Reading-scale cut-points from standardised ones: the reading's SD is sqrt(1 + s^2).
Cuts reading_cuts(double inspection_noise_sd, const std::array<double, 3>& z);

// The grade (0 best .. 3) of a reading: the first cut-point it is above, else Inadequate.
inline int grade_of(double reading, const Cuts& cut) {
  for (int k = 0; k < 3; ++k) {
    if (reading > cut[static_cast<std::size_t>(k)]) return k;
  }
  return kInadequateGrade;
}

// Months from a graded inspection to the next one, uniform in [min, max) by the grade given.
struct Schedule {
  std::array<double, kGradeCount> min_months{}, max_months{};
  double interval(int grade, double u) const {
    const auto g = static_cast<std::size_t>(grade);
    return min_months[g] + (max_months[g] - min_months[g]) * u;
  }
  // Whole months, at least one.
  int months_to_next(int grade, double u) const;
};

// One graded inspection of latent q: the reading's noise, then the draw of the next interval,
// both from s in that order.
struct Inspection {
  int grade;
  int months_to_next;
};
Inspection inspect(rng::Stream& s, double q, double noise_sd, const Cuts& cut, const Schedule& schedule);

// ---- The parameter vector fitted to Ofsted histories: one row per parameter set.
enum Column : std::size_t {
  kReversionPerYear, kPersistentShare, kInspectionNoiseSd, kImprovement, kInadequateResponse,
  kWorkforceEffect, kSifZ0, kSifZ1, kSifZ2, kIlacsZ0, kIlacsZ1, kIlacsZ2, kColumnCount
};
inline constexpr std::array<const char*, kColumnCount> kColumnNames = {
    "reversion_per_year", "persistent_share", "inspection_noise_sd", "improvement",
    "inadequate_response", "workforce_effect", "sif_z0", "sif_z1", "sif_z2", "ilacs_z0",
    "ilacs_z1", "ilacs_z2"};
inline constexpr double kMaxPersistentShare = 0.95;

// One validated row, in the form the algorithms use.
struct Parameters {
  Reversion reversion{};
  double persistent_share = 0;   // rho
  double noise_sd = 0;           // s
  double transient_sd = 1;       // sqrt(1 - rho): stationary SD of v
  double improvement = 0, inadequate_response = 0, workforce_effect = 0;
  std::array<Cuts, kFrameworkCount> cut{};

  // The month's target shift x_t.
  double shift(double live, double stress, int latest_grade) const {
    return target_shift(workforce_effect, stress, inadequate_response, latest_grade == kInadequateGrade,
                        improvement * live);
  }
};

// Validates row `index` of a parameter matrix (kColumnCount values); a bad value throws
// ValidationError naming parameters[index, column], the column's name and what is allowed.
Parameters parse_parameters(const double* row, std::size_t index);

}  // namespace admsim::quality
