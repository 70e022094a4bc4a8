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
// `most` bounds the values any one series will take (a summary's replicates): up to 65,535 the
// bins are 16-bit, half the memory (a run's largest buffer) and half the cache they fill; more,
// 32-bit. A series given more values than `most` would wrap its bins' counts.
class HistogramSet {
 public:
  static constexpr std::uint64_t kNarrowMost = 0xFFFF, kMost = 0xFFFFFFFF;
  HistogramSet() = default;
  HistogramSet(std::size_t series, double lo, double hi, std::uint64_t most = kMost);
  // NaN is skipped.
  void add(std::size_t series, double value) { add_strided(series, &value, 1, 1); }
  // add(series, values[i * stride]) for i < count, in that order, with the series' sums kept in
  // registers (one series at a time: its bins stay in cache). Inline: the summariser adds every
  // metric of every replicate-month.
  void add_strided(std::size_t series, const double* values, std::size_t stride, std::size_t count) {
    if (narrow_) return add_strided(narrow_bins_.data(), series, values, stride, count);
    add_strided(wide_bins_.data(), series, values, stride, count);
  }
  // add_strided for kInterleaved consecutive series from `series` on, series + j taking
  // values[j * next + i * stride]: the same sums and counts as one call each, with the series'
  // chains interleaved (a series' values mostly fall in one or two bins, and each increment of a
  // bin waits on the one before it).
  static constexpr std::size_t kInterleaved = 4;
  void add_strided_interleaved(std::size_t series, const double* values, std::size_t next, std::size_t stride,
                               std::size_t count) {
    if (narrow_) return add_strided_interleaved(narrow_bins_.data(), series, values, next, stride, count);
    add_strided_interleaved(wide_bins_.data(), series, values, next, stride, count);
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
  // One series' running count, sums and bounds, in registers while its values are added.
  template <class Bin>
  struct Fold {
    Bin* bins;
    std::uint64_t n;
    double sum, sum2, lo, hi;
    void add(double value, double range_lo, double width) {
      if (std::isnan(value)) return;
      // Values beyond the range land in the edge bins; min and max are kept exactly, and
      // quantiles are bounded by them. !(pos > 0) also catches NaN (a zero or subnormal width):
      // never cast NaN to an index.
      const double pos = (value - range_lo) / width;
      const int bin = !(pos > 0) ? 0 : pos >= kHistogramBins ? kHistogramBins - 1 : static_cast<int>(pos);
      ++bins[bin];
      ++n;
      sum += value;
      sum2 += value * value;
      lo = std::min(lo, value);
      hi = std::max(hi, value);
    }
  };
  template <class Bin>
  void add_strided(Bin* bins, std::size_t series, const double* values, std::size_t stride, std::size_t count) {
    Fold<Bin> fold = begin(bins, series);
    for (std::size_t i = 0; i < count; ++i) fold.add(values[i * stride], lo_, width_);
    end(series, fold);
  }
  template <class Bin>
  void add_strided_interleaved(Bin* bins, std::size_t series, const double* values, std::size_t next,
                               std::size_t stride, std::size_t count) {
    Fold<Bin> folds[kInterleaved];
    for (std::size_t j = 0; j < kInterleaved; ++j) folds[j] = begin(bins, series + j);
    for (std::size_t i = 0; i < count; ++i) {
      for (std::size_t j = 0; j < kInterleaved; ++j) folds[j].add(values[j * next + i * stride], lo_, width_);
    }
    for (std::size_t j = 0; j < kInterleaved; ++j) end(series + j, folds[j]);
  }
  template <class Bin>
  Fold<Bin> begin(Bin* bins, std::size_t series) {
    return {bins + series * kHistogramBins, count_[series], sum_[series], sum2_[series], min_[series], max_[series]};
  }
  template <class Bin>
  void quantiles(const Bin* bins, std::size_t series, const double* qs, std::size_t k, double* out) const;
  template <class Bin>
  void end(std::size_t series, const Fold<Bin>& fold) {
    count_[series] = fold.n;
    sum_[series] = fold.sum;
    sum2_[series] = fold.sum2;
    min_[series] = fold.lo;
    max_[series] = fold.hi;
  }
  double lo_ = 0, hi_ = 1, width_ = 1;
  bool narrow_ = false;
  std::vector<std::uint16_t> narrow_bins_;  // the bins when narrow_, else wide_bins_
  std::vector<std::uint32_t> wide_bins_;
  std::vector<std::uint64_t> count_;
  std::vector<double> sum_, sum2_, min_, max_;
};

// Range for a histogram from a first sample: its span widened by half on each side. The second
// form takes the sample's smallest and largest values (+inf and -inf for none but NaN).
void padded_range(const std::vector<double>& sample, double& lo, double& hi);
void padded_range(double smallest, double largest, double& lo, double& hi);

}  // namespace admsim
