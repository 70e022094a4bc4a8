// ns per draw of admsim's binomial/Poisson samplers (Philox stream) against libstdc++'s
// std::binomial_distribution / std::poisson_distribution driven by std::mt19937_64.
// std is timed twice: a fresh distribution per draw (as in the engine, where parameters change every
// call) and one distribution reused (its best case). Means are printed so no work is optimised away.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <random>

#include "admsim/samplers.hpp"

namespace {

constexpr int kDraws = 2'000'000;

template <class F>
double time_ns(F&& draw, double& mean) {
  const auto t0 = std::chrono::steady_clock::now();
  double sum = 0.0;
  for (int i = 0; i < kDraws; ++i) sum += static_cast<double>(draw());
  const auto t1 = std::chrono::steady_clock::now();
  mean = sum / kDraws;
  return std::chrono::duration<double, std::nano>(t1 - t0).count() / kDraws;
}

void row(const char* name, double expect, double ns_a, double mean_a, double ns_s, double mean_s,
         double ns_r) {
  std::printf("%-22s %9.2f %9.2f %9.2f   %12.4f %12.4f %12.4f\n", name, ns_a, ns_s, ns_r, expect,
              mean_a, mean_s);
}

}  // namespace

int main() {
  namespace rng = admsim::rng;
  std::printf("%d draws per case\n", kDraws);
  std::printf("%-22s %9s %9s %9s   %12s %12s %12s\n", "case", "admsim", "std fresh",
              "std reuse", "exact mean", "admsim mean", "std mean");
  std::printf("%-22s %9s %9s %9s\n", "", "ns/draw", "ns/draw", "ns/draw");

  {
    rng::Stream s(1, 0, 0, 0);
    double m;
    const double ns = time_ns([&] { return s.uniform(); }, m);
    std::mt19937_64 g(1);
    std::uniform_real_distribution<double> d;
    double ms;
    const double nss = time_ns([&] { return d(g); }, ms);
    row("uniform", 0.5, ns, m, nss, ms, nss);
  }

  struct B { const char* name; uint64_t n; double p; };
  for (const B& c : {B{"binomial(50, 0.05)", 50, 0.05}, B{"binomial(200, 0.1)", 200, 0.1}, B{"binomial(500, 0.1)", 500, 0.1},
                     B{"binomial(1000, 0.1)", 1000, 0.1},
                     B{"binomial(5000, 0.3)", 5000, 0.3}}) {
    rng::Stream s(1, 0, 1, 0);
    std::mt19937_64 g(1);
    double ma, ms;
    const double na = time_ns([&] { return rng::binomial(s, c.n, c.p); }, ma);
    const double nstd = time_ns(
        [&] { return std::binomial_distribution<uint64_t>(c.n, c.p)(g); }, ms);
    std::binomial_distribution<uint64_t> d(c.n, c.p);
    double mr;
    const double nr = time_ns([&] { return d(g); }, mr);
    row(c.name, static_cast<double>(c.n) * c.p, na, ma, nstd, ms, nr);
  }

  struct P { const char* name; double mean; };
  for (const P& c : {P{"poisson(3)", 3.0}, P{"poisson(30)", 30.0}, P{"poisson(3000)", 3000.0}}) {
    rng::Stream s(1, 0, 2, 0);
    std::mt19937_64 g(1);
    double ma, ms;
    const double na = time_ns([&] { return rng::poisson(s, c.mean); }, ma);
    const double nstd = time_ns(
        [&] { return std::poisson_distribution<uint64_t>(c.mean)(g); }, ms);
    std::poisson_distribution<uint64_t> d(c.mean);
    double mr;
    const double nr = time_ns([&] { return d(g); }, mr);
    row(c.name, c.mean, na, ma, nstd, ms, nr);
  }
  return 0;
}
