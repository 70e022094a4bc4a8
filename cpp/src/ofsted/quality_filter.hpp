#pragma once
// Internal: the forward algorithm over one council's graded history under one parameter set.
// v (the transient part of latent quality) lives on a grid of points whose cells have edges
// midway (outer edges +-inf); u (the persistent level) on Gauss-Hermite nodes, one filter per
// node, combined by log-sum-exp. Between inspections the exact k-month Gaussian kernel moves
// probability from each point to each cell; at an inspection the ordered-probit probability of
// the grade multiplies it, and the sum is scaled back to 1 with its log kept.
#include <array>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "admsim/quality_histories.hpp"

namespace admsim::quality::detail {

// Gauss-Hermite rule for the standard normal: E f(Z) ~ sum weight[j] f(node[j]).
struct Quadrature {
  std::vector<double> node, weight;
};
Quadrature gauss_hermite(int nodes);

// Everything about one parameter set that the filter needs, computed once per set; reset()
// moves it to another set, keeping its memory.
// P(grade | node, point), nodes x points x 4.
class Emissions {
 public:
  const double* at(std::size_t node, std::size_t point) const { return &p_[(node * points_ + point) * kGradeCount]; }

 private:
  friend class Discretisation;
  std::size_t points_ = 0;
  std::vector<double> p_;
};

class Discretisation {
 public:
  Discretisation(const FilterSettings& settings, const Quadrature& standard);
  void reset(const Parameters& parameters);
  const Parameters& p() const { return *p_; }
  std::size_t points() const { return points_; }
  // P(grade | q = u + v) at each node and point under a regime's cut-points after they have
  // fallen by `drift`, from the reading's CDF at the cuts; built on first use for this set.
  const Emissions& emissions(int regime, double drift);

  std::vector<double> v;                  // grid points
  std::vector<double> edge;               // points - 1 interior cell edges
  std::vector<double> stationary;         // P(each cell) under v's stationary N(0, 1 - rho)
  std::vector<double> u, log_weight;      // persistent-level nodes

 private:
  const Parameters* p_ = nullptr;
  std::size_t points_;
  const Quadrature& standard_;
  std::map<std::pair<int, double>, Emissions> emissions_;  // by (regime, drift)
};

// Mean of v after months (from, to] given v = 0 at `from`: sum_t kappa phi^(to - t) x_t, with x_t
// from the council's covariates and its latest grade (constant between inspections).
double summed_shift(const Parameters& p, const CouncilHistories& h, std::size_t council, int from, int to,
                    int latest_grade);

// The k-month transition on the grid: row i holds the probability of each cell from point i,
// nonzero only in [first(i), last(i)) (the rest is 0), padded with zeros to a whole number of
// kBlock cells so that the product can read whole blocks of cells.
class Kernel {
 public:
  static constexpr std::size_t kBlock = 32;
  explicit Kernel(const Discretisation& d);
  void build(int months, double shift);
  const double* row(std::size_t i) const { return &p_[i * stride_]; }
  std::size_t first(std::size_t i) const { return first_[i]; }
  std::size_t last(std::size_t i) const { return last_[i]; }
  static std::size_t stride(std::size_t points) { return (points + kBlock - 1) / kBlock * kBlock; }

 private:
  const Discretisation& d_;
  std::size_t n_, stride_;
  std::vector<double> p_;
  std::vector<std::size_t> first_, last_;
};

// Kernels by (months, shift), built once per parameter set: councils with the same gap and the
// same covariates (most have none) share one. Beyond `bytes` of kernels, each is rebuilt in a
// scratch kernel. clear() starts a new set, keeping the memory.
class KernelCache {
 public:
  explicit KernelCache(const Discretisation& d, std::size_t bytes = std::size_t(8) << 20);
  void clear();
  const Kernel& get(int months, double shift);  // valid until the next get

 private:
  const Discretisation& d_;
  std::size_t capacity_, used_ = 0;
  std::vector<std::unique_ptr<Kernel>> pool_;  // [0, used_) are in the index
  std::map<std::pair<int, double>, const Kernel*> index_;
  Kernel scratch_;
};

class Filter {
 public:
  explicit Filter(const Discretisation& d);
  void start();                            // v at its stationary N(0, 1 - rho), for d's set
  void propagate(const Kernel& k);
  void observe(int grade, const Emissions& e);  // an inspection's grade
  double log_likelihood() const;           // of all grades observed since start()
  // Probability of each grade at an inspection after the kernel's months (nothing is changed).
  std::array<double, kGradeCount> predict(const Kernel& k, const Emissions& e) const;

 private:
  const Discretisation& d_;
  std::size_t n_, nodes_ = 0;
  std::vector<double> alpha_, scratch_;  // nodes x grid: filtered probability of each point
  std::vector<double> log_evidence_;     // per node
};

}  // namespace admsim::quality::detail
