// Samplers: see samplers.hpp. Algorithms follow NumPy's legacy distributions.c where named; the
// set-up is recomputed per call except for binomials drawn through a prepared rng::Binomial.
#include "admsim/samplers.hpp"

#include <algorithm>
#include <cassert>
#include <cfloat>
#include <cmath>
#include <limits>

// Vector-lane loops get an AVX2 clone beside the generic one where the toolchain can pick
// between them at load time (x86-64 ELF with GNU ifuncs); elsewhere the generic code alone.
#if defined(__x86_64__) && defined(__ELF__) && (defined(__GNUC__) || defined(__clang__)) && defined(__GLIBC__)
#define ADMSIM_LANES_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define ADMSIM_LANES_CLONES
#endif

namespace admsim::rng {
namespace {

constexpr double kSqrt1_2 = 0.70710678118654752440;   // 1/sqrt(2)
constexpr double kSqrt2Pi = 2.50662827463100050242;   // sqrt(2*pi)
constexpr double kHalfLog2Pi = 0.91893853320467274178;  // log(sqrt(2*pi))

// log Gamma(x) for x >= 1 by Stirling's series (NumPy's random_loggam). Own code because
// std::lgamma writes the global signgam (a data race under threads) and differs between libms.
double loggam(double x) noexcept {
  static constexpr double a[10] = {8.333333333333333e-02, -2.777777777777778e-03,
                                   7.936507936507937e-04, -5.952380952380952e-04,
                                   8.417508417508418e-04, -1.917526917526918e-03,
                                   6.410256410256410e-03, -2.955065359477124e-02,
                                   1.796443723688307e-01, -1.39243221690590e+00};
  if (x == 1.0 || x == 2.0) return 0.0;
  const int n = x < 7.0 ? static_cast<int>(7.0 - x) : 0;  // shift up so the series converges
  double x0 = x + n;
  const double x2 = (1.0 / x0) * (1.0 / x0);
  double gl0 = a[9];
  for (int k = 8; k >= 0; --k) gl0 = gl0 * x2 + a[k];
  double gl = gl0 / x0 + kHalfLog2Pi + (x0 - 0.5) * std::log(x0) - x0;
  for (int k = 1; k <= n; ++k) {
    gl -= std::log(x0 - 1.0);
    x0 -= 1.0;
  }
  return gl;
}

// Inversion by sequential search for mean < 10 (one uniform per draw), cut and restarted as
// binomial inversion is.
uint64_t poisson_inversion(Stream& s, double mean) noexcept {
  const double p0 = std::exp(-mean);
  const double bound = mean + 10.0 * std::sqrt(mean) + 10.0;
  for (;;) {
    double u = s.uniform();
    double px = p0;
    double x = 0.0;
    while (u > px && x <= bound) {
      x += 1.0;
      u -= px;
      px *= mean / x;
    }
    if (x <= bound) return static_cast<uint64_t>(x);
  }
}

// PTRS, transformed rejection with squeeze (Hörmann 1993), as NumPy's random_poisson_ptrs.
uint64_t poisson_ptrs(Stream& s, double lam) noexcept {
  const double slam = std::sqrt(lam);
  const double loglam = std::log(lam);
  const double b = 0.931 + 2.53 * slam;
  const double a = -0.059 + 0.02483 * b;
  const double log_invalpha = std::log(1.1239 + 1.1328 / (b - 3.4));
  const double vr = 0.9277 - 3.6224 / (b - 2.0);
  for (;;) {
    const double u = s.uniform() - 0.5;
    const double v = s.uniform();
    const double us = 0.5 - std::fabs(u);
    const double k = std::floor((2.0 * a / us + b) * u + lam + 0.43);
    if (us >= 0.07 && v <= vr) return static_cast<uint64_t>(k);
    if (k < 0.0 || (us < 0.013 && v > us)) continue;
    if (std::log(v) + log_invalpha - std::log(a / (us * us) + b) <=
        -lam + k * loglam - loggam(k + 1.0)) {
      return static_cast<uint64_t>(k);
    }
  }
}

// Marsaglia & Tsang (2000) for shape >= 1, unit scale.
double gamma_mt(Stream& s, double shape) noexcept {
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double x, v;
    do {
      x = normal(s);
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = s.uniform();
    const double xx = x * x;
    if (u < 1.0 - 0.0331 * xx * xx) return d * v;  // squeeze: no log needed
    if (std::log(u) < 0.5 * xx + d * (1.0 - v + std::log(v))) return d * v;
  }
}

// log of a Gamma(shape, 1) variate, finite even when the variate itself would underflow.
double log_gamma_variate(Stream& s, double shape) noexcept {
  if (shape >= 1.0) return std::log(gamma_mt(s, shape));
  const double g = gamma_mt(s, shape + 1.0);
  return std::log(g) + std::log(s.uniform()) / shape;
}

// Lower half of the normal quantile, p in (0, 0.5]. Acklam's approximation (relative error
// 1.15e-9) then one Halley step on Phi(x) - p.
double lower_normal_quantile(double p) noexcept {
  static constexpr double a[6] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                  -2.759285104469687e+02, 1.383577518672690e+02,
                                  -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[5] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                  -1.556989798598866e+02, 6.680131188771972e+01,
                                  -1.328068155288572e+01};
  static constexpr double c[6] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                  -2.400758277161838e+00, -2.549732539343734e+00,
                                  4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[4] = {7.784695709041462e-03, 3.224671290700398e-01,
                                  2.445134137142996e+00, 3.754408661907416e+00};
  double x, e;
  if (p < 0.02425) {  // tail
    const double q = std::sqrt(-2.0 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
    // Below DBL_MIN, exp(x*x/2) overflows; Acklam's 1e-9 has to do there.
    if (p < DBL_MIN) return x;
    e = 0.5 * std::erfc(-x * kSqrt1_2) - p;
  } else {  // central region
    const double q = p - 0.5;
    const double r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
    // erf keeps relative accuracy near x = 0, where erfc would leave only absolute accuracy.
    e = 0.5 * std::erf(x * kSqrt1_2) - q;
  }
  const double u = e * kSqrt2Pi * std::exp(0.5 * x * x);
  return x - u / (1.0 + 0.5 * x * u);
}

// The category that takes what is left: the last positive one (so zero-probability categories
// stay empty), or with none positive, an invalid input, the last of all; and the positive mass
// up to it, by which the shares are normalised.
std::size_t last_possible(const double* probs, std::size_t k) noexcept {
  std::size_t last = k;
  while (last > 0 && !(probs[last - 1] > 0.0)) --last;
  return last == 0 ? k - 1 : last - 1;
}
double mass_up_to(const double* probs, std::size_t last) noexcept {
  double mass = 0.0;
  for (std::size_t i = 0; i <= last; ++i) mass += probs[i] > 0.0 ? probs[i] : 0.0;
  return mass;
}

// Cumulative shares of probs[0..k), normalised by the mass up to the last possible category,
// into cut[0..size) (size >= k): 1 from that category on. Returns that category.
std::size_t fill_cuts(const double* probs, std::size_t k, double* cut, std::size_t size) noexcept {
  const std::size_t last = last_possible(probs, k);
  const double rest = mass_up_to(probs, last);
  double below = 0.0;
  for (std::size_t i = 0; i < size; ++i) {
    below += i <= last && probs[i] > 0.0 ? probs[i] : 0.0;
    cut[i] = i < last ? (rest > 0.0 ? below / rest : 0.0) : 1.0;
  }
  return last;
}

}  // namespace

namespace detail {

uint64_t binomial_search(Stream& s, uint64_t n, double p, double ratio, double u, double px, double x) noexcept {
  const double nd = static_cast<double>(n);
  const double surely_within = std::min(nd, 10.0);
  double bound = -1.0;  // not yet computed
  auto within = [&](double at) {
    if (at <= surely_within) return true;
    if (bound < 0.0) {
      const double np = nd * p;
      bound = std::min(nd, np + 10.0 * std::sqrt(np * (1.0 - p) + 1.0));
    }
    return at <= bound;
  };
  // u is past P(X < x), and px = P(X = x).
  for (;;) {
    while (u > px && within(x)) {
      x += 1.0;
      u -= px;
      px *= ratio * ((nd - x + 1.0) / x);  // P(x) from P(x - 1)
    }
    if (within(x)) return static_cast<uint64_t>(x);
    // Cut off (rounding ran the remainder past the bound): start again on a fresh uniform.
    u = s.uniform();
    px = power(1.0 - p, n);
    x = 0.0;
  }
}

namespace {

// log k! - ((k + 1/2) log(k + 1) - (k + 1) + log(2 pi) / 2): the Stirling correction, from a
// table below 10 and from its series beyond (error below 1e-10).
double stirling_correction(double k) noexcept {
  static constexpr double kTable[10] = {0.08106146679532726, 0.04134069595540929, 0.02767792568499834,
                                        0.02079067210376509, 0.01664469118982119, 0.01387612882307075,
                                        0.01189670994589177, 0.01041126526197209, 0.009255462182712733,
                                        0.008330563433362871};
  if (k < 10.0) return kTable[static_cast<int>(k)];
  const double inv = 1.0 / (k + 1.0), inv2 = inv * inv;
  return (1.0 / 12.0 - (1.0 / 360.0 - inv2 / 1260.0) * inv2) * inv;
}

}  // namespace

// BTRD (Hormann 1993, "The generation of binomial random variates", J. Statist. Comput. Simul.
// 46: 101-110): transformed rejection with a decomposition. The central part of the hat (0.86 v_r
// of the draws: 38% at n p = 10, 65% at n p q = 90) takes one uniform and no test; the rest are
// accepted by f(k)/f(m) from its recurrence near the mode, else by a squeeze and the
// Stirling-corrected log ratio. Its set-up is a square root and two divisions, where BTPE's is a
// chain of them, and its recurrence is shorter: 1.35-1.75x faster than BTPE at n p = 10-1500.
uint64_t binomial_btrd(Stream& s, uint64_t n, double r) noexcept {
  const double nd = static_cast<double>(n);
  const double q = 1.0 - r;
  const double m = std::floor((nd + 1.0) * r);  // mode
  const double ratio = r / q, nr = (nd + 1.0) * ratio;
  const double npq = nd * r * q, spq = std::sqrt(npq);
  const double b = 1.15 + 2.53 * spq;
  const double a = -0.0873 + 0.0248 * b + 0.01 * r;
  const double c = nd * r + 0.5;
  const double v_r = 0.92 - 4.2 / b, u_rv_r = 0.86 * v_r;

  for (;;) {
    double v = s.uniform(), u;
    if (v <= u_rv_r) {  // the central part: accepted as it stands
      u = v / v_r - 0.43;
      return static_cast<uint64_t>(std::floor((2.0 * a / (0.5 - std::fabs(u)) + b) * u + c));
    }
    if (v >= v_r) {
      u = s.uniform() - 0.5;
    } else {
      u = v / v_r - 0.93;
      u = (u < 0.0 ? -0.5 : 0.5) - u;
      v = s.uniform() * v_r;
    }
    const double us = 0.5 - std::fabs(u);
    const double k = std::floor((2.0 * a / us + b) * u + c);
    if (k < 0.0 || k > nd) continue;
    const double alpha = (2.83 + 5.1 / b) * spq;
    v = v * alpha / (a / (us * us) + b);
    const double km = std::fabs(k - m);
    if (km <= 15.0) {
      // f(k) / f(m) by the recurrence f(i) / f(i - 1) = ((n + 1) r - r i) / i, with r = p / q,
      // as one ratio of products (one compare, no division per step).
      double up = 1.0, down = 1.0;  // the products of the numerators and of the denominators
      double i = std::min(m, k) + 1.0;
      for (auto step = static_cast<int>(km); step > 0; --step, i += 1.0) {  // km <= 15 steps
        up *= nr - ratio * i;
        down *= i;
      }
      if (m < k ? v * down <= up : v * up <= down) return static_cast<uint64_t>(k);
      continue;
    }
    // A squeeze on log f(k) / f(m), then the ratio itself from Stirling's series.
    v = std::log(v);
    const double rho = (km / npq) * (((km / 3.0 + 0.625) * km + 1.0 / 6.0) / npq + 0.5);
    const double t = -km * km / (2.0 * npq);
    if (v < t - rho) return static_cast<uint64_t>(k);
    if (v > t + rho) continue;
    const double nm = nd - m + 1.0, nk = nd - k + 1.0;
    const double h = (m + 0.5) * std::log((m + 1.0) / (ratio * nm)) + stirling_correction(m) +
                     stirling_correction(nd - m);
    // log(nm / nk) as log1p((k - m) / nk): no cancellation when n is huge and k near m.
    if (v <= h + (nd + 1.0) * std::log1p((k - m) / nk) + (k + 0.5) * std::log(nk * ratio / (k + 1.0)) -
                 stirling_correction(k) - stirling_correction(nd - k)) {
      return static_cast<uint64_t>(k);
    }
  }
}

}  // namespace detail

void Binomial::fill_powers() noexcept {
  powers_ = static_cast<std::size_t>(std::min(double(kPowers), std::ceil(10.0 / r_)));
  for (std::size_t n = 0; n < powers_; ++n) q_pow_[n] = detail::power(q_, n);
  // from()'s first steps cover only the n that draw() inverts: n * r < 10 as computed, which can
  // round to 10 just below the table's end. They do not reflect.
  quick_end_ = 0;
  while (p_ <= 0.5 && quick_end_ < powers_ && static_cast<double>(quick_end_) * r_ < 10.0) ++quick_end_;
}

namespace {

// Binomial::many's first steps in lanes, for each of kMany draws (n[i] = 0 past the k wanted;
// nd[i] = n[i] as a double): P(X = 0) = (1 - r)^n into px, then kSteps steps of inversion on u:
// steps = the number of cumulative sums below u, below = P(X < steps), px = P(X = steps).
// Elementwise IEEE operations in a fixed order, so the AVX2 clone gives the same doubles as the
// default one.
constexpr std::size_t kManyLanes = Binomial::kMany;
ADMSIM_LANES_CLONES
void first_steps(const uint64_t* n, const double* nd, const double* u, double q, double ratio, double* px,
                 double* below, double* steps) noexcept {
  uint64_t bits[kManyLanes], widest = 0;
  for (std::size_t i = 0; i < kManyLanes; ++i) {
    widest |= n[i];
    bits[i] = n[i];
    px[i] = 1.0;
    below[i] = steps[i] = 0.0;
  }
  // (1 - r)^n from one ladder of squares, q^(2^b): the same products, in the same order, as
  // power().
  for (double square = q; widest > 0; widest >>= 1, square *= square) {
    for (std::size_t i = 0; i < kManyLanes; ++i) {
      px[i] *= detail::factor_if_low_bit(bits[i], square);
      bits[i] >>= 1;
    }
  }
  // P(X = x + 1) = P(X = x) r / (1 - r) (n - x) / (x + 1), the ratio's factor shared by all.
  for (std::size_t x = 0; x < Binomial::kSteps; ++x) {
    const double xd = static_cast<double>(x), factor = ratio / (xd + 1.0);
    for (std::size_t i = 0; i < kManyLanes; ++i) {
      below[i] += px[i];
      steps[i] += u[i] > below[i] ? 1.0 : 0.0;
      px[i] *= factor * (nd[i] - xd);
    }
  }
}

}  // namespace

void Binomial::many(Stream& s, const uint64_t* n, std::size_t k, uint64_t* out) const noexcept {
  assert(k <= kMany);
  uint64_t lanes_n[kMany] = {};
  double nd[kMany] = {}, u[kMany] = {}, px[kMany], below[kMany], steps[kMany];
  s.uniforms(u, k);
  for (std::size_t i = 0; i < k; ++i) {
    lanes_n[i] = n[i];
    nd[i] = static_cast<double>(n[i]);
  }
  if (!(p_ > 0.0) || p_ >= 1.0) {
    for (std::size_t i = 0; i < k; ++i) out[i] = p_ >= 1.0 ? n[i] : 0;
    return;
  }
  first_steps(lanes_n, nd, u, q_, ratio_, px, below, steps);
  for (std::size_t i = 0; i < k; ++i) {
    uint64_t y;
    if (nd[i] * r_ >= 10.0) {
      y = detail::binomial_btrd(s, n[i], r_);
    } else if (steps[i] < static_cast<double>(kSteps)) {
      y = static_cast<uint64_t>(steps[i]);
    } else {  // past the first steps: search on from there (u's remainder, P(X = kSteps))
      y = detail::binomial_search(s, n[i], r_, ratio_, u[i] - below[i], px[i], static_cast<double>(kSteps));
    }
    out[i] = p_ <= 0.5 ? y : n[i] - y;
  }
}

Categorical::Categorical(const double* probs, std::size_t k, bool guided) noexcept : k_(k), guided_(guided) {
  assert(k >= 1 && k <= kMax);
  std::copy_n(probs, k, probs_);
  last_ = fill_cuts(probs_, k, cut_, kMax + 1);
  if (guided_) fill_guide();
}

void Categorical::fill_guide() noexcept {
  // One pass over the 64ths and the cuts together (both rise): the cuts below each 64th's start.
  std::size_t below = 0;
  for (std::size_t j = 0; j <= kGuide; ++j) {
    const double start = double(j) / double(kGuide);  // exact
    while (below < last_ && cut_[below] < start) ++below;
    if (j < kGuide) below_[j] = static_cast<std::uint8_t>(below);
    if (j > 0 && below - below_[j - 1] > 2) crowded_ |= std::uint64_t{1} << (j - 1);
  }
}

void Categorical::operator()(Stream& s, uint64_t n, uint64_t* out) const noexcept {
  if (n > 3 * k_) {
    multinomial(s, n, probs_, k_, out);
    return;
  }
  std::fill(out, out + k_, uint64_t{0});
  for (uint64_t item = 0; item < n; ++item) ++out[(*this)(s)];
}

RareOutcomes::RareOutcomes(const double* probs, std::size_t k) noexcept : k_(k) {
  assert(k >= 1 && k <= kMax);
  double tail[kMax + 1] = {};  // tail[i] = sum of probs[i..k)
  for (std::size_t i = k; i-- > 0;) tail[i] = tail[i + 1] + std::max(0.0, probs[i]);
  any_ = Binomial(std::min(1.0, tail[0]), true);
  for (std::size_t i = 0; i + 1 < k; ++i) {
    split_[i] = Binomial(tail[i] > 0.0 ? std::min(1.0, std::max(0.0, probs[i]) / tail[i]) : 0.0, true);
  }
  which_ = Categorical(probs, k);
  // Pairs and triples of outcomes with their multinomial weights (w the shares given any).
  double w[kMax] = {};
  for (std::size_t i = 0; i < k; ++i) w[i] = tail[0] > 0.0 ? std::max(0.0, probs[i]) / tail[0] : 0.0;
  double pair_mass[kPairs] = {}, triple_mass[kTriples] = {};
  std::size_t pairs = 0, triples = 0;
  for (std::size_t i = 0; i < k; ++i)
    for (std::size_t j = i; j < k; ++j) {
      pairs_[pairs][0] = static_cast<uint8_t>(i);
      pairs_[pairs][1] = static_cast<uint8_t>(j);
      pair_mass[pairs++] = (i == j ? 1.0 : 2.0) * w[i] * w[j];
      for (std::size_t l = j; l < k; ++l) {
        triples_[triples][0] = static_cast<uint8_t>(i);
        triples_[triples][1] = static_cast<uint8_t>(j);
        triples_[triples][2] = static_cast<uint8_t>(l);
        const double orders = i == l ? 1.0 : (i == j || j == l) ? 3.0 : 6.0;  // orderings of (i, j, l)
        triple_mass[triples++] = orders * w[i] * w[j] * w[l];
      }
    }
  pair_last_ = fill_cuts(pair_mass, pairs, pair_cut_, pairs);
  triple_last_ = fill_cuts(triple_mass, triples, triple_cut_, triples);
}

void RareOutcomes::split(Stream& s, uint64_t any, uint64_t* out) const noexcept {
  uint64_t left = any;
  for (std::size_t i = 0; i + 1 < k_; ++i) {
    out[i] = split_[i](s, left);
    left -= out[i];
  }
  out[k_ - 1] = left;
}

void RareOutcomeCells::assign(const RareOutcomes* cells, std::size_t count) noexcept {
  assert(count <= kMaxCells);
  count_ = std::min(count, kMaxCells);
  std::copy_n(cells, count_, cells_);
}

void RareOutcomeCells::operator()(Stream& any, Stream& more, const uint64_t* n,
                                  uint64_t (*out)[kOutcomes]) const noexcept {
  double u[kMaxCells];
  any.uniforms(u, count_);
  uint64_t with_any[kMaxCells];
  for (std::size_t i = 0; i < count_; ++i) with_any[i] = cells_[i].any().from(more, n[i], u[i]);
  // The cells with anyone to place, listed with no branch; only they draw outcomes.
  std::size_t listed[kMaxCells], count = 0;
  for (std::size_t i = 0; i < count_; ++i) {
    listed[count] = i;
    count += with_any[i] > 0;
    for (std::size_t k = 0; k < kOutcomes; ++k) out[i][k] = 0;
  }
  for (std::size_t j = 0; j < count; ++j) {
    const std::size_t i = listed[j];
    // One or two with any settled by the first steps are placed on u alone.
    cells_[i].outcomes(more, with_any[i], cells_[i].any().within(n[i], u[i]), out[i]);
  }
}

uint64_t poisson(Stream& s, double mean) noexcept {
  assert(!std::isnan(mean) && mean < std::numeric_limits<double>::infinity());
  if (!(mean > 0.0)) return 0;
  return mean < 10.0 ? poisson_inversion(s, mean) : poisson_ptrs(s, mean);
}

void multinomial(Stream& s, uint64_t n, const double* probs, std::size_t k, uint64_t* out) noexcept {
  constexpr std::size_t kCategoricalMax = 16;
  assert(k > 0 || n == 0);
  if (n == 0) {  // nobody to place: no set-up
    std::fill(out, out + k, uint64_t{0});
    return;
  }
  const std::size_t last = last_possible(probs, k);
  double rest = mass_up_to(probs, last);
  if (n <= 3 * k && k <= kCategoricalMax && rest > 0.0) {  // a few items: each picks its category
    Categorical(probs, k)(s, n, out);
    return;
  }
  uint64_t left = n;
  for (std::size_t i = 0; i < k; ++i) {
    const double pi = probs[i] > 0.0 ? probs[i] : 0.0;
    if (i == last) {
      out[i] = left;
      left = 0;
    } else if (left == 0 || pi == 0.0) {
      out[i] = 0;
    } else {
      out[i] = binomial(s, left, pi >= rest ? 1.0 : pi / rest);
      left -= out[i];
    }
    rest -= pi;
  }
}

double normal(Stream& s) noexcept {
  for (;;) {
    const double u = 2.0 * s.uniform() - 1.0;
    const double v = 2.0 * s.uniform() - 1.0;
    const double r2 = u * u + v * v;
    if (r2 < 1.0 && r2 > 0.0) return u * std::sqrt(-2.0 * std::log(r2) / r2);
  }
}

double gamma(Stream& s, double shape, double scale) noexcept {
  assert(!std::isnan(shape) && !std::isnan(scale));
  if (!(shape > 0.0)) return 0.0;
  if (shape >= 1.0) return gamma_mt(s, shape) * scale;
  // Boost: Gamma(a) = Gamma(a + 1) * U^(1/a).
  const double g = gamma_mt(s, shape + 1.0);
  return g * std::exp(std::log(s.uniform()) / shape) * scale;
}

double beta(Stream& s, double a, double b) noexcept {
  assert(!std::isnan(a) && !std::isnan(b));
  if (!(a > 0.0)) return 0.0;
  if (!(b > 0.0)) return 1.0;
  if (a >= 1.0 && b >= 1.0) {
    const double x = gamma_mt(s, a);
    const double y = gamma_mt(s, b);
    return x / (x + y);
  }
  const double lx = log_gamma_variate(s, a);
  const double ly = log_gamma_variate(s, b);
  return 1.0 / (1.0 + std::exp(ly - lx));
}

double normal_cdf(double x) noexcept { return 0.5 * std::erfc(-x * kSqrt1_2); }

double normal_quantile(double u) noexcept {
  if (std::isnan(u)) return u;
  if (u <= 0.0) return -std::numeric_limits<double>::infinity();
  if (u >= 1.0) return std::numeric_limits<double>::infinity();
  // 1 - u is exact for u in (0.5, 1), so the upper tail keeps full relative accuracy.
  return u <= 0.5 ? lower_normal_quantile(u) : -lower_normal_quantile(1.0 - u);
}

}  // namespace admsim::rng
