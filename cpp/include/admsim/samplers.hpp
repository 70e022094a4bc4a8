#pragma once
// Distribution samplers on top of rng::Stream. Own code rather than std:: distributions, whose
// algorithms differ between standard libraries (and libstdc++'s binomial is biased near n*p = 10).
// Deterministic: the same Stream state gives the same draws wherever doubles are IEEE and libm's
// exp/log/erfc agree (no long double; build without -ffast-math and with -ffp-contract=off).
// Callers validate parameters; NaN or non-positive parameters give the degenerate answer noted.
//
// Every draw takes its own fresh uniforms, so two delivery models drawing with slightly
// different probabilities use the same uniform for the same draw and stay in step (common random
// numbers). One exception keeps a draw's uniform within the draw: a care cell's one or two movers
// pick their moves on their count's uniform (Binomial::within), in step as the count is. The hot
// paths are inline here because most of the engine's draws are of a few children and give 0,
// where a call costs more than the draw.
#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "admsim/random.hpp"

namespace admsim::rng {
namespace detail {

// q when n's lowest bit is set, else 1.0: chosen by mask, not by branch (n's bits are as good as
// random, so a branch would mispredict about every other bit).
inline double factor_if_low_bit(uint64_t n, double q) noexcept {
  const double unit = 1.0;
  uint64_t one, bits;
  std::memcpy(&one, &unit, sizeof one);
  std::memcpy(&bits, &q, sizeof bits);
  const uint64_t take = 0 - (n & 1);  // all ones when the bit is set
  const uint64_t chosen = (bits & take) | (one & ~take);
  double factor;
  std::memcpy(&factor, &chosen, sizeof factor);
  return factor;
}

// q^n by binary powering: within about 2 log2(n) roundings of the exact power (a relative error
// below 1e-14 for the n inversion sees), and several times cheaper than exp(n log1p(-p)).
// A multiply by 1.0 is exact, so multiplying every bit's factor_if_low_bit gives the same double
// as multiplying only on set bits.
inline double power(double q, uint64_t n) noexcept {
  double result = 1.0;
  for (; n > 0; n >>= 1) {
    result *= factor_if_low_bit(n, q);
    q *= q;
  }
  return result;
}

// Sequential-search inversion, p <= 0.5 and n*p < 10 (NumPy's random_binomial_inversion), given
// qn = (1 - p)^n = P(X = 0) and ratio = p / (1 - p). The search is cut at mean + 10 sd and
// restarted with a fresh uniform, so rounding in the running remainder can never loop forever;
// the cut-off mass is below 1e-20. The cut is at least min(n, 10), so it is computed (a sqrt)
// only on the rare searches that get past that. X = 0 and X = 1, most draws, are inline.
uint64_t binomial_search(Stream& s, uint64_t n, double p, double ratio, double u, double px, double x) noexcept;
// u is the draw's uniform (s gives a restart's).
inline uint64_t binomial_inversion(Stream& s, uint64_t n, double p, double qn, double ratio, double u) noexcept {
  double px = qn;
  if (u <= px) return 0;
  u -= px;
  px *= ratio * static_cast<double>(n);  // P(1) = P(0) * ratio * n / 1, as the search computes it
  if (u <= px) return 1;
  return binomial_search(s, n, p, ratio, u, px, 1.0);
}

// The pick for u in (0, 1] from rising cumulative shares cut[0..last] (cut[last] = 1): the first i
// with u <= cut[i], found by counting the cuts below u, with no branch per category.
// count_below_scaled gives the pick for u = at / width without the division (the cuts scaled by
// width instead); count_below is it at width 1 (1 * cut is cut exactly).
inline std::size_t count_below_scaled(double at, double width, const double* cut, std::size_t last) noexcept {
  std::size_t i = 0;
  for (std::size_t j = 0; j < last; ++j) i += static_cast<std::size_t>(at > width * cut[j]);
  return i;
}
inline std::size_t count_below(double u, const double* cut, std::size_t last) noexcept {
  return count_below_scaled(u, 1.0, cut, last);
}

// BTRD (Hormann 1993), p <= 0.5 and n*p >= 10, on fresh uniforms.
uint64_t binomial_btrd(Stream& s, uint64_t n, double r) noexcept;

}  // namespace detail

// Binomial(n, p) draws for one p and many n, with the set-up of inversion done once: 1 - p and
// p / (1 - p), and with `tabulate` also (1 - p)^n = P(X = 0) for n < kPowers. Draws are
// bit-identical to binomial(s, n, p) (the same expressions, computed earlier). The engine
// prepares the probabilities fixed for a scenario once (with the table) and those fixed for a
// month once a month (without): most of its draws are of small n at probabilities near 0, where
// set-up costs more than the draw itself.
class Binomial {
 public:
  static constexpr std::size_t kPowers = 32;
  explicit Binomial(double p = 0.0, bool tabulate = false) noexcept : p_(p) {
    assert(!std::isnan(p));
    if (!(p > 0.0) || p >= 1.0) return;  // degenerate: no draws needed
    r_ = p <= 0.5 ? p : 1.0 - p;         // sample the smaller tail, reflect if needed
    q_ = 1.0 - r_;
    ratio_ = r_ / q_;
    if (tabulate) fill_powers();
  }
  uint64_t operator()(Stream& s, uint64_t n) const noexcept { return draw(s, n, nullptr); }
  double p() const noexcept { return p_; }

  // out[i] ~ Binomial(n[i], p) for i < k <= kMany (a month's cohorts at one hazard): draw i on
  // uniform i of s, whatever the other draws (common random numbers), and anything more from s
  // after those k, in order. The first kSteps steps of inversion run for every draw at once, with
  // no branch on the answer; the few they do not settle go on searching, and n * p >= 10 takes
  // BTRD. The distribution of operator()'s.
  static constexpr std::size_t kMany = 16, kSteps = 10;
  void many(Stream& s, const uint64_t* n, std::size_t k, uint64_t* out) const noexcept;

  // The draw on a given first uniform u (at its own place in a stream, for common random
  // numbers), taking anything more it needs (a search's restart, BTRD's uniforms) from s: the
  // inversion of operator() on u, so the same distribution. Where the table covers n (n < 10 / p
  // as computed, p <= 0.5), X = 0, 1 or 2 come from the search's recurrence compared as
  // cumulative sums, with no branch on the answer (equal to the search's to rounding).
  uint64_t from(Stream& s, uint64_t n, double u) const noexcept {
    if (n < quick_end_) {
      const auto [p0, p1, p2] = first_three(n);
      if (u <= p0 + p1 + p2) return static_cast<uint64_t>(u > p0) + static_cast<uint64_t>(u > p0 + p1);
    }
    return draw(s, n, &u);
  }
  // Where from(n, u) gave 1 or 2 by its first steps, where u fell within that answer's
  // interval of its cumulative sums: at = u - P(X < x), in (0, width] with width = P(X <= x) -
  // P(X < x), the interval as from() computed its ends (so at <= width exactly; about P(X = x)).
  // Given the answer, u is uniform on that interval, so at / width is a uniform of its own,
  // independent of the answer, on a grid of about width * 2^53 points: enough to split one or
  // two children among outcomes with no further uniform. width = 0 where from() answered
  // otherwise.
  struct Within {
    double at = 0, width = 0;
  };
  Within within(uint64_t n, double u) const noexcept {
    if (n < quick_end_) {
      const auto [p0, p1, p2] = first_three(n);
      const double below2 = p0 + p1, below3 = below2 + p2;  // from()'s sums
      if (u > p0 && u <= below3) return u > below2 ? Within{u - below2, below3 - below2} : Within{u - p0, below2 - p0};
    }
    return {};
  }

 private:
  // P(X = 0), P(X = 1) and P(X = 2) from the table and the search's recurrence, n < quick_end_.
  std::array<double, 3> first_three(uint64_t n) const noexcept {
    const double nd = static_cast<double>(n), p0 = q_pow_[n];
    const double p1 = p0 * ratio_ * nd;
    return {p0, p1, p1 * ratio_ * ((nd - 1.0) / 2.0)};
  }
  // Inversion on *u, or on a fresh uniform when u is null; BTRD takes its own uniforms.
  uint64_t draw(Stream& s, uint64_t n, const double* u) const noexcept {
    if (n == 0 || !(p_ > 0.0)) return 0;
    if (p_ >= 1.0) return n;
    uint64_t y;
    if (static_cast<double>(n) * r_ < 10.0) {
      const double qn = n < powers_ && n < kPowers ? q_pow_[n] : detail::power(q_, n);
      y = detail::binomial_inversion(s, n, r_, qn, ratio_, u ? *u : s.uniform());
    } else {
      y = detail::binomial_btrd(s, n, r_);
    }
    return p_ <= 0.5 ? y : n - y;
  }
  void fill_powers() noexcept;  // the table, for the n inversion handles (n * r < 10)
  double p_ = 0, r_ = 0, q_ = 1, ratio_ = 0;  // r_ = min(p, 1 - p), the tail sampled; q_ = 1 - r_
  std::size_t powers_ = 0;                        // entries of q_pow_ filled
  std::size_t quick_end_ = 0;                     // from()'s first steps cover n < quick_end_
  double q_pow_[kPowers] = {1.0};
};

// Categorical(probs[0..k)), k <= kMax, prepared once. A pick is the first i with u <= cut[i],
// found by counting the cuts below u (they rise, so the count is that index) with no branch per
// category, which a search would mispredict on most picks. Probabilities are normalised by their
// sum; the last positive category ends the cuts at 1 and zero-probability categories are never
// picked; with none positive the last category takes all.
//
// With `guided` (for one prepared for many picks), a guide table gives the count in two
// compares: u's 64th of (0, 1) (u * 64, exact) holds few cuts, those below it are all below u
// and those above it all above. The same count as the full one, so the same pick; a 64th with
// more than two cuts counts them all.
class Categorical {
 public:
  static constexpr std::size_t kMax = 32;
  Categorical() = default;
  Categorical(const double* probs, std::size_t k, bool guided = false) noexcept;
  std::size_t operator()(Stream& s) const noexcept { return pick(s.uniform()); }  // on a fresh uniform
  std::size_t pick(double u) const noexcept {  // u in (0, 1)
    if (guided_) {
      const auto j = static_cast<std::size_t>(u * double(kGuide));
      if (!(crowded_ >> j & 1)) {
        const std::size_t i = below_[j];  // cut_ has 1.0 from last_ on, so i + 1 is in range
        return i + static_cast<std::size_t>(u > cut_[i]) + static_cast<std::size_t>(u > cut_[i + 1]);
      }
    }
    return detail::count_below(u, cut_, last_);
  }
  // The pick for u = at / width (at in (0, width]): a Binomial::Within's place.
  std::size_t pick_within(double at, double width) const noexcept {
    return detail::count_below_scaled(at, width, cut_, last_);
  }
  // Multinomial(n, probs): n picks for n up to 3k, conditional binomials for more (the same
  // distribution; picks cost per item, binomials per category). out[0..k) receives the counts.
  // Each pick takes a fresh uniform, so picks do not wait on one another, and two models' picks
  // of one multinomial coincide for as many items as both have (common random numbers).
  void operator()(Stream& s, uint64_t n, uint64_t* out) const noexcept;

 private:
  static constexpr std::size_t kGuide = 64;
  void fill_guide() noexcept;
  std::size_t k_ = 0, last_ = 0;  // last_: the last category that can be picked
  double probs_[kMax] = {};      // for the conditional binomials
  double cut_[kMax + 1] = {};    // cumulative share up to last_ (1 there and after)
  bool guided_ = false;
  std::uint8_t below_[kGuide] = {};  // the cuts (before last_) below j / 64
  std::uint64_t crowded_ = 0;        // bit j: more than two cuts in [j / 64, (j + 1) / 64)
};

// Multinomial(n; probs[0..k), and "none" with the rest) for fixed probabilities, k <= kMax,
// prepared once, for outcomes that most draws give none of (a child's month in care): draws the
// number with any outcome, Binomial(n, sum of probs), then splits them: one picks its outcome,
// two or three pick among outcome pairs or triples, more split by conditional binomials. Exact;
// most draws are one inversion step where k sequential binomials would be k.
class RareOutcomes {
 public:
  static constexpr std::size_t kMax = 4;
  RareOutcomes() = default;
  RareOutcomes(const double* probs, std::size_t k) noexcept;  // probs >= 0, sum <= 1
  // out[0..k) receives the counts of the outcomes; n minus their sum had none.
  void operator()(Stream& s, uint64_t n, uint64_t* out) const noexcept { outcomes(s, any_(s, n), out); }

  // The same draw in two steps, for many cells at once (rng::RareOutcomeCells): the number with
  // any outcome, Binomial(n, sum of probs) (any()), then their outcomes (out[0..k) for `any`).
  const Binomial& any() const noexcept { return any_; }
  // Two or three with any (most of the rest) take one pick among the outcome pairs or triples,
  // weighted as the multinomial weights them; more split by conditional binomials.
  void outcomes(Stream& s, uint64_t any, uint64_t* out) const noexcept { outcomes(s, any, {}, out); }
  // The same, where `any` came with its place within its probability (Binomial::within): one
  // or two with any pick on that place, not on a uniform of s.
  void outcomes(Stream& s, uint64_t any, Binomial::Within within, uint64_t* out) const noexcept {
    for (std::size_t i = 0; i < k_; ++i) out[i] = 0;
    if (any == 0) return;
    const bool placed = within.width > 0.0;
    if (any == 1) {
      out[placed ? which_.pick_within(within.at, within.width) : which_(s)] = 1;
    } else if (any == 2) {
      const std::size_t i = placed ? detail::count_below_scaled(within.at, within.width, pair_cut_, pair_last_)
                                   : detail::count_below(s.uniform(), pair_cut_, pair_last_);
      const uint8_t* pair = pairs_[i];
      ++out[pair[0]];
      ++out[pair[1]];
    } else if (any == 3) {
      const uint8_t* triple = triples_[detail::count_below(s.uniform(), triple_cut_, triple_last_)];
      ++out[triple[0]];
      ++out[triple[1]];
      ++out[triple[2]];
    } else {
      split(s, any, out);
    }
  }

 private:
  static constexpr std::size_t kPairs = kMax * (kMax + 1) / 2, kTriples = kMax * (kMax + 1) * (kMax + 2) / 6;
  void split(Stream& s, uint64_t any, uint64_t* out) const noexcept;  // four or more with any
  std::size_t k_ = 0;
  Binomial any_;
  Binomial split_[kMax - 1];  // outcome i among those with outcome i or later
  Categorical which_;         // the outcome of one child with any
  // Outcome pairs (i <= j) and triples (i <= j <= l) in order, with cumulative shares ending
  // at 1 on the last possible one (pair_last_, triple_last_).
  uint8_t pairs_[kPairs][2] = {}, triples_[kTriples][3] = {};
  double pair_cut_[kPairs] = {}, triple_cut_[kTriples] = {};
  std::size_t pair_last_ = 0, triple_last_ = 0;
};

// RareOutcomes draws for a fixed set of cells (a month's care cells), laid out for common random
// numbers: cell i's number with any outcome comes from uniform i of `any` whether or not the
// cell has anyone, with no branch on the (mostly 0) answer, so another cell's count never moves
// it. Where the first steps settle one or two with any (most cells with any), their outcomes
// come from where that uniform fell within the answer's probability (Binomial::Within), so they
// too stay in step between models. What more cells need comes from `more` in cell order, and so
// can shift between models whose counts differ: first the counts the first steps do not settle
// (past 2, past the table, BTRD for n * p >= 10, reflected p > 0.5), then the outcomes of the
// cells with three or more, or with counts settled otherwise. Each cell's draw has the
// distribution of RareOutcomes'.
class RareOutcomeCells {
 public:
  static constexpr std::size_t kMaxCells = 128, kOutcomes = RareOutcomes::kMax;
  RareOutcomeCells() = default;
  RareOutcomeCells(const RareOutcomes* cells, std::size_t count) noexcept { assign(cells, count); }
  void assign(const RareOutcomes* cells, std::size_t count) noexcept;  // in place (it is large)
  std::size_t size() const noexcept { return count_; }
  // n[0..size()) children in each cell; out[i][0..k) receives cell i's outcome counts.
  void operator()(Stream& any, Stream& more, const uint64_t* n, uint64_t (*out)[kOutcomes]) const noexcept;

 private:
  std::size_t count_ = 0;
  RareOutcomes cells_[kMaxCells];
};

// Binomial(n, p). p <= 0 (or NaN) -> 0, p >= 1 -> n. Inversion when n*min(p, 1-p) < 10, else BTRD.
inline uint64_t binomial(Stream& s, uint64_t n, double p) noexcept {
  assert(!std::isnan(p));
  if (n == 0 || !(p > 0.0)) return 0;  // before the set-up: many draws are of nobody
  return Binomial(p)(s, n);
}

// Poisson(mean). mean <= 0 (or NaN) -> 0. Inversion when mean < 10, else PTRS.
uint64_t poisson(Stream& s, double mean) noexcept;

// Multinomial(n, probs[0..k)); out[0..k) receives the counts (sum n). For n up to 3k (k <= 16),
// as n categorical picks (Categorical); for more, by conditional binomials.
// Probabilities are normalised by their sum, so rounding in the caller's shares is harmless; the
// last category takes what is left. Zero-probability categories always get 0.
void multinomial(Stream& s, uint64_t n, const double* probs, std::size_t k, uint64_t* out) noexcept;

// Standard normal, Marsaglia polar method (exact; the second variate of each pair is discarded so
// that a draw depends only on the Stream state).
double normal(Stream& s) noexcept;

// Gamma(shape, scale) with mean shape*scale: Marsaglia & Tsang (2000); shape < 1 boosted via
// Gamma(shape + 1) * U^(1/shape). shape <= 0 (or NaN) -> 0.
double gamma(Stream& s, double shape, double scale) noexcept;

// Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b); in log space when a or b < 1 so that
// tiny shapes cannot give 0/0.
double beta(Stream& s, double a, double b) noexcept;

// Standard normal CDF, via erfc (accurate in both tails).
double normal_cdf(double x) noexcept;

// Inverse standard normal CDF: Acklam's rational approximation plus one Halley step (relative error
// ~1e-15 in double). u <= 0 -> -inf, u >= 1 -> +inf, NaN -> NaN.
double normal_quantile(double u) noexcept;

}  // namespace admsim::rng
