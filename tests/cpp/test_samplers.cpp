// Distribution samplers: exact-distribution (chi-square) and moment checks with fixed seeds, so each
// check is deterministic; thresholds are p > 1e-4 and 5 standard errors.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <utility>
#include <vector>

#include "admsim/samplers.hpp"

namespace rng = admsim::rng;
using rng::Stream;

namespace {

constexpr uint64_t kSeed = 20240601;
constexpr double kMinP = 1e-4;  // smallest chi-square p-value accepted

// Regularised lower incomplete gamma P(a, x) (series / Lentz continued fraction).
double gamma_p(double a, double x) {
  if (x <= 0.0) return 0.0;
  const double front = std::exp(-x + a * std::log(x) - std::lgamma(a));
  if (x < a + 1.0) {
    double ap = a, del = 1.0 / a, sum = del;
    for (int i = 0; i < 100000 && std::fabs(del) > std::fabs(sum) * 1e-16; ++i) {
      ap += 1.0;
      del *= x / ap;
      sum += del;
    }
    return sum * front;
  }
  const double tiny = 1e-300;
  double b = x + 1.0 - a, c = 1.0 / tiny, d = 1.0 / b, h = d;
  for (int i = 1; i < 100000; ++i) {
    const double an = -i * (i - a);
    b += 2.0;
    d = an * d + b;
    if (std::fabs(d) < tiny) d = tiny;
    c = b + an / c;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1.0 / d;
    const double del = d * c;
    h *= del;
    if (std::fabs(del - 1.0) < 1e-16) break;
  }
  return 1.0 - front * h;
}

double chi2_pvalue(double stat, double df) { return 1.0 - gamma_p(df / 2.0, stat / 2.0); }

// Goodness of fit of integer samples to a pmf: cells k = lo..hi, with samples below lo counted in
// the first cell and above hi in an extra last cell (expecting the mass left over), pooled left to
// right until each expects >= 20. lo and hi should sit far enough out that the mass below lo is nil.
double discrete_gof(const std::vector<uint64_t>& xs, uint64_t lo, uint64_t hi,
                    const std::function<double(uint64_t)>& pmf) {
  const double n = static_cast<double>(xs.size());
  const std::size_t cells = static_cast<std::size_t>(hi - lo) + 2;
  std::vector<double> obs(cells, 0.0), expct(cells, 0.0);
  for (uint64_t x : xs) obs[static_cast<std::size_t>(std::min(std::max(x, lo), hi + 1) - lo)] += 1.0;
  double mass = 0.0;
  for (uint64_t k = lo; k <= hi; ++k) {
    expct[k - lo] = n * pmf(k);
    mass += expct[k - lo];
  }
  expct[cells - 1] = std::max(0.0, n - mass);
  std::vector<double> po, pe;
  double o = 0.0, e = 0.0;
  for (std::size_t k = 0; k < cells; ++k) {
    o += obs[k];
    e += expct[k];
    if (e >= 20.0) {
      po.push_back(o);
      pe.push_back(e);
      o = e = 0.0;
    }
  }
  if (!pe.empty()) {
    po.back() += o;
    pe.back() += e;
  }
  double stat = 0.0;
  for (std::size_t i = 0; i < po.size(); ++i) stat += (po[i] - pe[i]) * (po[i] - pe[i]) / pe[i];
  const double df = static_cast<double>(po.size()) - 1.0;
  const double pv = df > 0 ? chi2_pvalue(stat, df) : 1.0;
  UNSCOPED_INFO("chi2 = " << stat << " on " << df << " df, p = " << pv);
  return pv;
}

// Window [lo, hi] of mean +- 12 sd (+15), clipped to [0, n].
std::pair<uint64_t, uint64_t> window(double mean, double sd, double n) {
  const double lo = std::max(0.0, std::floor(mean - 12.0 * sd - 15.0));
  const double hi = std::min(n, std::ceil(mean + 12.0 * sd + 15.0));
  return {static_cast<uint64_t>(lo), static_cast<uint64_t>(hi)};
}

// Goodness of fit of continuous samples through their CDF: 50 equiprobable cells.
double continuous_gof(const std::vector<double>& xs, const std::function<double(double)>& cdf) {
  constexpr int cells = 50;
  std::vector<double> obs(cells, 0.0);
  for (double x : xs) {
    const int c = static_cast<int>(cdf(x) * cells);
    obs[static_cast<std::size_t>(std::clamp(c, 0, cells - 1))] += 1.0;
  }
  const double e = static_cast<double>(xs.size()) / cells;
  double stat = 0.0;
  for (double o : obs) stat += (o - e) * (o - e) / e;
  return chi2_pvalue(stat, cells - 1);
}

// Sample mean and variance within 5 standard errors of the exact values (variance SE from the
// sample fourth central moment).
template <class T>
void check_moments(const std::vector<T>& xs, double mean, double var) {
  const double n = static_cast<double>(xs.size());
  double m = 0.0;
  for (T x : xs) m += static_cast<double>(x);
  m /= n;
  double m2 = 0.0, m4 = 0.0;
  for (T x : xs) {
    const double d = static_cast<double>(x) - m;
    m2 += d * d;
    m4 += d * d * d * d;
  }
  const double v = m2 / (n - 1.0);
  m4 /= n;
  INFO("mean " << m << " vs " << mean << ", variance " << v << " vs " << var);
  CHECK(std::fabs(m - mean) <= 5.0 * std::sqrt(var / n));
  CHECK(std::fabs(v - var) <= 5.0 * std::sqrt(std::max(m4 - v * v, 0.0) / n) + 1e-12 * var);
}

// log C(n, k): exact log sum for small k (n may be huge), lgamma otherwise.
double log_choose(uint64_t n, uint64_t k) {
  const double nd = static_cast<double>(n), kd = static_cast<double>(k);
  if (k <= 64) {
    double s = 0.0;
    for (uint64_t j = 0; j < k; ++j) s += std::log(nd - static_cast<double>(j));
    return s - std::lgamma(kd + 1.0);
  }
  return std::lgamma(nd + 1.0) - std::lgamma(kd + 1.0) - std::lgamma(nd - kd + 1.0);
}

// P(X = k) for X ~ Binomial(n, p), 0 < p < 1, k <= n.
double binomial_pmf(uint64_t n, uint64_t k, double p) {
  return std::exp(log_choose(n, k) + double(k) * std::log(p) + double(n - k) * std::log1p(-p));
}

}  // namespace

TEST_CASE("binomial edge cases", "[samplers]") {
  Stream s(kSeed, 0, 0, 0);
  CHECK(rng::binomial(s, 0, 0.3) == 0);
  CHECK(rng::binomial(s, 50, 0.0) == 0);
  CHECK(rng::binomial(s, 50, -0.5) == 0);
  CHECK(rng::binomial(s, 50, 1.0) == 50);
  CHECK(rng::binomial(s, 50, 1.5) == 50);
  for (int i = 0; i < 1000; ++i) CHECK(rng::binomial(s, 3, 0.5) <= 3);
}

namespace {

// Draws of Binomial(n, p) against the exact law (a window of mean +- 12 sd) and its moments.
void check_binomial_draws(const std::vector<uint64_t>& xs, uint64_t n, double p) {
  const double nd = static_cast<double>(n), mean = nd * p, var = mean * (1.0 - p);
  CHECK(*std::max_element(xs.begin(), xs.end()) <= n);
  const auto [lo, hi] = window(mean, std::sqrt(var), nd);
  const double lp = std::log(p), lq = std::log1p(-p);
  CHECK(discrete_gof(xs, lo, hi, [&](uint64_t k) {
          const double kd = static_cast<double>(k);
          return std::exp(log_choose(n, k) + kd * lp + (nd - kd) * lq);
        }) > kMinP);
  check_moments(xs, mean, var);
}

struct BinomialCase { uint64_t n; double p; };

// `draws` of rng::binomial for each case, case i on stream first_id + i.
void check_binomial_cases(const std::vector<BinomialCase>& cases, uint32_t first_id, std::size_t draws) {
  uint32_t id = first_id;
  for (const auto& c : cases) {
    INFO("n = " << c.n << ", p = " << c.p);
    Stream s(kSeed, 1, id++, 0);
    std::vector<uint64_t> xs(draws);
    for (auto& x : xs) x = rng::binomial(s, c.n, c.p);
    check_binomial_draws(xs, c.n, c.p);
  }
}

// A cell's four outcome counts for n children as one number in base n + 1 (first outcome most
// significant), as four_outcomes_pmf decodes it.
uint64_t four_outcomes_code(const uint64_t* c, uint64_t n) {
  const uint64_t base = n + 1;
  return ((c[0] * base + c[1]) * base + c[2]) * base + c[3];
}

// The exact probability of a cell's four outcome counts (and n minus their sum with none) for n
// children, coded by four_outcomes_code.
std::function<double(uint64_t)> four_outcomes_pmf(const double* probs, uint64_t n) {
  const std::array<double, 4> p = {probs[0], probs[1], probs[2], probs[3]};
  return [p, n](uint64_t code) {
    const uint64_t base = n + 1;
    const uint64_t c[4] = {code / (base * base * base), code / (base * base) % base, code / base % base, code % base};
    const uint64_t moved = c[0] + c[1] + c[2] + c[3];
    if (moved > n) return 0.0;
    const double none = 1 - p[0] - p[1] - p[2] - p[3];
    double logp = std::lgamma(double(n) + 1.0) - std::lgamma(double(n - moved) + 1);
    if (moved < n) logp += double(n - moved) * std::log(none);  // none may be 0 when all move
    for (int i = 0; i < 4; ++i) {
      if (c[i] == 0) continue;
      if (p[i] == 0.0) return 0.0;
      logp += double(c[i]) * std::log(p[i]) - std::lgamma(double(c[i]) + 1);
    }
    return std::exp(logp);
  };
}

}  // namespace

TEST_CASE("binomial matches the exact distribution (inversion and BTRD)", "[samplers]") {
  const std::vector<BinomialCase> cases = {
      {100, 0.1},        {20, 0.5},      {1000, 0.3},  {5, 0.9},     {1000000, 1e-5},
      {200, 0.02},       {15, 0.6},      {30, 0.7},    {60, 0.8},    {50, 0.05},
      {1000000, 0.5},    {10, 0.999},    {uint64_t{1} << 40, 1e-12}, {25, 0.4}};
  check_binomial_cases(cases, 0, 200000);
}

TEST_CASE("BTRD matches the exact distribution near and past its threshold", "[samplers]") {
  // n * min(p, 1 - p) from just over 10 (where BTRD takes over from inversion) to the thousands:
  // the means the engine draws (referral outcomes, CIN moves, plans), and far tails where the
  // squeeze and the Stirling-corrected ratio decide (|k - mode| > 15).
  const std::vector<BinomialCase> cases = {
      {101, 0.0991},  {21, 0.5},     {40, 0.27},      {150, 0.1},   {220, 0.1},  {1000000, 3e-5},
      {700, 0.125},   {1000, 0.1},   {400, 0.96},      {4000, 0.45}, {uint64_t{1} << 40, 1e-10}};
  check_binomial_cases(cases, 100, 400000);
}

TEST_CASE("prepared binomials draw exactly what binomial() draws", "[samplers]") {
  // Same stream state, same draws: inside and beyond the table of (1 - p)^n, at both ends of
  // inversion, on the BTRD side and reflected (p > 0.5).
  const std::vector<double> ps = {0.0, 1e-9, 0.003, 0.02, 0.1667, 0.31, 0.5, 0.62, 0.97, 1.0};
  const std::vector<uint64_t> ns = {0, 1, 2, 7, 31, 32, 33, 47, 60, 200, 5000};
  uint32_t id = 0;
  for (const double p : ps) {
    for (const bool tabulate : {false, true}) {
      const rng::Binomial prepared(p, tabulate);
      for (const uint64_t n : ns) {
        INFO("p = " << p << ", n = " << n << ", table " << tabulate);
        Stream a(kSeed, 9, id, 0), b(kSeed, 9, id, 0);
        ++id;
        for (int i = 0; i < 400; ++i) REQUIRE(prepared(a, n) == rng::binomial(b, n, p));
        CHECK(a.next_u32() == b.next_u32());  // and the same number of uniforms used
      }
    }
  }
}

TEST_CASE("binomial(100, 0.1) is unbiased where libstdc++'s is not", "[samplers]") {
  // libstdc++'s std::binomial_distribution gives a mean of about 10.008 here.
  Stream s(kSeed, 2, 0, 0);
  const int n = 2'000'000;
  double sum = 0.0;
  for (int i = 0; i < n; ++i) sum += static_cast<double>(rng::binomial(s, 100, 0.1));
  CHECK(std::fabs(sum / n - 10.0) < 0.005);
}

TEST_CASE("poisson matches the exact distribution (inversion and PTRS)", "[samplers]") {
  Stream s0(kSeed, 3, 99, 0);
  CHECK(rng::poisson(s0, 0.0) == 0);
  CHECK(rng::poisson(s0, -1.0) == 0);
  const std::vector<double> means = {0.5, 3.0, 9.9, 10.0, 25.0, 250.0, 1e5, 1e-3, 1e8};
  uint32_t id = 0;
  for (double mean : means) {
    INFO("mean = " << mean);
    Stream s(kSeed, 3, id++, 0);
    std::vector<uint64_t> xs(200000);
    for (auto& x : xs) x = rng::poisson(s, mean);
    const auto [lo, hi] = window(mean, std::sqrt(mean), std::numeric_limits<double>::max());
    const double lm = std::log(mean);
    const double pv = discrete_gof(xs, lo, hi, [&](uint64_t k) {
      const double kd = static_cast<double>(k);
      return std::exp(-mean + kd * lm - std::lgamma(kd + 1.0));
    });
    CHECK(pv > kMinP);
    check_moments(xs, mean, mean);
  }
}

TEST_CASE("multinomial sums to n with the right marginals", "[samplers]") {
  const std::vector<double> probs = {0.1, 0.0, 0.25, 0.3, 0.35};
  const uint64_t n = 1000;
  const std::size_t k = probs.size();
  Stream s(kSeed, 4, 0, 0);
  const int draws = 100000;
  std::vector<std::vector<uint64_t>> cols(k, std::vector<uint64_t>(draws));
  std::vector<uint64_t> out(k);
  for (int d = 0; d < draws; ++d) {
    rng::multinomial(s, n, probs.data(), k, out.data());
    uint64_t total = 0;
    for (std::size_t i = 0; i < k; ++i) {
      cols[i][static_cast<std::size_t>(d)] = out[i];
      total += out[i];
    }
    REQUIRE(total == n);
    REQUIRE(out[1] == 0);
  }
  for (std::size_t i = 0; i < k; ++i) {
    INFO("category " << i);
    check_moments(cols[i], n * probs[i], n * probs[i] * (1.0 - probs[i]));
  }
  // Covariance of categories 0 and 4 is -n p0 p4.
  const double m0 = n * probs[0], m4 = n * probs[4];
  double cov = 0.0, cov2 = 0.0;
  for (int d = 0; d < draws; ++d) {
    const auto u = static_cast<std::size_t>(d);
    const double t = (static_cast<double>(cols[0][u]) - m0) * (static_cast<double>(cols[4][u]) - m4);
    cov += t;
    cov2 += t * t;
  }
  cov /= draws;
  const double se = std::sqrt((cov2 / draws - cov * cov) / draws);
  CHECK(std::fabs(cov + n * probs[0] * probs[4]) < 5.0 * se);

  // A trailing zero-probability category stays empty; n = 0 gives zeros.
  const double half[3] = {0.5, 0.5, 0.0};
  uint64_t o3[3];
  for (int d = 0; d < 1000; ++d) {
    rng::multinomial(s, 77, half, 3, o3);
    REQUIRE(o3[2] == 0);
    REQUIRE(o3[0] + o3[1] == 77);
  }
  rng::multinomial(s, 0, half, 3, o3);
  CHECK((o3[0] == 0 && o3[1] == 0 && o3[2] == 0));

  // No positive category (a council with no children in care has no age mix): the last takes
  // everything, on either path, and the stream stays usable (a fuzz finding: 0/0 cuts had sent
  // the categorical search past the end).
  const double none[3] = {0.0, 0.0, 0.0};
  const double nan[3] = {std::nan(""), 0.2, std::nan("")};
  for (const uint64_t items : {uint64_t{2}, uint64_t{50}}) {
    rng::multinomial(s, items, none, 3, o3);
    CHECK((o3[0] == 0 && o3[1] == 0 && o3[2] == items));
    rng::multinomial(s, items, nan, 3, o3);
    CHECK((o3[0] == 0 && o3[1] == items && o3[2] == 0));
    CHECK(rng::binomial(s, 3, 0.5) <= 3);
  }
}

TEST_CASE("rare outcomes match the exact multinomial", "[samplers]") {
  // A child's month in care (leave, on a band and older, on, older): the joint distribution of
  // a small cell exactly, cell by cell, and the marginals of a large one.
  const double leave = 0.03, on = 1.0 / 6, older = 1.0 / 60;
  const double probs[4] = {leave, (1 - leave) * on * older, (1 - leave) * on * (1 - older), (1 - leave) * (1 - on) * older};
  const rng::RareOutcomes draw(probs, 4);
  Stream s(kSeed, 11, 0, 0);
  const uint64_t small = 3;
  std::vector<uint64_t> codes;  // each outcome vector as one number (four_outcomes_code)
  uint64_t out[4];
  for (int d = 0; d < 200000; ++d) {
    draw(s, small, out);
    REQUIRE(out[0] + out[1] + out[2] + out[3] <= small);
    codes.push_back(four_outcomes_code(out, small));
  }
  CHECK(discrete_gof(codes, 0, 255, four_outcomes_pmf(probs, small)) > kMinP);

  const uint64_t large = 40;
  std::vector<std::vector<uint64_t>> cols(4);
  for (int d = 0; d < 100000; ++d) {
    draw(s, large, out);
    for (std::size_t i = 0; i < 4; ++i) cols[i].push_back(out[i]);
  }
  for (std::size_t i = 0; i < 4; ++i) {
    INFO("outcome " << i);
    const double pi = probs[i];
    CHECK(discrete_gof(cols[i], 0, large, [&](uint64_t k) {
            return binomial_pmf(large, k, pi);
          }) > kMinP);
  }

  // Outcomes that cannot happen never do (the last band: no moving on), even alone.
  const double last_band[4] = {leave, 0.0, 0.0, older};
  const rng::RareOutcomes stay(last_band, 4);
  for (int d = 0; d < 20000; ++d) {
    stay(s, 1 + static_cast<uint64_t>(d % 5), out);
    REQUIRE((out[1] == 0 && out[2] == 0));
  }
  const double only_first[4] = {0.2, 0.0, 0.0, 0.0};
  const rng::RareOutcomes first(only_first, 4);
  for (int d = 0; d < 20000; ++d) {
    first(s, 1, out);
    REQUIRE((out[1] == 0 && out[2] == 0 && out[3] == 0));
  }
  first(s, 0, out);
  CHECK((out[0] == 0 && out[3] == 0));
}

TEST_CASE("a binomial's place within its answer is given exactly where the first steps settle 1 or 2", "[samplers]") {
  // Binomial::within against from(): a place (width > 0) only where from() gave 1 or 2 without
  // reading its stream, there 0 < at <= width, and no place for such an answer only just past
  // the first steps' top (the search, on its own sums, can give 2 there); for u swept across
  // each cumulative edge (which from() computes to a few ulps of the exact ones), and for p
  // reflected (> 0.5) and n past the table (never a place).
  int placed = 0, searched = 0;
  for (const double p : {0.03, 0.3, 0.5, 0.7}) {
    const rng::Binomial draw(p, true);
    for (uint64_t n = 0; n <= 40; ++n) {
      INFO("p " << p << " n " << n);
      double edge = 0.0;  // P(X <= x), exactly
      for (uint64_t x = 0; x <= 2 && x <= n; ++x) {
        edge += binomial_pmf(n, x, p);
        double u = edge;
        for (int step = 0; step < 64; ++step) u = std::nextafter(u, 0.0);
        for (int step = 0; step < 128 && u < 1.0; ++step, u = std::nextafter(u, 1.0)) {
          Stream more(kSeed, 33, 0, 0), untouched(kSeed, 33, 0, 0);
          const uint64_t y = draw.from(more, n, u);
          const bool read = more.uniform() != untouched.uniform();
          const rng::Binomial::Within w = draw.within(n, u);
          const bool settled_answer = (y == 1 || y == 2) && !read && n < 32 && p <= 0.5;
          if (w.width > 0.0) {
            REQUIRE(settled_answer);
            REQUIRE((w.at > 0.0 && w.at <= w.width));
          } else if (settled_answer) {
            // Only just past the first steps' top, where the search's own sums can still give 2.
            REQUIRE((x == std::min<uint64_t>(n, 2) && y == 2));
            ++searched;
          }
          placed += w.width > 0.0;
        }
      }
    }
  }
  CHECK(placed > 1000);
  CHECK(searched < placed / 10);
  // A place at either end of its interval picks a possible outcome: the first possible one for a
  // tiny place, the last possible one at the top, never one of probability 0.
  const double gaps[4] = {0.0, 0.3, 0.0, 0.7};
  const rng::Categorical pick(gaps, 4);
  CHECK(pick.pick_within(1e-300, 0.01) == 1);
  CHECK(pick.pick_within(0.01, 0.01) == 3);
  CHECK(pick.pick_within(0.01 * 0.3, 0.01) == 1);
  CHECK(pick.pick_within(std::nextafter(0.01 * 0.3, 1.0), 0.01) == 3);
  const double last_zero[3] = {0.5, 0.5, 0.0};
  CHECK(rng::Categorical(last_zero, 3).pick_within(0.2, 0.2) == 1);
}

TEST_CASE("binomials drawn from a given first uniform have the exact distribution", "[samplers]") {
  // Binomial::from: the branch-free first steps where the table covers n, the search past them,
  // power() past the table, and the reflected and unprepared cases that always finish.
  for (const auto& [p, tabulate] : {std::pair{0.03, true}, std::pair{0.3, true}, std::pair{0.7, true}, std::pair{0.03, false}}) {
    const rng::Binomial draw(p, tabulate);
    for (uint64_t n : {0ull, 1ull, 5ull, 31ull, 40ull}) {
      INFO("p " << p << " tabulated " << tabulate << " n " << n);
      Stream first(kSeed, 31, 0, static_cast<uint32_t>(n)), more(kSeed, 31, 1, static_cast<uint32_t>(n));
      std::vector<uint64_t> xs;
      for (int d = 0; d < 40000; ++d) xs.push_back(draw.from(more, n, first.uniform()));
      if (n == 0) {
        CHECK(std::all_of(xs.begin(), xs.end(), [](uint64_t x) { return x == 0; }));
        continue;
      }
      CHECK(discrete_gof(xs, 0, n, [&](uint64_t k) {
              return binomial_pmf(n, k, p);
            }) > kMinP);
    }
  }
}

TEST_CASE("rare outcome cells draw each cell's exact distribution and keep cells in step", "[samplers]") {
  // Cells as the care module has them, and the cases the branch-free first steps do not cover:
  // n past the table (32 and more), n * p >= 10 (BTRD), p > 0.5 (reflected), p = 0 and p = 1.
  const std::vector<std::array<double, 4>> probs = {
      {0.01, 0.02, 0.25, 0.05}, {0.003, 0.0, 0.0, 0.02}, {0.05, 0.1, 0.3, 0.2},
      {0.0, 0.0, 0.0, 0.0},     {0.4, 0.3, 0.2, 0.1},   {0.2, 0.0, 0.1, 0.0},
      {0.02, 0.03, 0.04, 0.01}, {0.03, 0.0, 0.0, 0.02}};  // the last: a last band's (no moving on), in the table
  const std::vector<uint64_t> sizes = {5, 40, 3, 7, 6, 100, 4, 4};
  std::vector<rng::RareOutcomes> cells;
  for (const auto& p : probs) cells.emplace_back(p.data(), 4);
  const rng::RareOutcomeCells draw(cells.data(), cells.size());
  REQUIRE(draw.size() == cells.size());
  uint64_t out[8][4];
  std::vector<std::vector<std::vector<uint64_t>>> seen(cells.size(), std::vector<std::vector<uint64_t>>(4));
  // The joint outcomes of small cells that the first steps mostly settle (their one or two
  // movers placed on the count's own uniform), coded by four_outcomes_code.
  const std::size_t joint[3] = {0, 6, 7};
  std::vector<uint64_t> codes[3];
  for (int d = 0; d < 60000; ++d) {
    Stream any(kSeed, 21, 0, static_cast<uint32_t>(d)), more(kSeed, 21, 1, static_cast<uint32_t>(d));
    draw(any, more, sizes.data(), out);
    for (std::size_t i = 0; i < cells.size(); ++i) {
      REQUIRE(out[i][0] + out[i][1] + out[i][2] + out[i][3] <= sizes[i]);
      for (std::size_t k = 0; k < 4; ++k) seen[i][k].push_back(out[i][k]);
    }
    for (std::size_t j = 0; j < 3; ++j) codes[j].push_back(four_outcomes_code(out[joint[j]], sizes[joint[j]]));
  }
  for (std::size_t j = 0; j < 3; ++j) {
    INFO("joint outcomes of cell " << joint[j]);
    const uint64_t base = sizes[joint[j]] + 1;
    CHECK(discrete_gof(codes[j], 0, base * base * base * base - 1,
                       four_outcomes_pmf(probs[joint[j]].data(), sizes[joint[j]])) > kMinP);
  }
  for (std::size_t i = 0; i < cells.size(); ++i) {
    for (std::size_t k = 0; k < 4; ++k) {
      INFO("cell " << i << " outcome " << k);
      const double p = probs[i][k];
      const uint64_t n = sizes[i];
      if (p == 0.0) {
        CHECK(std::all_of(seen[i][k].begin(), seen[i][k].end(), [](uint64_t x) { return x == 0; }));
        continue;
      }
      CHECK(discrete_gof(seen[i][k], 0, n, [&](uint64_t x) {
              return binomial_pmf(n, x, p);
            }) > kMinP);
    }
  }
  // A cell's count changes, or it empties (another model's month): every other cell drawn from
  // its own uniform (inversion, settled or not; not BTRD or p = 1) still has the same number with
  // any outcome, one with one or two movers settled by the first steps (cell 6: in the table,
  // p <= 0.5) the same outcomes too, and cells with no children get none.
  int differ = 0, placed = 0;
  for (int d = 0; d < 2000; ++d) {
    std::vector<uint64_t> other = sizes;
    other[0] = d % 2 ? 0 : sizes[0] + 1 + static_cast<uint64_t>(d % 3);
    other[3] = 0;
    uint64_t a[8][4], b[8][4];
    Stream any_a(kSeed, 22, 0, static_cast<uint32_t>(d)), more_a(kSeed, 22, 1, static_cast<uint32_t>(d));
    Stream any_b(kSeed, 22, 0, static_cast<uint32_t>(d)), more_b(kSeed, 22, 1, static_cast<uint32_t>(d));
    draw(any_a, more_a, sizes.data(), a);
    draw(any_b, more_b, other.data(), b);
    differ += (a[0][0] + a[0][1] + a[0][2] + a[0][3]) != (b[0][0] + b[0][1] + b[0][2] + b[0][3]);
    CHECK(b[3][0] + b[3][1] + b[3][2] + b[3][3] == 0);
    for (std::size_t i : {1, 2, 6}) {
      REQUIRE(a[i][0] + a[i][1] + a[i][2] + a[i][3] == b[i][0] + b[i][1] + b[i][2] + b[i][3]);
    }
    const uint64_t moved = a[6][0] + a[6][1] + a[6][2] + a[6][3];
    if (moved == 1 || moved == 2) {
      ++placed;
      for (std::size_t k = 0; k < 4; ++k) REQUIRE(a[6][k] == b[6][k]);
    }
  }
  CHECK(differ > 0);  // the changed cell itself did draw differently
  CHECK(placed > 50);
}

TEST_CASE("consecutive draws on one stream are independent", "[samplers]") {
  // The inline inversion steps share the search's arithmetic and small multinomials are picks
  // on the same stream: each draw must have its exact distribution
  // whatever the draws before it gave. Checked on the joint distribution of each consecutive pair
  // in a cycle of binomials
  // (prepared, not, and reflected, p > 0.5), a Poisson, a small multinomial and a care cell's
  // one-child pick, against the product of the exact marginals.
  const rng::Binomial prepared(0.15, true);
  const double probs[3] = {0.5, 0.3, 0.2};
  const double rare[2] = {0.05, 0.1};
  const rng::RareOutcomes outcomes(rare, 2);
  auto binom = [](uint64_t n, double p) {
    return [n, p](uint64_t k) {
      if (k > n) return 0.0;
      return binomial_pmf(n, k, p);
    };
  };
  const std::vector<std::function<double(uint64_t)>> pmf = {
      binom(3, 0.2), binom(4, 0.15),
      [](uint64_t k) { return std::exp(-0.7 + double(k) * std::log(0.7) - std::lgamma(double(k) + 1.0)); },
      binom(2, 0.5),
      [](uint64_t k) { return k == 0 ? 0.85 : k == 1 ? 0.05 : k == 2 ? 0.1 : 0.0; },  // none, first, second
      binom(4, 0.8)};
  constexpr uint64_t kCells = 8;  // values 0..6 and 7 for 7 or more
  std::vector<std::vector<uint64_t>> pairs(pmf.size());
  Stream s(kSeed, 12, 0, 0);
  uint64_t out[3], previous = 0;
  for (int d = 0; d < 150000; ++d) {
    uint64_t x[6];
    x[0] = rng::binomial(s, 3, 0.2);
    x[1] = prepared(s, 4);
    x[2] = rng::poisson(s, 0.7);
    rng::multinomial(s, 2, probs, 3, out);
    x[3] = out[0];
    outcomes(s, 1, out);  // one child: no outcome, or which one it has
    x[4] = out[0] ? 1 : out[1] ? 2 : 0;
    x[5] = rng::binomial(s, 4, 0.8);
    for (std::size_t i = 0; i < pmf.size(); ++i) {
      if (d > 0 || i > 0) pairs[i].push_back(std::min<uint64_t>(previous, kCells - 1) * kCells + std::min<uint64_t>(x[i], kCells - 1));
      previous = x[i];
    }
  }
  auto capped = [&](std::size_t i, uint64_t v) {
    if (v < kCells - 1) return pmf[i](v);
    double below = 0.0;
    for (uint64_t k = 0; k < kCells - 1; ++k) below += pmf[i](k);
    return std::max(0.0, 1.0 - below);
  };
  for (std::size_t i = 0; i < pmf.size(); ++i) {
    const std::size_t before = (i + pmf.size() - 1) % pmf.size();
    INFO("draw " << i << " after draw " << before);
    CHECK(discrete_gof(pairs[i], 0, kCells * kCells - 1, [&](uint64_t code) {
            return capped(before, code / kCells) * capped(i, code % kCells);
          }) > kMinP);
  }
}

TEST_CASE("many binomials at one probability have each draw's exact distribution", "[samplers]") {
  // Binomial::many: settled by the first steps (X < 10), searching on past them (means near 10),
  // BTRD (n p >= 10) among inversion draws, n = 0, n past 2^32, reflected p > 0.5, and p = 0, 1.
  const std::vector<uint64_t> ns = {0, 1, 7, 40, 300, 999, 2000, 150, uint64_t{5} << 32};
  for (const double p : {0.0, 0.018, 0.3, 0.97, 1.0}) {
    const rng::Binomial draw(p);
    // Fewer than kMany, so the unused lanes are exercised as well.
    std::vector<std::vector<uint64_t>> xs(ns.size());
    for (int m = 0; m < 30000; ++m) {
      Stream s(kSeed, 41, 0, static_cast<uint32_t>(m));
      uint64_t out[rng::Binomial::kMany];
      draw.many(s, ns.data(), ns.size(), out);
      for (std::size_t i = 0; i < ns.size(); ++i) xs[i].push_back(out[i]);
    }
    for (std::size_t i = 0; i < ns.size(); ++i) {
      const uint64_t n = ns[i];
      INFO("p " << p << " n " << n);
      if (p == 0.0 || p == 1.0 || n == 0) {
        const uint64_t want = p == 1.0 ? n : 0;
        CHECK(std::all_of(xs[i].begin(), xs[i].end(), [&](uint64_t x) { return x == want; }));
        continue;
      }
      check_binomial_draws(xs[i], n, p);
    }
  }
}

TEST_CASE("many binomials keep each draw on its own uniform", "[samplers]") {
  // Draw i takes uniform i: changing, emptying or growing another cohort never moves a draw that
  // inversion settles, and the draws are from()'s on those uniforms wherever both settle early
  // (the same inversion, its terms rounded in another order: a rare last-bit difference at most).
  const rng::Binomial draw(0.02);
  int moved = 0, settled = 0, differ = 0;
  for (int m = 0; m < 20000; ++m) {
    const uint64_t a[12] = {300, 290, 280, 270, 260, 250, 240, 230, 220, 210, 200, 190};
    uint64_t b[12];
    std::copy(a, a + 12, b);
    // Another cohort changes, empties, or grows past n p = 10 (BTRD, uniforms after the 12).
    b[3] = static_cast<uint64_t>(m % 5 == 0 ? 0 : m % 5 == 1 ? 1000 : 400);
    uint64_t out_a[12], out_b[12];
    Stream sa(kSeed, 42, 0, static_cast<uint32_t>(m)), sb(kSeed, 42, 0, static_cast<uint32_t>(m));
    draw.many(sa, a, 12, out_a);
    draw.many(sb, b, 12, out_b);
    Stream first(kSeed, 42, 0, static_cast<uint32_t>(m)), more(kSeed, 43, 0, static_cast<uint32_t>(m));
    for (std::size_t i = 0; i < 12; ++i) {
      const double u = first.uniform();
      if (i == 3) continue;
      ++settled;  // by the first steps, or by the search past them (on the same uniform)
      moved += out_a[i] != out_b[i];
      if (out_a[i] < rng::Binomial::kSteps) differ += draw.from(more, a[i], u) != out_a[i];
    }
  }
  CHECK(settled > 200000);
  CHECK(moved == 0);
  CHECK(differ <= 2);
}

TEST_CASE("draws with slightly different probabilities stay in step (common random numbers)", "[samplers]") {
  // Two delivery models draw the same cohorts with probabilities 1% apart, on the same stream:
  // their totals should differ rarely, as with one fresh uniform per draw (about 7% of months),
  // not as if drawn independently. Passing an inversion draw's uniform on to the next draw (tried
  // for speed) made them differ in 85% of months, and in 22% when passed on after 0s only.
  const int months = 100000;
  int differ = 0;
  for (int m = 0; m < months; ++m) {
    Stream a(kSeed, 16, 0, static_cast<uint32_t>(m)), b(kSeed, 16, 0, static_cast<uint32_t>(m));
    uint64_t total_a = 0, total_b = 0;
    for (int k = 0; k < 12; ++k) {
      total_a += rng::binomial(a, 30, 0.02);
      total_b += rng::binomial(b, 30, 0.0202);
    }
    differ += total_a != total_b;
  }
  INFO("months with different totals: " << differ);
  CHECK(differ < months / 8);
}

TEST_CASE("prepared categoricals pick with the exact probabilities", "[samplers]") {
  // The engine's 28 (placement type, age band) cells of a care entry, some impossible.
  std::vector<double> probs(28);
  for (std::size_t i = 0; i < probs.size(); ++i) probs[i] = i % 5 == 3 ? 0.0 : 1.0 + double(i % 7);
  double total = 0.0;
  for (double p : probs) total += p;
  const rng::Categorical cells(probs.data(), probs.size());
  Stream s(kSeed, 14, 0, 0);
  std::vector<uint64_t> picks(300000);
  for (auto& x : picks) x = cells(s);
  CHECK(discrete_gof(picks, 0, 27, [&](uint64_t i) { return probs[i] / total; }) > kMinP);
  // As a multinomial, by picks (n <= 3k) and by conditional binomials (more): sums, empty cells
  // and the mean count of one cell.
  for (const uint64_t n : {uint64_t{13}, uint64_t{500}}) {
    INFO("n = " << n);
    std::vector<uint64_t> out(probs.size()), first;
    for (int d = 0; d < 20000; ++d) {
      cells(s, n, out.data());
      uint64_t sum = 0;
      for (std::size_t i = 0; i < out.size(); ++i) {
        sum += out[i];
        if (probs[i] == 0.0) REQUIRE(out[i] == 0);
      }
      REQUIRE(sum == n);
      first.push_back(out[6]);
    }
    const double p6 = probs[6] / total;
    check_moments(first, double(n) * p6, double(n) * p6 * (1 - p6));
  }
}

TEST_CASE("guided categoricals pick as the full count does", "[samplers]") {
  // The guide table must give the very pick of counting every cut: on uniforms from a stream,
  // on each 64th's edges and their neighbours, and on the cuts themselves, for shares with
  // impossible categories, crowded 64ths (many tiny shares), one category and the full 32.
  std::vector<std::vector<double>> cases = {{1.0}, {0.0, 0.0, 3.0}, {0.25, 0.25, 0.25, 0.25}};
  std::vector<double> crowded(32, 1e-4), engine(28), skewed(17);
  crowded[31] = 1.0;  // 31 cuts in the first 64th
  for (std::size_t i = 0; i < engine.size(); ++i) engine[i] = i % 5 == 3 ? 0.0 : 1.0 + double(i % 7);
  for (std::size_t i = 0; i < skewed.size(); ++i) skewed[i] = std::pow(0.5, double(i));
  cases.insert(cases.end(), {crowded, engine, skewed, std::vector<double>(32, 1.0)});
  Stream s(kSeed, 15, 0, 0);
  for (const auto& probs : cases) {
    INFO("k = " << probs.size() << ", first share " << probs[0]);
    const rng::Categorical full(probs.data(), probs.size()), guided(probs.data(), probs.size(), true);
    std::vector<double> us;
    for (int i = 0; i < 200000; ++i) us.push_back(s.uniform());
    for (int j = 1; j < 64; ++j) {
      const double edge = j / 64.0;
      us.insert(us.end(), {edge, std::nextafter(edge, 0.0), std::nextafter(edge, 1.0)});
    }
    double below = 0.0, total = 0.0;
    for (double p : probs) total += p;
    for (double p : probs) {  // near each cut (cumulative share), as rounded here
      below += p;
      const double cut = below / total;
      if (cut > 0.0 && cut < 1.0) us.insert(us.end(), {cut, std::nextafter(cut, 0.0), std::nextafter(cut, 1.0)});
    }
    us.push_back(std::nextafter(1.0, 0.0));
    us.push_back(0x1p-53);
    for (double u : us) REQUIRE(guided.pick(u) == full.pick(u));
  }
}

TEST_CASE("small multinomials match the exact joint distribution", "[samplers]") {
  // n up to 3k are drawn as n categorical picks, each on a fresh uniform.
  const double probs[4] = {0.45, 0.0, 0.35, 0.2};
  Stream s(kSeed, 13, 0, 0);
  const uint64_t n = 5;
  std::vector<uint64_t> codes;
  uint64_t out[4];
  for (int d = 0; d < 200000; ++d) {
    rng::multinomial(s, n, probs, 4, out);
    REQUIRE(out[0] + out[1] + out[2] + out[3] == n);
    REQUIRE(out[1] == 0);
    codes.push_back(out[0] * 6 + out[2]);
  }
  CHECK(discrete_gof(codes, 0, 35, [&](uint64_t code) {
          const uint64_t a = code / 6, c = code % 6;
          if (a + c > n) return 0.0;
          const uint64_t rest = n - a - c;
          return std::exp(std::lgamma(n + 1.0) - std::lgamma(a + 1.0) - std::lgamma(c + 1.0) - std::lgamma(rest + 1.0) +
                          double(a) * std::log(probs[0]) + double(c) * std::log(probs[2]) + double(rest) * std::log(probs[3]));
        }) > kMinP);
}

TEST_CASE("normal has the standard normal distribution", "[samplers]") {
  Stream s(kSeed, 5, 0, 0);
  std::vector<double> xs(1000000);
  for (auto& x : xs) x = rng::normal(s);
  check_moments(xs, 0.0, 1.0);
  CHECK(continuous_gof(xs, rng::normal_cdf) > kMinP);
}

TEST_CASE("gamma matches its distribution", "[samplers]") {
  Stream s0(kSeed, 6, 99, 0);
  CHECK(rng::gamma(s0, 0.0, 1.0) == 0.0);
  const std::vector<double> shapes = {0.5, 1.0, 3.7, 50.0, 0.05};
  const double scale = 2.0;
  uint32_t id = 0;
  for (double a : shapes) {
    INFO("shape = " << a);
    Stream s(kSeed, 6, id++, 0);
    std::vector<double> xs(200000);
    for (auto& x : xs) x = rng::gamma(s, a, scale);
    CHECK(*std::min_element(xs.begin(), xs.end()) >= 0.0);
    check_moments(xs, a * scale, a * scale * scale);
    CHECK(continuous_gof(xs, [&](double x) { return gamma_p(a, x / scale); }) > kMinP);
  }
}

TEST_CASE("beta matches its distribution", "[samplers]") {
  // CDFs: arcsine for (0.5, 0.5); binomial tail sum for integer shapes.
  auto int_cdf = [](int a, int b) {
    return [a, b](double x) {
      const int m = a + b - 1;
      double sum = 0.0;
      for (int j = a; j <= m; ++j)
        sum += std::exp(std::lgamma(m + 1.0) - std::lgamma(j + 1.0) - std::lgamma(m - j + 1.0) +
                        j * std::log(x) + (m - j) * std::log1p(-x));
      return sum;
    };
  };
  struct Case { double a, b; std::function<double(double)> cdf; };
  const double pi = std::acos(-1.0);
  const std::vector<Case> cases = {
      {0.5, 0.5, [pi](double x) { return 2.0 / pi * std::asin(std::sqrt(x)); }},
      {2.0, 5.0, int_cdf(2, 5)},
      {30.0, 10.0, int_cdf(30, 10)},
      {0.01, 0.02, nullptr}};  // tiny shapes: the log-space path; moments only
  uint32_t id = 0;
  for (const auto& c : cases) {
    INFO("a = " << c.a << ", b = " << c.b);
    Stream s(kSeed, 7, id++, 0);
    std::vector<double> xs(200000);
    for (auto& x : xs) x = rng::beta(s, c.a, c.b);
    for (double x : xs) REQUIRE((x >= 0.0 && x <= 1.0));
    const double ab = c.a + c.b;
    check_moments(xs, c.a / ab, c.a * c.b / (ab * ab * (ab + 1.0)));
    if (c.cdf) CHECK(continuous_gof(xs, c.cdf) > kMinP);
  }
}

TEST_CASE("normal_cdf and normal_quantile", "[samplers]") {
  struct Known { double p, x; };  // mpmath (50 digits) at the double nearest p
  const Known known[] = {{0.975, 1.9599639845400539},    {0.5, 0.0},
                         {1e-10, -6.3613409024040562},   {0.999, 3.0902323061678133},
                         {0.02425, -1.9729610513118848}, {0.3, -0.52440051270804082},
                         {1e-300, -37.047096299361199},  {0.9999999, 5.1993375822906611},
                         {0.75, 0.67448975019608174}};
  for (const auto& k : known) {
    INFO("p = " << k.p);
    CHECK(rng::normal_quantile(k.p) == Approx(k.x).epsilon(1e-13).margin(1e-15));
  }
  CHECK(rng::normal_cdf(-10.0) == Approx(7.6198530241605261e-24).epsilon(1e-13));
  CHECK(rng::normal_cdf(-37.0) == Approx(5.7255712225245768e-300).epsilon(1e-12));
  CHECK(rng::normal_cdf(0.5) == Approx(0.6914624612740131).epsilon(1e-14));

  // Round trip on [-8, 8]. Above 0, Phi(x) rounds to a multiple of 2^-53 near 1, so the tolerance
  // grows as eps / phi(x); below 0 the relative accuracy of Phi is kept.
  const double two_pi = 2.0 * std::acos(-1.0);
  for (int i = -800; i <= 800; ++i) {
    const double x = i / 100.0;
    const double pdf = std::exp(-0.5 * x * x) / std::sqrt(two_pi);
    const double tol = 1e-12 * std::max(1.0, std::fabs(x)) +
                       2.0 * std::numeric_limits<double>::epsilon() * rng::normal_cdf(x) / pdf;
    INFO("x = " << x);
    CHECK(std::fabs(rng::normal_quantile(rng::normal_cdf(x)) - x) <= tol);
  }
  // Exact symmetry where 1 - u is exact (dyadic u), and the ends.
  for (double u : {0x1p-50, 0x1p-20, 0x1p-6, 0.125, 0.375}) {
    CHECK(rng::normal_quantile(1.0 - u) == -rng::normal_quantile(u));
  }
  CHECK(rng::normal_quantile(0.0) == -std::numeric_limits<double>::infinity());
  CHECK(rng::normal_quantile(1.0) == std::numeric_limits<double>::infinity());
  CHECK(std::isnan(rng::normal_quantile(std::nan(""))));
}

TEST_CASE("samplers are deterministic given the Stream state", "[samplers]") {
  auto run = [] {
    Stream s(kSeed, 8, 3, 12);
    std::vector<double> v;
    const double probs[3] = {0.2, 0.3, 0.5};
    uint64_t out[3];
    for (int i = 0; i < 200; ++i) {
      v.push_back(static_cast<double>(rng::binomial(s, 1000, 0.3)));
      v.push_back(static_cast<double>(rng::binomial(s, 40, 0.1)));
      v.push_back(static_cast<double>(rng::poisson(s, 4.0)));
      v.push_back(static_cast<double>(rng::poisson(s, 400.0)));
      rng::multinomial(s, 100, probs, 3, out);
      v.push_back(static_cast<double>(out[0]));
      v.push_back(rng::normal(s));
      v.push_back(rng::gamma(s, 0.7, 1.0));
      v.push_back(rng::beta(s, 2.0, 3.0));
    }
    return v;
  };
  CHECK(run() == run());
}
