// The batch call: scenario JSON in, NumPy arrays out, with the GIL released while C++ runs.
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>

#include "admsim/engine.hpp"
#include "admsim/ensemble.hpp"
#include "admsim/region.hpp"
#include "admsim/scenario.hpp"
#include "run_support.hpp"

namespace py = pybind11;

namespace {
// The engine's policy hook for a Python callable policy(month, first_replicate, state, uniforms)
// -> levers: state (models, replicates, metrics) and uniforms (replicates,) are copies; levers is
// an array (models, replicates, intervention kinds), NaN for none. Called with the GIL held.
std::function<void(admsim::PolicyCall&)> policy_hook(const py::object& policy) {
  if (policy.is_none()) return {};
  return [policy](admsim::PolicyCall& call) {
    py::gil_scoped_acquire gil;
    const auto M = static_cast<py::ssize_t>(call.models), n = static_cast<py::ssize_t>(call.replicates);
    const auto K = static_cast<py::ssize_t>(admsim::kMetricCount);
    const auto L = static_cast<py::ssize_t>(admsim::kInterventionNames.size());
    py::array_t<double> state({M, n, K}), uniforms({n});
    std::copy_n(call.state, M * n * K, state.mutable_data());
    std::copy_n(call.uniforms, n, uniforms.mutable_data());
    py::object out = policy(call.month, call.first_replicate, state, uniforms);
    const auto levers = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(out);
    if (!levers || levers.ndim() != 3 || levers.shape(0) != M || levers.shape(1) != n || levers.shape(2) != L) {
      throw admsim::ValidationError("/policy", "the policy bridge returned the wrong shape", py::repr(out).cast<std::string>().substr(0, 80),
                                    "a float array (models, replicates, intervention kinds)");
    }
    std::copy_n(levers.data(), M * n * L, call.levers);
  };
}

// One scenario's results as the dict of NumPy arrays Python's Results reads.
py::dict result_dict(const admsim::Scenario& scenario, admsim::EnsembleResult&& result) {
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
    out["metrics"] = admsim_py::to_numpy(std::move(result.metrics), {M, R, T, K});
    out["outcomes"] = admsim_py::to_numpy(std::move(result.outcomes), {M, R, O});
    std::vector<std::int64_t> events;
    events.reserve(result.events.size() * 5);
    for (const auto& e : result.events) {
      events.insert(events.end(), {e.model, e.replicate, e.month, e.kind, e.grade});
    }
    const auto E = static_cast<py::ssize_t>(result.events.size());
    out["events"] = admsim_py::to_numpy(std::move(events), {E, 5});
  }
  out["metric_mean"] = admsim_py::to_numpy(std::move(result.metric_mean), {M, T, K});
  out["metric_sd"] = admsim_py::to_numpy(std::move(result.metric_sd), {M, T, K});
  out["metric_quantiles"] = admsim_py::to_numpy(std::move(result.metric_quantiles), {M, T, K, Q});
  out["grade_share"] = admsim_py::to_numpy(std::move(result.grade_share), {M, T, 4});
  out["outcome_mean"] = admsim_py::to_numpy(std::move(result.outcome_mean), {M, O});
  out["outcome_sd"] = admsim_py::to_numpy(std::move(result.outcome_sd), {M, O});
  out["outcome_count"] = admsim_py::to_numpy(std::move(result.outcome_count), {M, O});
  out["outcome_quantiles"] = admsim_py::to_numpy(std::move(result.outcome_quantiles), {M, O, Q});
  out["diff_mean"] = admsim_py::to_numpy(std::move(result.diff_mean), {M, O});
  out["diff_sd"] = admsim_py::to_numpy(std::move(result.diff_sd), {M, O});
  out["diff_positive"] = admsim_py::to_numpy(std::move(result.diff_positive), {M, O});
  out["diff_quantiles"] = admsim_py::to_numpy(std::move(result.diff_quantiles), {M, O, Q});
  py::list risk_ids;
  for (const auto& r : scenario.risks) risk_ids.append(r.id);
  const auto N = static_cast<py::ssize_t>(scenario.risks.size());
  out["risk_ids"] = risk_ids;
  auto sized = [&](std::vector<double>&& v, std::vector<py::ssize_t> shape) {
    if (v.empty()) {  // no replicate block ran, or no risks: zeros of the right shape
      py::ssize_t n = 1;
      for (auto d : shape) n *= d;
      v.assign(static_cast<std::size_t>(n), 0.0);
    }
    return admsim_py::to_numpy(std::move(v), std::move(shape));
  };
  out["risk_fired_replicates"] = sized(std::move(result.risk_fired_replicates), {M, N});
  out["risk_events"] = sized(std::move(result.risk_events), {M, N});
  out["risk_outcome_sum"] = sized(std::move(result.risk_outcome_sum), {M, N, O});
  out["risk_outcome_count"] = sized(std::move(result.risk_outcome_count), {M, N, O});
  return out;
}

py::dict simulate(const std::string& spec, const std::string& catalogue, int threads,
                  const py::object& progress, const py::object& policy) {
  const admsim::Scenario scenario = admsim_py::parse(spec, catalogue);
  admsim::EnsembleResult result = admsim_py::run_without_gil(
      threads, progress, [&](const admsim::RunOptions& options) { return admsim::run_ensemble(scenario, options); },
      policy_hook(policy));
  return result_dict(scenario, std::move(result));
}

py::dict simulate_region(const std::string& spec, const std::string& catalogue, int threads,
                         const py::object& progress) {
  const admsim::RegionalScenario region =
      admsim::parse_regional_scenario(admsim::parse_json_text(spec), *admsim_py::parsed_catalogue(catalogue));
  admsim::RegionalResult result = admsim_py::run_without_gil(
      threads, progress, [&](const admsim::RunOptions& options) { return admsim::run_region(region, options); });
  py::list councils, names, seeds;
  for (std::size_t c = 0; c < region.councils.size(); ++c) {
    councils.append(result_dict(region.councils[c], std::move(result.councils[c])));
    names.append(region.names[c]);
    seeds.append(region.councils[c].seed);
  }
  py::dict out;
  out["councils"] = councils;
  out["names"] = names;
  out["seeds"] = seeds;  // each council's own (council_seed) unless the councils share the region's
  out["mover_share"] = region.mover_share;
  const auto& first = region.councils.front();
  if (!result.unplaced.empty()) {
    out["unplaced"] = admsim_py::to_numpy(std::move(result.unplaced),
        {static_cast<py::ssize_t>(first.models.size()), static_cast<py::ssize_t>(first.replicates),
         static_cast<py::ssize_t>(first.months)});
  }
  const auto M = static_cast<py::ssize_t>(first.models.size()), R = static_cast<py::ssize_t>(first.replicates);
  out["net_good"] = admsim_py::to_numpy(std::move(result.net_good), {M, R, static_cast<py::ssize_t>(first.months)});
  if (region.hub) {
    const admsim::CommissioningHub& h = *region.hub;
    py::dict hub;
    hub["savings"] = admsim_py::to_numpy(std::move(result.hub_savings), {M, R, static_cast<py::ssize_t>(h.years(first.months))});
    hub["running_cost_per_year"] = h.running_cost;
    hub["setup_cost"] = h.setup_cost;
    hub["start_month"] = h.start_month;
    hub["cost_split"] = h.cost_split;
    hub["cost_shares"] = h.cost_shares;
    py::list on;
    for (bool b : h.options) on.append(b);
    hub["options"] = on;
    out["hub"] = hub;
  }
  if (region.alliance) {
    py::dict alliance;
    alliance["cost_per_year"] = region.alliance->cost_per_year;
    py::list on;
    for (bool b : region.alliance->options) on.append(b);
    alliance["options"] = on;
    out["alliance"] = alliance;
  }
  return out;
}
}  // namespace

void register_simulation(py::module_& m) {
  m.def("validate", [](const std::string& spec, const std::string& catalogue) {
    const admsim::Scenario s = admsim_py::parse(spec, catalogue);
    admsim::calibrate(s);  // the profile's consistency rules too, as a run would check them
    py::list ids;
    for (const auto& model : s.models) ids.append(model.id);
    return ids;
  }, py::arg("spec"), py::arg("catalogue"),
     "Parse and validate a scenario (fields and the profile's consistency); return the resolved "
     "model ids or raise ScenarioError.");
  m.def("resolve_models", [](const std::string& spec, const std::string& catalogue) {
    const admsim::json spec_json = admsim::parse_json_text(spec);
    const auto catalogue_json = admsim_py::parsed_catalogue(catalogue);  // held: it outlives the loop
    admsim::parse_scenario(spec_json, *catalogue_json);  // the whole scenario must be valid
    py::list out;
    for (const auto& entry : admsim::resolve_model_entries(
             admsim::JsonReader(spec_json, "").at("models"), *catalogue_json)) {
      out.append(entry.dump());
    }
    return out;
  }, py::arg("spec"), py::arg("catalogue"),
     "Each model's full entry (JSON text) as the engine resolves it: catalogue entry plus overrides.");
  m.def("council_seed", &admsim::council_seed, py::arg("seed"), py::arg("name"),
        "The seed a council draws with in a region of independent councils (region.hpp).");
  m.def("simulate_region", &simulate_region, py::arg("spec"), py::arg("catalogue"), py::arg("threads") = 0,
        py::arg("progress") = py::none(),
        "Run a regional scenario (councils stepped together, sharing a labour market): a dict with "
        "seeds (each council's), "
        "councils (one simulate() dict each), names, mover_share, net_good (option, replicate, month), "
        "hub (with a commissioning hub: savings (option, replicate, hub year) and its costs), "
        "alliance (with an improvement alliance) and, in full mode, unplaced (option, replicate, month).");
  m.def("simulate", &simulate, py::arg("spec"), py::arg("catalogue"), py::arg("threads") = 0,
        py::arg("progress") = py::none(), py::arg("policy") = py::none(),
        "Run the ensemble. The GIL is released while C++ runs; progress(done, total) is called "
        "between blocks and may return False to stop. Ctrl-C raises KeyboardInterrupt. "
        "policy(month, first_replicate, state, uniforms) -> levers, if given, is called before "
        "each month of each block of replicates (which then run in lockstep); see admsim.Policy.");
}
