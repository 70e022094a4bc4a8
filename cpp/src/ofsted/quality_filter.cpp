#include "ofsted/quality_filter.hpp"

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "admsim/samplers.hpp"
#include "ofsted/normal_table.hpp"
#include "random/simd.hpp"

namespace admsim::quality::detail {

Quadrature gauss_hermite(int nodes) {
  // Golub-Welsch: the nodes are the eigenvalues of the Jacobi matrix of the probabilists' Hermite
  // polynomials, the weights the squared first components of its eigenvectors.
  const auto n = static_cast<Eigen::Index>(nodes);
  Eigen::MatrixXd jacobi = Eigen::MatrixXd::Zero(n, n);
  for (Eigen::Index k = 1; k < n; ++k) jacobi(k, k - 1) = jacobi(k - 1, k) = std::sqrt(double(k));
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(jacobi);
  Quadrature q;
  for (Eigen::Index j = 0; j < n; ++j) {
    q.node.push_back(eigen.eigenvalues()(j));
    q.weight.push_back(eigen.eigenvectors()(0, j) * eigen.eigenvectors()(0, j));
  }
  return q;
}

Discretisation::Discretisation(const FilterSettings& settings, const Quadrature& standard)
    : points_(static_cast<std::size_t>(settings.grid)), standard_(standard) {}

void Discretisation::reset(const Parameters& parameters) {
  p_ = &parameters;
  const double half = 5.0 * p_->transient_sd;
  v.resize(points_);
  edge.resize(points_ - 1);
  for (std::size_t i = 0; i < points_; ++i) v[i] = -half + 2.0 * half * double(i) / double(points_ - 1);
  for (std::size_t i = 0; i + 1 < points_; ++i) edge[i] = 0.5 * (v[i] + v[i + 1]);
  // Once per set, not per council: every filter starts here.
  stationary.resize(points_);
  double below = 0.0;
  for (std::size_t i = 0; i < points_; ++i) {
    const double cdf = i + 1 < points_ ? rng::normal_cdf(edge[i] / p_->transient_sd) : 1.0;
    stationary[i] = cdf - below;
    below = cdf;
  }
  u.clear();
  log_weight.clear();
  if (p_->persistent_share == 0.0) {
    u.push_back(0.0);
    log_weight.push_back(0.0);
  } else {
    const double sd = std::sqrt(p_->persistent_share);
    for (std::size_t j = 0; j < standard_.node.size(); ++j) {
      u.push_back(sd * standard_.node[j]);
      log_weight.push_back(std::log(standard_.weight[j]));
    }
  }
  emissions_.clear();
}

const Emissions& Discretisation::emissions(int regime, double drift) {
  auto [it, fresh] = emissions_.try_emplace({regime, regime == kSif ? 0.0 : drift});
  Emissions& e = it->second;
  if (!fresh) return e;
  const Cuts cut = p_->cuts(regime, drift);
  const NormalTable& cdf = NormalTable::get();
  // P(reading <= cut k) at every point of each node, a row of points at a time.
  std::vector<double> x(points_);
  std::array<std::vector<double>, 3> below;
  for (auto& b : below) b.resize(points_);
  e.points_ = points_;
  e.p_.reserve(u.size() * points_ * kGradeCount);
  for (double level : u) {
    for (std::size_t k = 0; k < cut.size(); ++k) {
      for (std::size_t i = 0; i < points_; ++i) x[i] = (cut[k] - level - v[i]) / p_->noise_sd;
      cdf(x.data(), below[k].data(), points_);
    }
    for (std::size_t i = 0; i < points_; ++i) {
      double above = 1.0;  // P(reading <= +inf)
      for (std::size_t k = 0; k < cut.size(); ++k) {
        e.p_.push_back(above - below[k][i]);
        above = below[k][i];
      }
      e.p_.push_back(above);
    }
  }
  return e;
}

double summed_shift(const Parameters& p, const CouncilHistories& h, std::size_t council, int from, int to,
                    int latest_grade) {
  double mean = 0.0;
  for (int t = from + 1; t <= to; ++t) {
    mean = p.reversion.phi * mean +
           p.reversion.pace * p.shift(h.live_at(council, t), h.stress_at(council, t), latest_grade,
                                      t >= h.ilacs_start_month);
  }
  return mean;
}

namespace {
std::size_t clamp_index(double x, std::size_t n) {
  return x <= 0.0 ? 0 : x >= double(n - 1) ? n - 1 : static_cast<std::size_t>(x);
}
}  // namespace

Kernel::Kernel(const Discretisation& d)
    : d_(d), n_(d.points()), stride_(stride(n_)), p_(n_ * stride_, 0.0), first_(n_), last_(n_) {}

void Kernel::build(int months, double shift) {
  const double decay = std::pow(d_.p().reversion.phi, months);
  const double sd = d_.p().transient_sd * std::sqrt(1.0 - decay * decay);
  const double spacing = d_.v[1] - d_.v[0], inverse_sd = 1.0 / sd;
  const NormalTable& cdf = NormalTable::get();
  const double reach = (NormalTable::kHigh + 1.0) * sd;  // beyond it the CDF is exactly 0 or 1
  for (std::size_t i = 0; i < n_; ++i) {
    const double mean = decay * d_.v[i] + shift;
    // Only edges within reach of the mean need the CDF; the rest are 0 below and 1 above.
    const double lo = std::floor((mean - reach - d_.edge[0]) / spacing);
    const double hi = std::ceil((mean + reach - d_.edge[0]) / spacing);
    const std::size_t a = clamp_index(lo, n_), b = clamp_index(hi, n_);
    // Cells a..b: from the CDF at their upper edges (the last cell's is +inf).
    double* row = &p_[i * stride_];
    const std::size_t edges = std::min(b + 1, n_ - 1) - std::min(a, n_ - 1);
    const double top = cdf.cells(d_.edge.data() + a, mean, inverse_sd, row + a, edges);
    if (b + 1 == n_) row[b] = 1.0 - top;
    first_[i] = a;
    last_[i] = b + 1;
  }
  // The nonzero band of each row, once all are written (reading a row just stored by the
  // vector code stalls), and zeros outside it (what was there is another kernel's, or a cell
  // <= 0 at the ends of [a, b]).
  for (std::size_t i = 0; i < n_; ++i) {
    double* row = &p_[i * stride_];
    std::size_t first = first_[i], last = last_[i];
    while (first < last && !(row[first] > 0.0)) ++first;
    while (last > first && !(row[last - 1] > 0.0)) --last;
    std::fill(row, row + first, 0.0);
    std::fill(row + last, row + n_, 0.0);
    first_[i] = first < last ? first : n_;
    last_[i] = first < last ? last : 0;
  }
}

KernelCache::KernelCache(const Discretisation& d, std::size_t bytes)
    : d_(d), capacity_(bytes / (sizeof(double) * d.points() * Kernel::stride(d.points()))), scratch_(d) {}

void KernelCache::clear() {
  index_.clear();
  used_ = 0;
}

const Kernel& KernelCache::get(int months, double shift) {
  const auto key = std::make_pair(months, shift);
  if (const auto it = index_.find(key); it != index_.end()) return *it->second;
  Kernel* k = &scratch_;
  if (used_ < capacity_) {
    if (used_ == pool_.size()) pool_.push_back(std::make_unique<Kernel>(d_));
    k = pool_[used_++].get();
    index_.emplace(key, k);
  }
  k->build(months, shift);
  return *k;
}

Filter::Filter(const Discretisation& d) : d_(d), n_(d.points()) {}

void Filter::start() {
  nodes_ = d_.u.size();
  alpha_.resize(nodes_ * n_);
  scratch_.resize(nodes_ * n_);
  log_evidence_.assign(nodes_, 0.0);
  for (std::size_t j = 0; j < nodes_; ++j) std::copy(d_.stationary.begin(), d_.stationary.end(), &alpha_[j * n_]);
}

namespace {
// out[node][cell] = sum_i in[node][i] k(i, cell), over each row's nonzero band, in row order.
void apply_rows(const Kernel& k, const double* in, double* out, std::size_t n, std::size_t nodes) {
  std::fill(out, out + nodes * n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const double* row = k.row(i);
    const std::size_t first = k.first(i), last = k.last(i);
    for (std::size_t j = 0; j < nodes; ++j) {
      const double a = in[j * n + i];
      if (a == 0.0) continue;
      double* o = &out[j * n];
      for (std::size_t c = first; c < last; ++c) o[c] += a * row[c];
    }
  }
}

#ifdef ADMSIM_X86_VECTORS
// W doubles in a vector register (GCC/Clang vector extensions, which the compiler maps to the
// caller's target; plain arrays here got scalar code or sums spilled to memory).
template <std::size_t W>
struct LanesOf {
  typedef double type __attribute__((vector_size(W * sizeof(double))));
};
template <std::size_t W>
using Lanes = typename LanesOf<W>::type;

// An unaligned load from a kernel row, one overload per width: GCC drops aligned() from a vector
// type that depends on a template parameter (and then loads as if aligned).
[[gnu::always_inline]] inline void load(Lanes<4>& v, const double* p) {
  typedef double Unaligned __attribute__((vector_size(32), aligned(8), may_alias));
  v = *reinterpret_cast<const Unaligned*>(p);
}
[[gnu::always_inline]] inline void load(Lanes<8>& v, const double* p) {
  typedef double Unaligned __attribute__((vector_size(64), aligned(8), may_alias));
  v = *reinterpret_cast<const Unaligned*>(p);
}

// The same sums, for a block of J nodes x V vectors of W cells held in registers while i runs
// over the rows whose band reaches the block. Each sum takes the same terms in the same order
// plus some zeros (cells outside a band, nodes with no mass), which change nothing: no partial
// sum is -0.
template <std::size_t W, std::size_t J, std::size_t V>
[[gnu::always_inline]] inline void apply_block(const Kernel& k, const double* in, double* out, std::size_t n,
                                               std::size_t node, std::size_t cell) {
  Lanes<W> sum[J][V] = {};
  for (std::size_t i = 0; i < n; ++i) {
    if (k.last(i) <= cell || k.first(i) >= cell + V * W) continue;
    Lanes<W> row[V];
    for (std::size_t v = 0; v < V; ++v) load(row[v], k.row(i) + cell + v * W);  // inside the padded row
    for (std::size_t j = 0; j < J; ++j) {
      const double a = in[(node + j) * n + i];
      for (std::size_t v = 0; v < V; ++v) sum[j][v] += a * row[v];
    }
  }
  const std::size_t cells = std::min(V * W, n - cell);
  for (std::size_t j = 0; j < J; ++j) {
    double block[V * W];
    std::memcpy(block, sum[j], sizeof(block));
    std::copy(block, block + cells, &out[(node + j) * n + cell]);
  }
}

// Nodes four at a time in blocks of V4 vectors, a remaining 2 or 3 likewise, a single one (all
// there is when rho = 0) in blocks of V1: sizes that keep the sums in registers, measured best
// for each vector unit.
template <std::size_t W, std::size_t V4, std::size_t V1>
[[gnu::always_inline]] inline void apply_blocks(const Kernel& k, const double* in, double* out, std::size_t n,
                                                std::size_t nodes) {
  static_assert(Kernel::kBlock % (V4 * W) == 0 && Kernel::kBlock % (V1 * W) == 0, "blocks must tile the rows");
  std::size_t node = 0;
  for (; node + 4 <= nodes; node += 4)
    for (std::size_t cell = 0; cell < n; cell += V4 * W) apply_block<W, 4, V4>(k, in, out, n, node, cell);
  for (std::size_t cell = 0; cell < n; cell += V4 * W) {
    if (nodes - node == 3) apply_block<W, 3, V4>(k, in, out, n, node, cell);
    if (nodes - node == 2) apply_block<W, 2, V4>(k, in, out, n, node, cell);
  }
  if (nodes - node == 1)
    for (std::size_t cell = 0; cell < n; cell += V1 * W) apply_block<W, 1, V1>(k, in, out, n, node, cell);
}

ADMSIM_TARGET_AVX512 void apply_avx512(const Kernel& k, const double* in, double* out, std::size_t n,
                                       std::size_t nodes) {
  apply_blocks<8, 4, 4>(k, in, out, n, nodes);
}
ADMSIM_TARGET_AVX2 void apply_avx2(const Kernel& k, const double* in, double* out, std::size_t n,
                                   std::size_t nodes) {
  apply_blocks<4, 2, 8>(k, in, out, n, nodes);
}
#endif

void apply(const Kernel& k, const std::vector<double>& in, std::vector<double>& out, std::size_t n,
           std::size_t nodes) {
#ifdef ADMSIM_X86_VECTORS
  if (simd::vector_width() == 8) return apply_avx512(k, in.data(), out.data(), n, nodes);
  if (simd::vector_width() == 4) return apply_avx2(k, in.data(), out.data(), n, nodes);
#endif
  apply_rows(k, in.data(), out.data(), n, nodes);
}
}  // namespace

void Filter::propagate(const Kernel& k) {
  apply(k, alpha_, scratch_, n_, nodes_);
  alpha_.swap(scratch_);
}

void Filter::observe(int grade, const Emissions& e) {
  const auto g = static_cast<std::size_t>(grade);
  for (std::size_t j = 0; j < nodes_; ++j) {
    double* a = &alpha_[j * n_];
    double sum = 0.0;
    for (std::size_t i = 0; i < n_; ++i) {
      a[i] *= e.at(j, i)[g];
      sum += a[i];
    }
    if (sum > 0.0) {
      const double scale = 1.0 / sum;
      for (std::size_t i = 0; i < n_; ++i) a[i] *= scale;
      log_evidence_[j] += std::log(sum);
    } else {
      log_evidence_[j] = -std::numeric_limits<double>::infinity();  // alpha stays 0: no NaN
    }
  }
}

namespace {
// Posterior weight of each node, exp(log w + log evidence) normalised, and the log of the total.
double node_weights(const std::vector<double>& log_weight, const std::vector<double>& log_evidence,
                    std::vector<double>* weights) {
  double top = -std::numeric_limits<double>::infinity();
  for (std::size_t j = 0; j < log_weight.size(); ++j) top = std::max(top, log_weight[j] + log_evidence[j]);
  if (top == -std::numeric_limits<double>::infinity()) return top;
  double sum = 0.0;
  for (std::size_t j = 0; j < log_weight.size(); ++j) {
    const double w = std::exp(log_weight[j] + log_evidence[j] - top);
    if (weights) (*weights)[j] = w;
    sum += w;
  }
  if (weights) for (double& w : *weights) w /= sum;
  return top + std::log(sum);
}
}  // namespace

double Filter::log_likelihood() const { return node_weights(d_.log_weight, log_evidence_, nullptr); }

std::array<double, kGradeCount> Filter::predict(const Kernel& k, const Emissions& emissions) const {
  std::vector<double> weights(nodes_, 0.0), ahead(nodes_ * n_);
  node_weights(d_.log_weight, log_evidence_, &weights);
  apply(k, alpha_, ahead, n_, nodes_);
  std::array<double, kGradeCount> p{};
  for (std::size_t j = 0; j < nodes_; ++j) {
    if (weights[j] == 0.0) continue;
    for (std::size_t i = 0; i < n_; ++i) {
      const double mass = weights[j] * ahead[j * n_ + i];
      if (mass == 0.0) continue;
      const double* e = emissions.at(j, i);
      for (std::size_t g = 0; g < kGradeCount; ++g) p[g] += mass * e[g];
    }
  }
  return p;
}

}  // namespace admsim::quality::detail
