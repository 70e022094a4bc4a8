// Demand: referrals, re-referrals, children in need, child protection plans and children in care
// by placement type and time in care.
#include <algorithm>
#include <cmath>
#include <tuple>

#include "admsim/samplers.hpp"
#include "engine/replicate.hpp"

namespace admsim::detail {

// The metrics by placement type and by age band follow the engine's orders.
static_assert(static_cast<std::size_t>(Metric::cla_adoption) - static_cast<std::size_t>(Metric::cla_foster_inhouse) + 1 ==
              kPlacementCount);
static_assert(static_cast<std::size_t>(Metric::cla_age_16_17) - static_cast<std::size_t>(Metric::cla_age_0_4) + 1 ==
              kAgeBands);

namespace {
std::uint64_t round_count(double x) { return static_cast<std::uint64_t>(std::llround(std::max(0.0, x))); }
}  // namespace

std::uint64_t Replicate::in_care(std::size_t placement) const {
  std::uint64_t n = 0;
  for (const auto& band : care_[placement]) for (auto k : band) n += k;
  return n;
}

std::uint64_t Replicate::cin_all() const {
  std::uint64_t cla = 0;
  for (std::size_t p = 0; p < kPlacementCount; ++p) cla += in_care(p);
  return cin_only_ + cpp_ + cla;
}

void Replicate::init_demand() {
  children_ = c_.children0;
  cin_only_ = round_count(c_.cin_only0);
  cpp_ = round_count(c_.cpp0);
  for (std::size_t t = 0; t < kPlacementCount; ++t)
    for (std::size_t b = 0; b < kCareBands; ++b)
      for (std::size_t a = 0; a < kAgeBands; ++a) care_[t][b][a] = round_count(c_.initial_care[t][b][a]);
  // The pool of recent closures, as the steady state leaves it: each monthly cohort thinned by
  // the re-referral hazard for the months since it closed.
  for (std::size_t k = 0; k < pool_.size(); ++k) {
    pool_[k] = round_count(c_.closures * std::pow(1.0 - c_.rereferral_hazard, double(k)));
  }
}

double Replicate::care_entry_multiplier() const {
  const double per10k = children_ / 1e4;
  return std::exp(-e_.quality_care_entry_effect * quality_change()) * effect(Hook::edge_of_care) *
         mod_.care_entry *
         std::exp(-e_.edge_of_care_effect_per_million * mod_.edge_of_care_investment / 1e6 / per10k);
}

void Replicate::step_demand(int t) {
  const Calibration::Month& month = c_.by_month[static_cast<std::size_t>(t)];
  children_ = month.children;
  set(Metric::population, children_);

  // Referral noise is shared by all models (common random numbers): an AR(1) log multiplier.
  rng::Stream noise = stream(kStreamDemandNoise, t);
  demand_noise_ = e_.demand_noise_persistence * demand_noise_ + e_.demand_noise_sd * rng::normal(noise);
  // Referrals revert from the profile's rate toward the council's long-run rate (log scale):
  // the month's trend (calibration.cpp).
  const double lambda = c_.new_referrals * (children_ / c_.children0) * month.referral_trend *
                        std::exp(demand_noise_) * mod_.referrals;
  rng::Stream ref = stream(kStreamReferrals, t);
  const std::uint64_t fresh = rng::poisson(ref, lambda);

  // Better practice lowers re-referrals and repeat plans alike (one factor for both).
  const double rereferral_quality = std::exp(-e_.quality_rereferral_effect * quality_change());
  const double rr_hazard = std::min(1.0, c_.rereferral_hazard * rereferral_quality);
  rng::Stream rr = stream(kStreamRereferrals, t);
  // One set-up for the 12 cohorts, each drawn on its own uniform.
  static_assert(std::tuple_size_v<decltype(pool_)> <= rng::Binomial::kMany);
  std::uint64_t rereferred = 0, back[std::tuple_size_v<decltype(pool_)>];
  rng::Binomial(rr_hazard).many(rr, pool_.data(), pool_.size(), back);
  for (std::size_t k = 0; k < pool_.size(); ++k) {
    pool_[k] -= back[k];
    rereferred += back[k];
  }
  const std::uint64_t referrals = fresh + rereferred;
  rng::Stream outcome = stream(kStreamReferralOutcome, t);
  const std::uint64_t nfa = rng::binomial(outcome, referrals, c_.nfa_share);
  const std::uint64_t assessed_in_need = referrals - nfa;

  // Children in need (not on a plan or in care): to a plan, into care, closed, or staying.
  const double entry = care_entry_multiplier();
  rng::Stream cin = stream(kStreamCin, t);
  const double to_cla = c_.cin_to_cla * entry;
  const double stay = std::max(0.0, 1.0 - c_.cin_to_cpp - to_cla - c_.cin_close);
  const double cin_probs[4] = {c_.cin_to_cpp, to_cla, c_.cin_close, stay};
  std::uint64_t cin_moves[4];
  rng::multinomial(cin, cin_only_, cin_probs, 4, cin_moves);
  const std::uint64_t cpp_starts = cin_moves[0], cin_to_care = cin_moves[1], cin_closed = cin_moves[2];

  // Plans end at a constant hazard; some end in care, some step down to CIN, the rest close.
  rng::Stream cpp = stream(kStreamCpp, t);
  const std::uint64_t cpp_ends = rng::binomial(cpp, cpp_, c_.cpp_exit);
  const std::uint64_t cpp_to_care = rng::binomial(cpp, cpp_ends, std::min(1.0, c_.cpp_exit_to_cla * entry));
  const std::uint64_t step_down = rng::binomial(cpp, cpp_ends - cpp_to_care, e_.cpp_end_to_cin_share);
  const std::uint64_t cpp_closed = cpp_ends - cpp_to_care - step_down;
  rng::Stream repeat = stream(kStreamCppRepeat, t);
  const double repeat_p = std::min(1.0, s_.profile.cpp_repeat_rate * rereferral_quality);
  const std::uint64_t repeat_starts = rng::binomial(repeat, cpp_starts, repeat_p);

  // Care: each child leaves, or stays and moves on in months in care and in age; moving on from
  // 16-17 is turning 18, leaving care (a care leaver).
  // Every cell's draw has its own uniform in kStreamCareExit, so cells stay in step between
  // models whatever their neighbours' events; one or two movers settled by the first steps take
  // their moves from that uniform too, and counts not so settled, and the moves of three or more,
  // come from kStreamCareMoves.
  rng::Stream exits = stream(kStreamCareExit, t), exit_moves = stream(kStreamCareMoves, t);
  const Calibration::CareDraws& draws = c_.care_draws;
  std::uint64_t cell_n[Calibration::kCareCells];
  std::uint64_t cell_moves[Calibration::kCareCells][rng::RareOutcomeCells::kOutcomes];
  for (std::size_t p = 0, i = 0; p < kPlacementCount; ++p)
    for (std::size_t b = 0; b < kCareBands; ++b)
      for (std::size_t a = 0; a < kAgeBands; ++a, ++i) cell_n[i] = care_[p][b][a];
  draws.moves(exits, exit_moves, cell_n, cell_moves);
  // Band by band, each placement type's new counts built in registers: a band keeps its stayers
  // (a step older where they age) and takes the movers of the band below (the last band keeps
  // its own); who ages out of 16-17 leaves care.
  std::uint64_t ceased = 0, care_leavers = 0;
  for (std::size_t p = 0, i = 0; p < kPlacementCount; ++p) {
    std::array<std::uint64_t, kAgeBands> arriving{};  // moving on from the band below
    for (std::size_t b = 0; b < kCareBands; ++b, i += kAgeBands) {
      std::array<std::uint64_t, kAgeBands> kept{}, moving{};  // into band b, and into band b + 1
      for (std::size_t a = 0; a < kAgeBands; ++a) {
        const std::uint64_t* move = cell_moves[i + a];
        const std::uint64_t left = move[Calibration::kLeave], older_on = move[Calibration::kOnAndOlder];
        const std::uint64_t on = move[Calibration::kOn], older = move[Calibration::kOlder];
        ceased += left;
        kept[a] += cell_n[i + a] - left - on - older_on - older;
        moving[a] += on;
        if (a + 1 < kAgeBands) {
          kept[a + 1] += older;
          moving[a + 1] += older_on;
        } else {
          care_leavers += older + older_on;
        }
      }
      for (std::size_t a = 0; a < kAgeBands; ++a) {
        care_[p][b][a] = kept[a] + arriving[a] + (b + 1 == kCareBands ? moving[a] : 0);
      }
      arriving = moving;
    }
  }
  ceased += care_leavers;

  // Step-down from children's homes to foster care (in-house or agency, as their numbers stand)
  // and escalation back, cell by cell.
  // Each cell's three draws (step-downs, escalations from in-house and from agency foster care)
  // have their own uniforms in kStreamPlacementStep, whatever the cell's counts, so cells stay
  // in step between models; the foster type of step-downs comes from kStreamPlacementStepMore.
  rng::Stream step = stream(kStreamPlacementStep, t), step_more = stream(kStreamPlacementStepMore, t);
  constexpr auto kRes = static_cast<std::size_t>(Placement::residential);
  constexpr auto kInhouse = static_cast<std::size_t>(Placement::foster_inhouse);
  constexpr auto kAgency = static_cast<std::size_t>(Placement::foster_agency);
  const bool programme = mod_.step_down != 1.0;
  const rng::Binomial month_down(programme ? std::min(1.0, c_.step_down_prob * mod_.step_down) : 0.0);
  const rng::Binomial& down_draw = programme ? month_down : draws.step_down;
  double step_u[kCareBands * kAgeBands][3];
  step.uniforms(&step_u[0][0], kCareBands * kAgeBands * 3);
  std::uint64_t step_downs = 0, escalations = 0;
  for (std::size_t b = 0; b < kCareBands; ++b) {
    for (std::size_t a = 0; a < kAgeBands; ++a) {
      const double* u = step_u[b * kAgeBands + a];
      const std::uint64_t down = down_draw.from(step_more, care_[kRes][b][a], u[0]);
      const std::uint64_t foster = care_[kInhouse][b][a] + care_[kAgency][b][a];
      const double inhouse_share = foster > 0 ? double(care_[kInhouse][b][a]) / double(foster) : 0.5;
      const std::uint64_t to_inhouse = rng::binomial(step_more, down, inhouse_share);
      const std::uint64_t up_inhouse = draws.escalation[b][a].from(step_more, care_[kInhouse][b][a], u[1]);
      const std::uint64_t up_agency = draws.escalation[b][a].from(step_more, care_[kAgency][b][a], u[2]);
      care_[kRes][b][a] += up_inhouse + up_agency - down;
      care_[kInhouse][b][a] += to_inhouse - up_inhouse;
      care_[kAgency][b][a] += down - to_inhouse - up_agency;
      step_downs += down;
      escalations += up_inhouse + up_agency;
    }
  }

  // Entries: through children's services (placement type and age band, entry_mix x entry_age),
  // and UASC arriving directly (16-17 into supported accommodation, younger into agency foster care).
  const std::uint64_t entries_cs = cin_to_care + cpp_to_care;
  rng::Stream place = stream(kStreamCareEntry, t);
  std::uint64_t by_cell[kPlacementCount * kAgeBands];
  draws.entry(place, entries_cs, by_cell);
  for (std::size_t p = 0; p < kPlacementCount; ++p) {
    for (std::size_t a = 0; a < kAgeBands; ++a) care_[p][0][a] += by_cell[p * kAgeBands + a];
  }
  rng::Stream uasc = stream(kStreamUasc, t);
  const std::uint64_t uasc_starts = rng::poisson(uasc, c_.uasc_entries * mod_.uasc);
  const std::uint64_t uasc_16_17 = rng::binomial(uasc, uasc_starts, c_.uasc_share_16_17);
  care_[static_cast<std::size_t>(Placement::supported)][0][kAge16to17] += uasc_16_17;
  care_[kAgency][0][kAge10to15] += uasc_starts - uasc_16_17;
  const std::uint64_t entries = entries_cs + uasc_starts;

  std::uint64_t cla = 0;
  for (std::size_t p = 0; p < kPlacementCount; ++p) {
    const std::uint64_t n = in_care(p);
    cla += n;
    set(static_cast<Metric>(static_cast<std::size_t>(Metric::cla_foster_inhouse) + p), double(n));
  }
  for (std::size_t a = 0; a < kAgeBands; ++a) {
    std::uint64_t n = 0;
    for (const auto& type : care_) for (const auto& band : type) n += band[a];
    set(static_cast<Metric>(static_cast<std::size_t>(Metric::cla_age_0_4) + a), double(n));
  }
  set(Metric::care_leavers, double(care_leavers));
  set(Metric::uasc_starts, double(uasc_starts));
  set(Metric::step_downs, double(step_downs));
  set(Metric::escalations, double(escalations));

  cin_only_ = cin_only_ + assessed_in_need + step_down - cpp_starts - cin_to_care - cin_closed;
  cpp_ = cpp_ + cpp_starts - cpp_ends;

  // Closures this month become next month's youngest re-referral cohort; the oldest ages out.
  std::rotate(pool_.rbegin(), pool_.rbegin() + 1, pool_.rend());
  pool_[0] = nfa + cin_closed + cpp_closed + ceased;

  rng::Stream moves = stream(kStreamPlacementMoves, t);
  const double move_p = 1.0 - std::exp(-e_.placement_moves_per_year / 12.0 *
                                       std::exp(-e_.quality_placement_effect * quality_change()));
  set(Metric::placement_moves, double(rng::binomial(moves, cla, move_p)));

  set(Metric::referrals, double(referrals));
  set(Metric::rereferrals, double(rereferred));
  set(Metric::cin_starts, double(assessed_in_need + uasc_starts));  // UASC open a CIN episode too
  set(Metric::cin_closed, double(cin_closed + cpp_closed + ceased));
  set(Metric::cin, double(cin_only_ + cpp_ + cla));
  set(Metric::cpp, double(cpp_));
  set(Metric::cla, double(cla));
  set(Metric::cpp_starts, double(cpp_starts));
  set(Metric::cpp_repeat_starts, double(repeat_starts));
  set(Metric::cpp_ends, double(cpp_ends));
  set(Metric::cla_starts, double(entries));
  set(Metric::cla_ceased, double(ceased));
}

}  // namespace admsim::detail
