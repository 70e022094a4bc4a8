// Batch evaluation: (n x d) input values -> (n x k) outcome means, one call, GIL released.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "admsim/batch.hpp"
#include "run_support.hpp"

namespace py = pybind11;

void register_batch(py::module_& m) {
  m.def(
      "evaluate",
      [](const std::string& spec, const std::string& catalogue, const std::vector<std::string>& inputs,
         const py::array_t<double, py::array::c_style | py::array::forcecast>& values,
         const std::vector<std::string>& outputs, int threads, const py::object& progress) {
        const admsim::Scenario scenario = admsim_py::parse(spec, catalogue);
        const auto parsed_inputs = admsim::parse_batch_inputs(scenario, inputs);
        const auto parsed_outputs = admsim::parse_batch_outputs(scenario, outputs);
        if (values.ndim() != 2 || static_cast<std::size_t>(values.shape(1)) != inputs.size()) {
          const std::string got = values.ndim() == 2
              ? "a " + std::to_string(values.shape(0)) + " x " + std::to_string(values.shape(1)) + " array"
              : "an array of " + std::to_string(values.ndim()) + " dimension(s)";
          throw admsim::ValidationError("/values", "wrong shape", got,
                                        "a 2-d array with one column per input (" +
                                            std::to_string(inputs.size()) + ")");
        }
        const auto rows = static_cast<std::size_t>(values.shape(0));
        std::vector<double> matrix(values.data(), values.data() + values.size());
        std::vector<double> result = admsim_py::run_without_gil(
            threads, progress, [&](const admsim::RunOptions& options) {
              return admsim::evaluate_batch(scenario, parsed_inputs, parsed_outputs, matrix, rows, options);
            });
        return admsim_py::to_numpy(std::move(result),
                                   {static_cast<py::ssize_t>(rows), static_cast<py::ssize_t>(outputs.size())});
      },
      py::arg("spec"), py::arg("catalogue"), py::arg("inputs"), py::arg("values"), py::arg("outputs"),
      py::arg("threads") = 0, py::arg("progress") = py::none(),
      "Evaluate rows of input values: inputs are engine parameters or '<model>.<hook>' effects; "
      "outputs are '<model>.<outcome>'; each output is the mean over the scenario's replicates. "
      "Rows share random numbers.");
}
