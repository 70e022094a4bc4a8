#pragma once
// The quality-and-inspection model, shared by the engine (engine/quality.cpp) and the fit to real
// Ofsted histories (ofsted/quality_filter.cpp, ofsted/quality_simulation.cpp), so both compute
// one model.
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

// ---- Grading regimes. Ofsted's frameworks grade on different scales: SIF (Nov 2013-2017), and
// from January 2018 ILACS, whose standard inspections (councils last graded RI or Inadequate)
// and short inspections (last graded Good or Outstanding) grade differently again.
enum Regime : int { kSif = 0, kIlacsStandard = 1, kIlacsShort = 2 };
inline constexpr int kRegimeCount = 3;

// The regime of a graded inspection in `month` for a council whose latest grade is `latest_grade`
// (-1 before its first): SIF before ILACS, then short after Good or Outstanding, else standard.
inline int regime_of(int month, int latest_grade, int ilacs_start_month) {
  if (month < ilacs_start_month) return kSif;
  return latest_grade >= 0 && latest_grade <= 1 ? kIlacsShort : kIlacsStandard;
}

// A national grading level that moves: ILACS cut-points fall by `per_year` standardised units a
// year from `start_month`, linearly up to `end_month` (the end of the data) and damped after it
// with half-life `half_life_years` (infinity: no damping), so a trend seen in the data is carried
// forward without growing without bound.
struct GradingDrift {
  double per_year = 0.0, half_life_years = 0.0;  // half-life: inf for none
  int start_month = 0, end_month = 0;
  double at(int month) const;  // standardised units by which the cut-points have fallen
};

// ---- The inspection schedule: months from a graded inspection to the next one, log-logistic by
// the latest grade (Outstanding shares Good's), P(gap <= t) = 1 / (1 + (t / median)^-shape), in
// clock months: the clock stops while graded inspection is paused (COVID, 2020-21).
struct Schedule {
  std::array<double, kGradeCount> median_months{};
  double shape = 1.0;
  double cdf(int grade, double months) const;
  double quantile(int grade, double u) const;
  // Whole clock months to the next inspection, at least 1, given that `waited` whole months have
  // passed without one (waited >= 0), from a uniform u.
  int months_to_next(int grade, double u, int waited = 0) const;
  // P(next inspection falls in clock month `month` (>= 1) | none in the first `waited`).
  double month_probability(int grade, int month, int waited) const;
};

// The calendar month of the inspection `clock` clock months after `from`, the clock stopped in
// [pause_start, pause_end).
int calendar_month(int from, int clock, int pause_start, int pause_end);
// Clock months from `from` to `to` (>= from), not counting the pause.
int clock_months(int from, int to, int pause_start, int pause_end);

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
  kWorkforceEffect, kInadequateResponseIlacs, kDriftPerYear, kDriftHalfLifeYears, kSifZ0, kSifZ1, kSifZ2, kIlacsZ0, kIlacsZ1,
  kIlacsZ2, kShortZ0, kShortZ1, kShortZ2, kColumnCount
};
inline constexpr std::array<const char*, kColumnCount> kColumnNames = {
    "reversion_per_year", "persistent_share", "inspection_noise_sd", "improvement",
    "inadequate_response", "workforce_effect", "inadequate_response_ilacs", "drift_per_year", "drift_half_life_years", "sif_z0",
    "sif_z1", "sif_z2", "ilacs_z0", "ilacs_z1", "ilacs_z2", "short_z0", "short_z1", "short_z2"};
inline constexpr double kMaxPersistentShare = 0.95;

// One validated row, in the form the algorithms use.
struct Parameters {
  Reversion reversion{};
  double persistent_share = 0;   // rho
  double noise_sd = 0;           // s
  double reading_sd = 1;         // sqrt(1 + s^2)
  double transient_sd = 1;       // sqrt(1 - rho): stationary SD of v
  double improvement = 0, inadequate_response = 0, workforce_effect = 0;
  double inadequate_response_ilacs = 0;  // the response while Inadequate from January 2018
  double drift_per_year = 0, drift_half_life_years = 0;
  std::array<Cuts, kRegimeCount> cut{};  // reading scale, before drift

  // The month's target shift x_t (`ilacs`: the month is in the ILACS era).
  double shift(double live, double stress, int latest_grade, bool ilacs) const {
    return target_shift(workforce_effect, stress, ilacs ? inadequate_response_ilacs : inadequate_response,
                        latest_grade == kInadequateGrade, improvement * live);
  }
  GradingDrift drift(int start_month, int end_month) const {
    return {drift_per_year, drift_half_life_years, start_month, end_month};
  }
  // Reading-scale cut-points of `regime` after the cut-points have fallen by `drift` (ILACS only).
  Cuts cuts(int regime, double drift) const;
};

// Validates row `index` of a parameter matrix (kColumnCount values); a bad value throws
// ValidationError naming parameters[index, column], the column's name and what is allowed.
Parameters parse_parameters(const double* row, std::size_t index);

}  // namespace admsim::quality
