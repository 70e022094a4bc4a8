// HistogramSet (admsim/summary.hpp): the streaming summaries' quantiles, read from the bins by
// linear interpolation within the bin and bounded by the exact minimum and maximum.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "admsim/summary.hpp"

TEST_CASE("histogram quantiles interpolate within their bin, across empty bins, bounded by min and max",
          "[summary]") {
  admsim::HistogramSet h(2, 0.0, 128.0);  // bins one unit wide
  for (int i = 0; i < 10; ++i) h.add(0, 0.5);  // bin 0
  for (int i = 0; i < 10; ++i) h.add(0, 64.5);  // bin 64, with 63 empty bins between
  const double qs[] = {0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0};
  double out[7];
  h.quantiles(0, qs, 7, out);
  CHECK(out[0] == 0.5);  // the minimum
  CHECK(out[1] == 0.55);  // 1 of bin 0's 10, from the minimum (0.5) to its edge
  CHECK(out[2] == 0.75);
  CHECK(out[3] == 1.0);  // a quantile on the last count of a bin stays in it
  // Bin 64 reaches only to the maximum, 64.5: 5 of its 10 are halfway there, 9 nine tenths.
  CHECK(out[4] == 64.25);
  CHECK(out[5] == 64.45);
  CHECK(out[6] == 64.5);  // the maximum
  CHECK(h.quantile(0, 0.5) == 1.0);
  CHECK(std::isnan(h.quantile(1, 0.5)));  // an empty series
  h.add(1, 3.25);
  CHECK(h.quantile(1, 0.95) == 3.25);  // one value: every quantile is it
  h.quantiles(0, qs, 0, out);  // none asked: nothing written
  CHECK(out[0] == 0.5);
}

namespace {
// Series [0, series) of a and b have the same quantiles, counts, means and SDs, bit for bit.
void check_same_summaries(const admsim::HistogramSet& a, const admsim::HistogramSet& b, std::size_t series) {
  const double qs[] = {0.0, 0.025, 0.05, 0.25, 0.5, 0.75, 0.95, 0.975, 1.0};
  for (std::size_t s = 0; s < series; ++s) {
    double qa[9], qb[9];
    a.quantiles(s, qs, 9, qa);
    b.quantiles(s, qs, 9, qb);
    for (int i = 0; i < 9; ++i) CHECK(qa[i] == qb[i]);
    CHECK(a.count(s) == b.count(s));
    CHECK(a.mean(s) == b.mean(s));
    CHECK(a.sd(s) == b.sd(s));
  }
}
}  // namespace

TEST_CASE("16-bit and 32-bit bins give the same summaries, up to 65,535 values a series", "[summary]") {
  // Mixed shapes (all in one bin, a spread, heavy tails, NaN), the largest narrow count in one bin.
  const std::size_t series = 4, values = admsim::HistogramSet::kNarrowMost;
  admsim::HistogramSet narrow(series, -10.0, 30.0, values), wide(series, -10.0, 30.0);
  std::vector<double> v(values);
  for (std::size_t s = 0; s < series; ++s) {
    for (std::size_t i = 0; i < values; ++i) {
      const double x = double(i) / double(values);
      v[i] = s == 0 ? 2.0 + 0.1 * x : s == 1 ? 40.0 * x - 10.0 : s == 2 ? std::tan(3.0 * x - 1.5) : (i % 7 ? x : std::nan(""));
    }
    narrow.add_strided(s, v.data(), 1, values);
    wide.add_strided(s, v.data(), 1, values);
  }
  check_same_summaries(narrow, wide, series);
  // All 65,535 of series 0 in one bin ([1.875, 2.1875)), counted whole: its median inside it.
  CHECK(narrow.quantile(0, 0.5) == Approx(2.05).margin(1e-4));
  CHECK(narrow.count(0) == values);
}

TEST_CASE("bins past 65,535 values a series are 32-bit, and interleaved folds count as single ones", "[summary]") {
  // One more value than 16 bits hold, all in one bin: with 16-bit bins it would wrap to 0.
  const std::size_t values = admsim::HistogramSet::kNarrowMost + 1;
  admsim::HistogramSet wide(1, 0.0, 128.0, values);
  std::vector<double> v(values);
  for (std::size_t i = 0; i < values; ++i) v[i] = 5.0 + 0.5 * double(i) / double(values);  // bin 5
  wide.add_strided(0, v.data(), 1, values);
  CHECK(wide.count(0) == values);
  CHECK(wide.quantile(0, 0.5) == Approx(5.25).margin(1e-4));
  // Four series interleaved (the summariser's form), 16-bit, against one call each.
  constexpr std::size_t together = admsim::HistogramSet::kInterleaved, n = 1000;
  admsim::HistogramSet a(together, -1.0, 1.0, n), b(together, -1.0, 1.0, n);
  std::vector<double> rows(together * n);  // row i holds the four series' i-th values
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = std::sin(0.37 * double(i)) * (i % 5 ? 1.0 : 3.0);
  a.add_strided_interleaved(0, rows.data(), 1, together, n);
  for (std::size_t j = 0; j < together; ++j) b.add_strided(j, rows.data() + j, together, n);
  check_same_summaries(a, b, together);
}
