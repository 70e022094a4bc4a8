#include "admsim/summary.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

namespace admsim {

HistogramSet::HistogramSet(std::size_t series, double lo, double hi, std::uint64_t most)
    : lo_(lo), hi_(hi), width_((hi - lo) / kHistogramBins), narrow_(most <= kNarrowMost),
      narrow_bins_(narrow_ ? series * kHistogramBins : 0, 0), wide_bins_(narrow_ ? 0 : series * kHistogramBins, 0),
      count_(series, 0), sum_(series, 0.0), sum2_(series, 0.0),
      min_(series, std::numeric_limits<double>::infinity()),
      max_(series, -std::numeric_limits<double>::infinity()) {}

double HistogramSet::mean(std::size_t series) const {
  return count_[series] ? sum_[series] / double(count_[series]) : std::nan("");
}

double HistogramSet::sd(std::size_t series) const {
  const double n = double(count_[series]);
  if (n < 2) return std::nan("");
  const double m = sum_[series] / n;
  return std::sqrt(std::max(0.0, (sum2_[series] - n * m * m) / (n - 1)));
}

void HistogramSet::quantiles(std::size_t series, const double* qs, std::size_t k, double* out) const {
  if (narrow_) return quantiles(narrow_bins_.data(), series, qs, k, out);
  quantiles(wide_bins_.data(), series, qs, k, out);
}

template <class Bin>
void HistogramSet::quantiles(const Bin* all_bins, std::size_t series, const double* qs, std::size_t k,
                             double* out) const {
  assert(std::is_sorted(qs, qs + k));
  const std::uint64_t n = count_[series];
  if (n == 0 || min_[series] == max_[series]) {
    std::fill(out, out + k, n == 0 ? std::nan("") : min_[series]);
    return;
  }
  if (k == 0) return;
  std::size_t i = 0;  // the next quantile to find
  // The count so far as an integer, so that the scan's chain from bin to bin is an integer add,
  // not a double one; converted, it is the same whole number (exact below 2^53), so the same
  // quantiles. Bins that cannot hold the next quantile are passed with one compare.
  const Bin* bins = all_bins + series * kHistogramBins;
  std::uint64_t seen = 0;
  double next = qs[0] * double(n);  // the count the next quantile waits for
  for (int b = 0; b < kHistogramBins; ++b) {
    const std::uint64_t in_bin = bins[b];
    seen += in_bin;
    if (in_bin == 0 || double(seen) < next) continue;
    const double before = double(seen - in_bin), count = double(in_bin);
    for (; i < k && double(seen) >= qs[i] * double(n); ++i) {
      const double target = qs[i] * double(n);
      const double left = std::max(lo_ + b * width_, min_[series]);
      const double right = std::min(lo_ + (b + 1) * width_, max_[series]);
      const double x = left + (right - left) * std::clamp((target - before) / count, 0.0, 1.0);
      out[i] = std::clamp(x, min_[series], max_[series]);
    }
    if (i == k) break;
    next = qs[i] * double(n);
  }
  for (; i < k; ++i) out[i] = max_[series];
}

void padded_range(const std::vector<double>& sample, double& lo, double& hi) {
  double smallest = std::numeric_limits<double>::infinity(), largest = -smallest;
  for (double v : sample) {
    if (std::isnan(v)) continue;
    smallest = std::min(smallest, v);
    largest = std::max(largest, v);
  }
  padded_range(smallest, largest, lo, hi);
}

void padded_range(double smallest, double largest, double& lo, double& hi) {
  lo = smallest;
  hi = largest;
  if (!std::isfinite(lo)) { lo = 0; hi = 1; return; }
  const double span = hi - lo;
  // A span too small to pad (subnormal values) is padded as if the values were all equal.
  const double pad = span > 1e-300 ? 0.5 * span : std::max(1.0, std::abs(lo) * 0.5);
  lo -= pad;
  hi += pad;
}

}  // namespace admsim
