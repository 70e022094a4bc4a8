// Names and tables the Python layer reads: metrics, outcomes, hooks, parameters, risks.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "admsim/engine.hpp"
#include "admsim/json_reader.hpp"
#include "admsim/ensemble.hpp"
#include "admsim/metrics.hpp"
#include "admsim/parameters.hpp"
#include "admsim/risks.hpp"
#include "admsim/scenario.hpp"

namespace py = pybind11;

namespace {
template <typename Array>
py::list names(const Array& array) {
  py::list out;
  for (const char* name : array) out.append(name);
  return out;
}

}  // namespace

void register_tables(py::module_& m) {
  m.def(
      "effect_distribution",
      [](const std::string& hook, const std::string& spec, const std::vector<double>& quantiles) {
        std::size_t h = 0;
        while (h < admsim::kHookCount && hook != admsim::kHookNames[h]) ++h;
        if (h == admsim::kHookCount) {
          throw admsim::ValidationError("hook", "unknown effect hook", hook, "one of the hook_names");
        }
        const admsim::json node = admsim::parse_json_text(spec);
        const auto d = admsim::parse_effect(admsim::JsonReader(node, "/effects/" + hook), static_cast<admsim::Hook>(h));
        py::list q;
        for (double u : quantiles) {
          if (!(u >= 0.0 && u <= 1.0)) {
            throw admsim::ValidationError("quantiles", "not a probability", std::to_string(u), "numbers in [0, 1]");
          }
          q.append(d.quantile(u));
        }
        return py::make_tuple(d.mean(), q);
      },
      py::arg("hook"), py::arg("spec"), py::arg("quantiles"),
      "(mean, [quantile at each u]) of one effect distribution (JSON text in the catalogue's "
      "notation), validated and computed as the engine draws it.");
  m.attr("metric_names") = names(admsim::kMetricNames);
  m.attr("outcome_names") = names(admsim::kOutcomeNames);
  m.attr("hook_names") = names(admsim::kHookNames);
  m.attr("placement_names") = names(admsim::kPlacementNames);
  m.attr("intervention_names") = names(admsim::kInterventionNames);
  py::list ranges;
  for (const auto& r : admsim::kInterventionRanges) ranges.append(py::make_tuple(r[0], r[1]));
  m.attr("intervention_ranges") = ranges;
  m.attr("max_json_depth") = admsim::kMaxJsonDepth;
  m.attr("max_threads") = admsim::kMaxThreads;
  m.attr("grade_names") = names(admsim::kGradeNames);
  py::list quantiles;
  for (double q : admsim::kQuantiles) quantiles.append(q);
  m.attr("quantiles") = quantiles;

  m.def("parameter_table", [] {
    py::list rows;
    const admsim::EngineParameters defaults;
    for (const auto& p : admsim::parameter_table()) {
      py::dict row;
      row["name"] = p.name;
      row["module"] = p.module;
      row["default"] = defaults.*(p.field);
      row["min"] = p.min;
      row["max"] = p.max;
      row["low"] = p.low;
      row["high"] = p.high;
      row["unit"] = p.unit;
      row["source"] = p.source;
      row["meaning"] = p.meaning;
      rows.append(row);
    }
    return rows;
  }, "Engine parameters: default, allowed range, plausible range, unit, source and meaning.");

  py::dict risks;
  risks["window"] = names(admsim::kRiskWindowNames);
  risks["applies_to"] = names(admsim::kRiskAppliesNames);
  risks["effect"] = names(admsim::kRiskEffectNames);
  m.attr("risk_vocabulary") = risks;
}
