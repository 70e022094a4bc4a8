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

const char* level(char c) { return c == 'H' ? "high" : c == 'M' ? "medium" : "low"; }
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

  m.def("risk_register", [] {
    static const char* windows[] = {"implementation", "ongoing"};
    static const char* applies[] = {"always", "new_arrangement", "staff_transfer", "contract_managed"};
    static const char* effects[] = {"quality_drop", "improvement_stall", "recruitment_squeeze",
                                    "demand_rise", "cost_overrun", "setup_overrun", "turnover_spike",
                                    "go_live_delay"};
    py::list rows;
    for (const auto& r : admsim::risk_register()) {
      py::dict row;
      row["id"] = r.id;
      row["description"] = r.description;
      row["likelihood"] = level(r.likelihood);
      row["impact"] = level(r.impact);
      row["window"] = windows[static_cast<int>(r.window)];
      row["applies"] = applies[static_cast<int>(r.applies)];
      row["effect"] = effects[static_cast<int>(r.effect)];
      rows.append(row);
    }
    return rows;
  }, "The risk register of seed 002 section 7 as simulated events.");
}
