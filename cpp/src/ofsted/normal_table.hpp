#pragma once
// Internal: the standard normal CDF for the forward algorithm's kernels and emissions, a few ns
// each: cubic Hermite pieces (values and densities at the knots) every 1/64 on [-9, 9], so the
// error is below h^4 max|Phi''''| / 384 < 1e-10; outside, Phi is 0 or 1 to double precision.
#include <algorithm>
#include <cstddef>
#include <vector>

namespace admsim::quality::detail {

class NormalTable {
 public:
  static constexpr double kLow = -9.0, kHigh = 9.0, kKnotsPerUnit = 64.0;
  static constexpr auto kPieces = static_cast<std::size_t>((kHigh - kLow) * kKnotsPerUnit);

  // Loops hold a reference to it, so each evaluation is inlined with no initialisation check.
  static const NormalTable& get();

  double operator()(double x) const noexcept {
    if (!(x > kLow)) return 0.0;
    if (x >= kHigh) return 1.0;
    const double t = (x - kLow) * kKnotsPerUnit;
    const std::size_t i = std::min(static_cast<std::size_t>(t), kPieces - 1);
    const double f = t - double(i);
    const double* c = piece_[i].c;
    return c[0] + f * (c[1] + f * (c[2] + f * c[3]));
  }

  // y[k] = (*this)(x[k]) for k < count, bit for bit, 8 or 4 at a time where the CPU has AVX-512
  // or AVX2 (the same operations in the same order, so every machine gets the same numbers).
  void operator()(const double* x, double* y, std::size_t count) const noexcept;

  // The probability of the cell below each edge for N(mean, sd): cell[k] = F(edge[k]) -
  // F(edge[k - 1]), k < count, with F(e) = (*this)((e - mean) * inverse_sd) and F(edge[-1]) = 0;
  // returns F(edge[count - 1]) (0 if count is 0). The same numbers as evaluating F at each edge
  // and subtracting, vectorised as above with the arguments and differences kept in registers.
  double cells(const double* edge, double mean, double inverse_sd, double* cell, std::size_t count) const noexcept;

 private:
  NormalTable();
  // c0 + c1 f + c2 f^2 + c3 f^3, f in [0, 1); a whole piece is one aligned 32-byte load.
  struct alignas(32) Piece {
    double c[4];
  };
  std::vector<Piece> piece_;
  int width_ = 1;  // lanes of the vector path this CPU runs: 1 (none), 4 or 8
};

}  // namespace admsim::quality::detail
