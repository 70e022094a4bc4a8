#pragma once
// Streaming summaries whose memory does not grow with the number of replicates: sums for means
// and SDs, and fixed-range histograms for quantiles. Values are added in replicate order, so the
// result is the same for any thread count.
#include <cstdint>
#include <vector>

namespace admsim {

inline constexpr int kHistogramBins = 128;

// Many independent series that share one value range (e.g. one metric across models and months).
class HistogramSet {
 public:
  HistogramSet() = default;
  HistogramSet(std::size_t series, double lo, double hi);
  void add(std::size_t series, double value);   // NaN is skipped
  double quantile(std::size_t series, double q) const;
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

// Range for a histogram from a first sample: its span widened by half on each side.
void padded_range(const std::vector<double>& sample, double& lo, double& hi);

}  // namespace admsim
