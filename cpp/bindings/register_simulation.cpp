// The batch call: scenario JSON in, NumPy arrays out, with the GIL released while C++ runs.
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>

#include "admsim/engine.hpp"
#include "admsim/ensemble.hpp"
#include "admsim/scenario.hpp"

namespace py = pybind11;

namespace {
// Hand a vector to NumPy without copying: the array owns it through a capsule.
template <typename T>
py::array_t<T> to_numpy(std::vector<T>&& data, std::vector<py::ssize_t> shape) {
  auto owner = std::make_unique<std::vector<T>>(std::move(data));
  T* ptr = owner->data();
  py::capsule capsule(owner.get(), [](void* p) { delete static_cast<std::vector<T>*>(p); });
  owner.release();
  return py::array_t<T>(shape, ptr, capsule);
}

admsim::Scenario parse(const std::string& spec, const std::string& catalogue) {
  return admsim::parse_scenario(admsim::parse_json_text(spec), admsim::parse_json_text(catalogue));
}

py::dict simulate(const std::string& spec, const std::string& catalogue, int threads,
                  const py::object& progress) {
  const admsim::Scenario scenario = parse(spec, catalogue);
  admsim::RunOptions options;
  options.threads = threads;
  bool interrupted = false;
  // Between blocks: take the GIL, look for Ctrl-C, report progress.
  options.progress = [&](std::int64_t done, std::int64_t total) {
    py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) {
      interrupted = true;
      return false;
    }
    if (!progress.is_none()) {
      py::object keep_going = progress(done, total);
      if (!keep_going.is_none() && !keep_going.cast<bool>()) return false;
    }
    return true;
  };
  admsim::EnsembleResult result;
  {
    py::gil_scoped_release release;
    try {
      result = admsim::run_ensemble(scenario, options);
    } catch (const admsim::Cancelled&) {
      py::gil_scoped_acquire gil;
      if (interrupted) throw py::error_already_set();  // the pending KeyboardInterrupt
      throw;
    }
  }
  const auto M = static_cast<py::ssize_t>(result.models);
  const auto R = static_cast<py::ssize_t>(result.replicates);
  const auto T = static_cast<py::ssize_t>(result.months);
  const auto K = static_cast<py::ssize_t>(admsim::kMetricCount);
  const auto O = static_cast<py::ssize_t>(admsim::kOutcomeCount);
  const auto Q = static_cast<py::ssize_t>(admsim::kQuantileCount);
  py::dict out;
  py::list ids;
  for (const auto& m : scenario.models) ids.append(m.id);
  out["models"] = ids;
  out["months"] = T;
  out["replicates"] = R;
  out["seed"] = scenario.seed;
  out["baseline"] = scenario.baseline;
  out["summary_only"] = result.summary_only;
  out["replicate_months"] = result.replicate_months;
  if (!result.summary_only) {
    out["metrics"] = to_numpy(std::move(result.metrics), {M, R, T, K});
    out["outcomes"] = to_numpy(std::move(result.outcomes), {M, R, O});
    std::vector<std::int64_t> events;
    events.reserve(result.events.size() * 5);
    for (const auto& e : result.events) {
      events.insert(events.end(), {e.model, e.replicate, e.month, e.kind, e.grade});
    }
    const auto E = static_cast<py::ssize_t>(result.events.size());
    out["events"] = to_numpy(std::move(events), {E, 5});
  }
  out["metric_mean"] = to_numpy(std::move(result.metric_mean), {M, T, K});
  out["metric_sd"] = to_numpy(std::move(result.metric_sd), {M, T, K});
  out["metric_quantiles"] = to_numpy(std::move(result.metric_quantiles), {M, T, K, Q});
  out["grade_share"] = to_numpy(std::move(result.grade_share), {M, T, 4});
  out["outcome_mean"] = to_numpy(std::move(result.outcome_mean), {M, O});
  out["outcome_sd"] = to_numpy(std::move(result.outcome_sd), {M, O});
  out["outcome_count"] = to_numpy(std::move(result.outcome_count), {M, O});
  out["outcome_quantiles"] = to_numpy(std::move(result.outcome_quantiles), {M, O, Q});
  out["diff_mean"] = to_numpy(std::move(result.diff_mean), {M, O});
  out["diff_sd"] = to_numpy(std::move(result.diff_sd), {M, O});
  out["diff_positive"] = to_numpy(std::move(result.diff_positive), {M, O});
  out["diff_quantiles"] = to_numpy(std::move(result.diff_quantiles), {M, O, Q});
  return out;
}
}  // namespace

void register_simulation(py::module_& m) {
  m.def("validate", [](const std::string& spec, const std::string& catalogue) {
    const admsim::Scenario s = parse(spec, catalogue);
    py::list ids;
    for (const auto& model : s.models) ids.append(model.id);
    return ids;
  }, py::arg("spec"), py::arg("catalogue"),
     "Parse and validate a scenario; return the resolved model ids or raise ScenarioError.");
  m.def("simulate", &simulate, py::arg("spec"), py::arg("catalogue"), py::arg("threads") = 0,
        py::arg("progress") = py::none(),
        "Run the ensemble. The GIL is released while C++ runs; progress(done, total) is called "
        "between blocks and may return False to stop. Ctrl-C raises KeyboardInterrupt.");
}
