// Validation of council histories and parameter matrices: every error names the field and index.
#include "admsim/quality_histories.hpp"

#include <cmath>
#include <string>

#include "admsim/json_reader.hpp"

namespace admsim::quality {

namespace {
std::string field(const char* name) { return std::string("histories['") + name + "']"; }

std::string at(const char* name, std::size_t i) { return field(name) + "[" + std::to_string(i) + "]"; }

[[noreturn]] void fail(const std::string& pointer, const std::string& problem, const std::string& got,
                       const std::string& allowed) {
  throw ValidationError(pointer, problem, got, allowed);
}

void expect_size(const char* name, std::size_t got, std::size_t want, const std::string& why) {
  if (got != want) {
    fail(field(name), "wrong length", std::to_string(got) + " values", std::to_string(want) + " (" + why + ")");
  }
}
}  // namespace

void validate(const CouncilHistories& h) {
  const std::size_t C = h.councils, M = h.months;
  if (M == 0) fail(field("adm_live"), "no months", "0 columns", "at least one month (column)");
  expect_size("offsets", h.offsets.size(), C + 1, "councils + 1");
  if (h.offsets[0] != 0) fail(at("offsets", 0), "CSR offsets must start at 0", std::to_string(h.offsets[0]), "0");
  for (std::size_t c = 0; c < C; ++c) {
    if (h.offsets[c + 1] < h.offsets[c]) {
      fail(at("offsets", c + 1), "offsets decrease", std::to_string(h.offsets[c + 1]),
           "a value >= offsets[" + std::to_string(c) + "] = " + std::to_string(h.offsets[c]));
    }
  }
  const std::size_t n = h.month.size();
  if (static_cast<std::size_t>(h.offsets[C]) != n) {
    fail(at("offsets", C), "last offset is not the number of inspections", std::to_string(h.offsets[C]),
         std::to_string(n) + " (the length of histories['month'])");
  }
  expect_size("grade", h.grade.size(), n, "one per inspection, as histories['month']");
  expect_size("framework", h.framework.size(), n, "one per inspection, as histories['month']");
  expect_size("adm_live", h.adm_live.size(), C * M, "councils x months");
  expect_size("stress", h.stress.size(), C * M, "councils x months");
  const std::string window = "[" + std::to_string(h.first_month) + ", " +
                             std::to_string(h.first_month + static_cast<long>(M)) +
                             ") (first_month to first_month + months)";
  for (std::size_t c = 0; c < C; ++c) {
    for (auto i = static_cast<std::size_t>(h.offsets[c]); i < static_cast<std::size_t>(h.offsets[c + 1]); ++i) {
      if (!h.covers(h.month[i])) fail(at("month", i), "inspection month outside the histories' months",
                                      std::to_string(h.month[i]), "a month in " + window);
      if (i > static_cast<std::size_t>(h.offsets[c]) && h.month[i] < h.month[i - 1]) {
        fail(at("month", i), "inspection months out of order within council " + std::to_string(c),
             std::to_string(h.month[i]), "a month >= " + std::to_string(h.month[i - 1]));
      }
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (h.grade[i] < 0 || h.grade[i] >= kGradeCount) {
      fail(at("grade", i), "not a grade", std::to_string(h.grade[i]), "grades are 0 (Outstanding) to 3 (Inadequate)");
    }
    if (h.framework[i] < 0 || h.framework[i] >= kRegimeCount) {
      fail(at("framework", i), "not a grading regime", std::to_string(h.framework[i]),
           "0 (SIF), 1 (ILACS standard) or 2 (ILACS short)");
    }
  }
  for (std::size_t i = 0; i < C * M; ++i) {
    auto cell = [&](const char* name) {
      return field(name) + "[" + std::to_string(i / M) + ", " + std::to_string(i % M) + "]";
    };
    if (h.adm_live[i] != 0.0 && h.adm_live[i] != 1.0) {
      fail(cell("adm_live"), "not 0 or 1", std::to_string(h.adm_live[i]),
           "1 in months a delivery model runs the service, else 0");
    }
    if (!std::isfinite(h.stress[i])) fail(cell("stress"), "not finite", std::to_string(h.stress[i]), "a finite number");
  }
}

void check(const Schedule& s, const std::string& name) {
  for (std::size_t g = 0; g < kGradeCount; ++g) {
    const double m = s.median_months[g];
    if (!(m >= 1.0 && m <= 1200.0)) {
      fail(name + ".median_months[" + std::to_string(g) + "]", "median gap out of range", std::to_string(m),
           "months in [1, 1200]");
    }
  }
  if (!(s.shape >= 0.1 && s.shape <= 1e6)) {
    fail(name + ".shape", "log-logistic shape out of range", std::to_string(s.shape), "a number in [0.1, 1e6]");
  }
}

void check(const InspectionCalendar& c) {
  if (c.pause_end_month < c.pause_start_month) {
    fail("pause_end_month", "pause ends before it starts", std::to_string(c.pause_end_month),
         "a month >= pause_start_month = " + std::to_string(c.pause_start_month));
  }
}

Horizons next_inspection_horizons(const CouncilHistories& h, int as_of_month, const std::array<Schedule, 2>& schedule,
                                  const InspectionCalendar& calendar, int max_months) {
  validate(h);
  check(schedule[0], "schedule[0]");
  check(schedule[1], "schedule[1]");
  check(calendar);
  if (max_months < 1 || max_months > 1200) {
    fail("max_months", "out of range", std::to_string(max_months), "an integer in [1, 1200]");
  }
  const int ps = calendar.pause_start_month, pe = calendar.pause_end_month;
  Horizons z;
  z.as_of_month = as_of_month;
  z.offsets.push_back(0);
  for (std::size_t c = 0; c < h.councils; ++c) {
    const auto a = static_cast<std::size_t>(h.offsets[c]), b = static_cast<std::size_t>(h.offsets[c + 1]);
    if (a == b) {  // never inspected: next month
      z.months.push_back(1);
      z.weights.push_back(1.0);
    } else {
      const int last = h.month[b - 1], grade = h.grade[b - 1];
      if (last > as_of_month) {
        fail(at("month", b - 1), "inspection after as_of_month", std::to_string(last),
             "a month <= " + std::to_string(as_of_month));
      }
      const Schedule& s = schedule[h.framework[b - 1] == kSif ? 0 : 1];
      const int waited = clock_months(last, as_of_month, ps, pe);
      double total = 0.0;
      for (int clock = waited + 1;; ++clock) {
        const int ahead = calendar_month(last, clock, ps, pe) - as_of_month;
        if (ahead > max_months) break;
        const double w = s.month_probability(grade, clock, waited);
        if (w > 0.0) {
          z.months.push_back(ahead);
          z.weights.push_back(w);
          total += w;
        }
      }
      if (z.months.size() == static_cast<std::size_t>(z.offsets.back())) {  // all beyond max_months
        z.months.push_back(max_months);
        z.weights.push_back(1.0);
      } else {
        z.weights.back() += std::max(0.0, 1.0 - total);  // the tail beyond max_months
      }
    }
    z.offsets.push_back(static_cast<std::int32_t>(z.months.size()));
  }
  return z;
}

std::vector<Parameters> parse_parameter_rows(const std::vector<double>& values, std::size_t rows) {
  if (values.size() != rows * kColumnCount) {
    fail("parameters", "wrong shape", std::to_string(values.size()) + " values for " + std::to_string(rows) + " rows",
         "an S x " + std::to_string(kColumnCount) + " array (columns as QUALITY_PARAMETERS)");
  }
  std::vector<Parameters> sets;
  sets.reserve(rows);
  for (std::size_t r = 0; r < rows; ++r) sets.push_back(parse_parameters(&values[r * kColumnCount], r));
  return sets;
}

}  // namespace admsim::quality
