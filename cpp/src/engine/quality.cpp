// Quality and inspection: latent practice quality and Ofsted's schedule and grades.
#include <algorithm>
#include <cmath>

#include "admsim/samplers.hpp"
#include "engine/replicate.hpp"

namespace admsim::detail {

namespace {
// The shared quality model (quality_model.hpp) counts grades from 0; the engine's Grade from 1.
int model_grade(int grade) { return grade - kOutstanding; }
}  // namespace

void Replicate::init_quality() {
  // Latent quality given the last grade: the observed reading is drawn inside the grade's band
  // of the national distribution, then quality given that reading (both normal, so exact).
  const int g = s_.profile.last_grade;
  const double sd = c_.observed_sd;
  const double inf = std::numeric_limits<double>::infinity();
  // cut = {Outstanding/Good, Good/RI, RI/Inadequate}: grade g lies between cut[g-1] and cut[g-2].
  const quality::Cuts& cut = c_.cut[0];  // the band of its grade on the standard scale
  const double upper = g == kOutstanding ? inf : cut[static_cast<std::size_t>(g - 2)];
  const double lower = g == kInadequate ? -inf : cut[static_cast<std::size_t>(g - 1)];
  rng::Stream u = stream(kStreamInitial, 0);
  const double lo = rng::normal_cdf(lower / sd), hi = rng::normal_cdf(upper / sd);
  const double reading = sd * rng::normal_quantile(lo + (hi - lo) * u.uniform());
  const double noise2 = e_.inspection_noise_sd * e_.inspection_noise_sd;
  quality_ = reading / (1.0 + noise2) + std::sqrt(noise2 / (1.0 + noise2)) * rng::normal(u);
  quality_start_ = quality_;
  grade_ = g;
  started_inadequate_ = g == kInadequate;
  // The council's persistent level given its starting quality (u | q ~ N(rho q, rho (1 - rho))),
  // from its own stream so the other draws are unchanged; 0 when rho = 0.
  const double rho = e_.quality_persistent_share;
  rng::Stream level = stream(kStreamPersistentLevel, 0);
  persistent_level_ = rho * quality_ + std::sqrt(rho * (1.0 - rho)) * rng::normal(level);
  // Next inspection: the schedule's gap from the last one, given none in the months since.
  const int since = static_cast<int>(s_.profile.months_since_inspection);
  next_inspection_ = c_.schedule.months_to_next(model_grade(g), u.uniform(), since) - since;
  next_visit_ = g == kInadequate ? static_cast<int>(e_.monitoring_visit_months * u.uniform()) : -1;
}

void Replicate::step_quality(int t) {
  if (t == go_live_ && new_arrangement_) quality_ -= effect(Hook::transition_dip);

  // Workforce stress: turnover, agency reliance and caseload above their starting levels.
  const double stress = quality::workforce_stress(metric(Metric::turnover_rate), metric(Metric::agency_share),
                                                 metric(Metric::caseload), c_.turnover0, c_.agency_share0,
                                                 c_.caseload0);
  // A region's improvement support acts as the improvement lever a delivery model pulls.
  double improvement = live(t) ? effect(Hook::improvement) : 0.0;
  if (regional_.active) improvement += regional_.quality_support;
  const double target = mod_.quality_target + persistent_level_ +
                        quality::target_shift(e_.quality_workforce_effect, stress, e_.inadequate_response,
                                              grade_ == kInadequate, improvement);
  const double pace = live(t) ? std::min(1.0, c_.reversion * effect(Hook::improvement_pace)) : c_.reversion;
  rng::Stream q = stream(kStreamQuality, t);
  quality_ = quality::step(quality_, target, pace, c_.quality_noise, rng::normal(q));
  set(Metric::quality, quality_);

  inspect(t);
  set(Metric::current_grade, grade_);
  if (t == 35) grade_at_36_ = grade_;
  if (t == 59) grade_at_60_ = grade_;
}

void Replicate::inspect(int t) {
  if (t == next_inspection_) {
    rng::Stream u = stream(kStreamInspection, t);
    const quality::Inspection ins =
        quality::inspect(u, quality_, e_.inspection_noise_sd, c_.cuts(grade_, t), c_.schedule);
    const int grade = ins.grade + kOutstanding;
    grade_ = grade;
    if (first_grade_ == kNoGrade) first_grade_ = grade;
    if (started_inadequate_ && left_inadequate_ < 0 && grade != kInadequate) left_inadequate_ = t;
    set(Metric::grade_awarded, grade);
    if (events_) events_->push_back({static_cast<std::int32_t>(model_index_), replicate_, t, 0, grade});
    next_inspection_ = t + ins.months_to_next;
    next_visit_ = grade == kInadequate ? t + static_cast<int>(e_.monitoring_visit_months) : -1;
  } else if (t == next_visit_ && grade_ == kInadequate) {
    if (events_) events_->push_back({static_cast<std::int32_t>(model_index_), replicate_, t, 1, 0});
    next_visit_ = t + static_cast<int>(e_.monitoring_visit_months);
  }
}

}  // namespace admsim::detail
