#pragma once
// Streaming summaries whose memory does not grow with the number of replicates: sums for means
// and SDs, and fixed-range histograms for quantiles. Values are added in replicate order, so the
// result is the same for any thread count.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace admsim {

inline constexpr int kHistogramBins = 128;

// Many independent series that share one value range (e.g. one metric across models and months).
class HistogramSet {
 public:
  HistogramSet() = default;
  HistogramSet(std::size_t series, double lo, double hi);
  // NaN is skipped.
  void add(std::size_t series, double value) { add_strided(series, &value, 1, 1); }
  // add(series, values[i * stride]) for i < count, in that order, with the series' sums kept in
  // registers (one series at a time: its bins stay in cache). Inline: the summariser adds every
  // metric of every replicate-month.
  void add_strided(std::size_t series, const double* values, std::size_t stride, std::size_t count) {
    std::uint32_t* bins = &bins_[series * kHistogramBins];
    std::uint64_t n = count_[series];
    double sum = sum_[series], sum2 = sum2_[series], lo = min_[series], hi = max_[series];
    for (std::size_t i = 0; i < count; ++i) {
      const double value = values[i * stride];
      if (std::isnan(value)) continue;
      // Values beyond the range land in the edge bins; min and max are kept exactly, and
      // quantiles are bounded by them. !(pos > 0) also catches NaN (a zero or subnormal width):
      // never cast NaN to an index.
      const double pos = (value - lo_) / width_;
      const int bin = !(pos > 0) ? 0 : pos >= kHistogramBins ? kHistogramBins - 1 : static_cast<int>(pos);
      ++bins[bin];
      ++n;
      sum += value;
      sum2 += value * value;
      lo = std::min(lo, value);
      hi = std::max(hi, value);
    }
    count_[series] = n;
    sum_[series] = sum;
    sum2_[series] = sum2;
    min_[series] = lo;
    max_[series] = hi;
  }
  double quantile(std::size_t series, double q) const {
    double x;
    quantiles(series, &q, 1, &x);
    return x;
  }
  // out[i] = quantile(series, qs[i]) for ascending qs[0..k), in one pass over the bins.
  void quantiles(std::size_t series, const double* qs, std::size_t k, double* out) const;
  double mean(std::size_t series) const;
  double sd(std::size_t series) const;
  std::uint64_t count(std::size_t series) const { return count_[series]; }
  double lo() const { return lo_; }
  double hi() const { return hi_; }

 private:
  double lo_ = 0, hi_ = 1, width_ = 1;
  std::vector<std::uint32_t> bins_;
  std::vector<std::uint64_t> count_;
  std::vector<double> sum_, sum2_, min_, max_;
};

// Range for a histogram from a first sample: its span widened by half on each side. The second
// form takes the sample's smallest and largest values (+inf and -inf for none but NaN).
void padded_range(const std::vector<double>& sample, double& lo, double& hi);
void padded_range(double smallest, double largest, double& lo, double& hi);

}  // namespace admsim
