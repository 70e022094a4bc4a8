// The quality model fitted to Ofsted histories: log-likelihood, next-grade forecasts and simulated
// histories, batched over parameter sets (rows in QUALITY_PARAMETERS order), GIL released.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdint>
#include <optional>
#include <string>

#include "admsim/json_reader.hpp"
#include "admsim/quality_histories.hpp"
#include "admsim/quality_model.hpp"
#include "run_support.hpp"

namespace py = pybind11;
namespace q = admsim::quality;

namespace {
std::string shape_text(const py::array& a) {
  std::string s = "(";
  for (py::ssize_t d = 0; d < a.ndim(); ++d) s += (d ? ", " : "") + std::to_string(a.shape(d));
  return s + (a.ndim() == 1 ? ",)" : ")");
}

void expect_ndim(const py::array& a, py::ssize_t ndim, const std::string& name, const std::string& allowed) {
  if (a.ndim() != ndim) throw admsim::ValidationError(name, "wrong shape", shape_text(a), allowed);
}

// Integers only: a float array would be truncated silently. Values must fit int32.
std::vector<std::int32_t> int_array(const py::handle& obj, const std::string& name) {
  const auto any = py::array::ensure(obj);
  if (!any || std::string("iub").find(any.dtype().kind()) == std::string::npos) {
    throw admsim::ValidationError(name, "not an integer array",
                                  any ? std::string(py::str(any.dtype())) : std::string(py::str(py::type::of(obj))),
                                  "a 1-d array of integers");
  }
  expect_ndim(any, 1, name, "a 1-d array of integers");
  const auto wide = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(any);
  std::vector<std::int32_t> out(static_cast<std::size_t>(wide.size()));
  for (std::size_t i = 0; i < out.size(); ++i) {
    const std::int64_t v = wide.data()[i];
    if (v < INT32_MIN || v > INT32_MAX) {
      throw admsim::ValidationError(name + "[" + std::to_string(i) + "]", "does not fit in 32 bits",
                                    std::to_string(v), "an integer in [-2^31, 2^31)");
    }
    out[i] = static_cast<std::int32_t>(v);
  }
  return out;
}

py::array_t<double, py::array::c_style | py::array::forcecast> double_array(const py::handle& obj,
                                                                           const std::string& name) {
  auto a = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(obj);
  if (!a) {
    throw admsim::ValidationError(name, "not a numeric array", std::string(py::str(py::type::of(obj))),
                                  "an array of numbers");
  }
  return a;
}

q::CouncilHistories histories_from(const py::dict& d) {
  auto get = [&](const char* key) -> py::handle {
    if (!d.contains(key)) {
      throw admsim::ValidationError(std::string("histories['") + key + "']", "missing", "no such key",
                                    "a dict with first_month, ilacs_start_month, drift_end_month, offsets, month, grade, "
                                    "framework, adm_live, stress");
    }
    return d[key];
  };
  auto name = [](const char* key) { return std::string("histories['") + key + "']"; };
  q::CouncilHistories h;
  h.first_month = py::cast<int>(get("first_month"));
  h.ilacs_start_month = py::cast<int>(get("ilacs_start_month"));
  h.drift_end_month = py::cast<int>(get("drift_end_month"));
  h.offsets = int_array(get("offsets"), name("offsets"));
  h.month = int_array(get("month"), name("month"));
  h.grade = int_array(get("grade"), name("grade"));
  h.framework = int_array(get("framework"), name("framework"));
  h.councils = h.offsets.empty() ? 0 : h.offsets.size() - 1;
  for (const char* key : {"adm_live", "stress"}) {
    const auto a = double_array(get(key), name(key));
    expect_ndim(a, 2, name(key), "a councils x months array");
    if (std::string(key) == "adm_live") h.months = static_cast<std::size_t>(a.shape(1));
    if (static_cast<std::size_t>(a.shape(0)) != h.councils || static_cast<std::size_t>(a.shape(1)) != h.months) {
      throw admsim::ValidationError(name(key), "wrong shape", shape_text(a),
                                    "(" + std::to_string(h.councils) +
                                        ", months): one row per council (len(offsets) - 1)");
    }
    (std::string(key) == "adm_live" ? h.adm_live : h.stress).assign(a.data(), a.data() + a.size());
  }
  // Optional sizes, when given, must agree with the arrays.
  for (const auto& [key, size] : {std::pair{"months", h.months}, std::pair{"councils", h.councils}}) {
    if (d.contains(key) && py::cast<std::size_t>(d[key]) != size) {
      throw admsim::ValidationError(name(key), "disagrees with the arrays", std::string(py::str(d[key])),
                                    std::to_string(size));
    }
  }
  return h;
}

std::vector<q::Parameters> parameters_from(const py::handle& obj) {
  const auto a = double_array(obj, "parameters");
  if (a.ndim() != 2 || a.shape(1) != static_cast<py::ssize_t>(q::kColumnCount)) {
    throw admsim::ValidationError("parameters", "wrong shape", shape_text(a),
                                  "an S x " + std::to_string(q::kColumnCount) +
                                      " array, columns as QUALITY_PARAMETERS");
  }
  return q::parse_parameter_rows(std::vector<double>(a.data(), a.data() + a.size()),
                                 static_cast<std::size_t>(a.shape(0)));
}

// The schedule after a SIF grade and after an ILACS grade: a 2 x 5 array, each row the median
// gaps (months) after grades 0..3 and the log-logistic shape.
std::array<q::Schedule, 2> schedules_from(const py::handle& obj) {
  const auto a = double_array(obj, "schedule");
  if (a.ndim() != 2 || a.shape(0) != 2 || a.shape(1) != q::kGradeCount + 1) {
    throw admsim::ValidationError("schedule", "wrong shape", shape_text(a),
                                  "a 2 x 5 array: rows after a SIF and after an ILACS grade; median months "
                                  "after grades 0..3, then the log-logistic shape");
  }
  std::array<q::Schedule, 2> out;
  for (std::size_t e = 0; e < 2; ++e) {
    for (std::size_t g = 0; g < q::kGradeCount; ++g) out[e].median_months[g] = a.data()[e * 5 + g];
    out[e].shape = a.data()[e * 5 + 4];
    q::check(out[e], "schedule[" + std::to_string(e) + "]");
  }
  return out;
}

template <typename Work>
auto without_gil(const std::optional<int>& threads, Work&& work) {
  return admsim_py::run_without_gil(threads.value_or(0), py::none(), std::forward<Work>(work));
}

py::array_t<double> log_likelihood(const py::handle& parameters, const py::dict& histories, int grid, int nodes,
                                   const std::optional<int>& threads) {
  const auto sets = parameters_from(parameters);
  const auto h = histories_from(histories);
  auto out = without_gil(threads, [&](const admsim::RunOptions& o) {
    return q::quality_log_likelihood(sets, h, {grid, nodes}, o);
  });
  return admsim_py::to_numpy(std::move(out),
                             {static_cast<py::ssize_t>(sets.size()), static_cast<py::ssize_t>(h.councils)});
}

py::array_t<double> forecast(const py::handle& parameters, const py::dict& histories, int as_of_month,
                             const py::handle& horizon_offsets, const py::handle& horizon_months,
                             const py::handle& horizon_weights, int grid, int nodes,
                             const std::optional<int>& threads) {
  const auto sets = parameters_from(parameters);
  const auto h = histories_from(histories);
  q::Horizons z;
  z.as_of_month = as_of_month;
  z.offsets = int_array(horizon_offsets, "horizon_offsets");
  z.months = int_array(horizon_months, "horizon_months");
  const auto w = double_array(horizon_weights, "horizon_weights");
  expect_ndim(w, 1, "horizon_weights", "a 1-d array of weights");
  z.weights.assign(w.data(), w.data() + w.size());
  auto out = without_gil(threads, [&](const admsim::RunOptions& o) {
    return q::quality_forecast(sets, h, z, {grid, nodes}, o);
  });
  return admsim_py::to_numpy(std::move(out), {static_cast<py::ssize_t>(sets.size()),
                                              static_cast<py::ssize_t>(h.councils), q::kGradeCount});
}

py::tuple horizons(const py::dict& histories, int as_of_month, const py::handle& schedule, int pause_start_month,
                   int pause_end_month, int max_months) {
  const auto h = histories_from(histories);
  const auto z = q::next_inspection_horizons(h, as_of_month, schedules_from(schedule),
                                             {pause_start_month, pause_end_month}, max_months);
  const auto n = static_cast<py::ssize_t>(z.months.size());
  const auto c = static_cast<py::ssize_t>(z.offsets.size());
  return py::make_tuple(admsim_py::to_numpy(std::vector<std::int32_t>(z.offsets), {c}),
                        admsim_py::to_numpy(std::vector<std::int32_t>(z.months), {n}),
                        admsim_py::to_numpy(std::vector<double>(z.weights), {n}));
}

py::dict simulate(const py::handle& parameters, const py::dict& histories, int start_month, int end_month,
                  std::int64_t replicates, std::uint64_t seed, const py::handle& schedule, int pause_start_month,
                  int pause_end_month, const std::optional<int>& threads) {
  const auto sets = parameters_from(parameters);
  const auto h = histories_from(histories);
  q::SimulationSettings s;
  s.start_month = start_month;
  s.end_month = end_month;
  s.replicates = replicates;
  s.seed = seed;
  s.schedule = schedules_from(schedule);
  s.calendar = {pause_start_month, pause_end_month};
  const auto sim = without_gil(threads, [&](const admsim::RunOptions& o) {
    return q::simulate_quality_histories(sets, h, s, o);
  });
  std::vector<std::int32_t> columns[5];
  for (auto& c : columns) c.reserve(sim.size());
  for (const auto& e : sim) {
    columns[0].push_back(e.replicate);
    columns[1].push_back(e.council);
    columns[2].push_back(e.month);
    columns[3].push_back(e.grade);
    columns[4].push_back(e.framework);
  }
  py::dict out;
  const char* names[5] = {"replicate", "council", "month", "grade", "framework"};
  const auto n = static_cast<py::ssize_t>(sim.size());
  for (int k = 0; k < 5; ++k) out[names[k]] = admsim_py::to_numpy(std::move(columns[k]), {n});
  return out;
}
}  // namespace

void register_quality(py::module_& m) {
  py::list names;
  for (const char* name : q::kColumnNames) names.append(name);
  m.attr("QUALITY_PARAMETERS") = names;

  m.def("quality_log_likelihood", &log_likelihood, py::arg("parameters"), py::arg("histories"), py::kw_only(),
        py::arg("grid") = 81, py::arg("nodes") = 9, py::arg("threads") = py::none(),
        "Log-likelihood (S, C) of each council's graded history under each parameter set (rows in "
        "QUALITY_PARAMETERS order), by a forward algorithm on a grid.");
  m.def("quality_forecast", &forecast, py::arg("parameters"), py::arg("histories"), py::kw_only(),
        py::arg("as_of_month"), py::arg("horizon_offsets"), py::arg("horizon_months"), py::arg("horizon_weights"),
        py::arg("grid") = 81, py::arg("nodes") = 9, py::arg("threads") = py::none(),
        "Probabilities (S, C, 4) of each grade at each council's next inspection, weighted over its "
        "horizons (months after as_of_month); each horizon graded in the regime its month and the "
        "council's latest grade imply, with the grading drift at that month.");
  m.def("next_inspection_horizons", &horizons, py::arg("histories"), py::kw_only(), py::arg("as_of_month"),
        py::arg("schedule"), py::arg("pause_start_month"), py::arg("pause_end_month"), py::arg("max_months") = 120,
        "(offsets, months, weights): each council's distribution of the months ahead of as_of_month "
        "of its next graded inspection, from the log-logistic schedule (2 x 5: after a SIF / ILACS "
        "grade; medians after grades 0..3, shape) given none since its latest, the clock stopped "
        "during the pause; CSR by council, as quality_forecast takes them.");
  m.def("simulate_quality_histories", &simulate, py::arg("parameters"), py::arg("histories"), py::kw_only(),
        py::arg("start_month"), py::arg("end_month"), py::arg("replicates"), py::arg("seed"), py::arg("schedule"),
        py::arg("pause_start_month"), py::arg("pause_end_month"),
        py::arg("threads") = py::none(),
        "Simulated graded inspections as int32 arrays replicate, council, month, grade, framework, "
        "sorted by replicate, council and month; replicate r uses parameter set r % S.");
  m.def("grading_drift",
        py::vectorize([](double per_year, double half_life_years, int start_month, int end_month, int month) {
          return q::GradingDrift{per_year, half_life_years, start_month, end_month}.at(month);
        }),
        py::arg("per_year"), py::arg("half_life_years"), py::arg("start_month"), py::arg("end_month"),
        py::arg("month"),
        "How far ILACS cut-points have fallen by `month` (standardised units, elementwise): linear at "
        "per_year from start_month to end_month, then damped with half-life half_life_years (inf: none).");
  m.def("grading_regime", py::vectorize(&q::regime_of), py::arg("month"), py::arg("latest_grade"),
        py::arg("ilacs_start_month"),
        "The grading regime (0 SIF, 1 ILACS standard, 2 ILACS short) of an inspection in `month` "
        "for a council whose latest grade is `latest_grade` (-1 before its first), elementwise.");
  m.def("clock_months", py::vectorize(&q::clock_months), py::arg("from_month"), py::arg("to_month"),
        py::arg("pause_start_month"), py::arg("pause_end_month"),
        "Months from `from_month` to `to_month` on the inspection schedule's clock, which stops in "
        "[pause_start_month, pause_end_month), elementwise.");
  m.def("workforce_stress", py::vectorize(&q::workforce_stress), py::arg("turnover"), py::arg("agency_share"),
        py::arg("caseload"), py::arg("turnover_ref"), py::arg("agency_share_ref"), py::arg("caseload_ref"),
        "The engine's workforce stress (elementwise): the mean of turnover and agency share above their "
        "references in units of 0.05 and 0.10, and caseload above its reference in units of 20%.");
}
