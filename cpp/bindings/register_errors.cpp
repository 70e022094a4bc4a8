// C++ exceptions become Python exceptions; nothing aborts the interpreter.
#include <pybind11/pybind11.h>

#include "admsim/ensemble.hpp"
#include "admsim/json_reader.hpp"

namespace py = pybind11;

void register_errors(py::module_& m) {
  // ScenarioError(ValueError) carries .pointer, .value and .allowed.
  static PyObject* scenario_error =
      PyErr_NewExceptionWithDoc("admsim._core.ScenarioError",
                                "Bad scenario input. Attributes: pointer (JSON pointer of the field), "
                                "value (what was given), allowed (what is allowed).",
                                PyExc_ValueError, nullptr);
  m.add_object("ScenarioError", py::handle(scenario_error));
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const admsim::ValidationError& e) {
      py::object err = py::reinterpret_steal<py::object>(
          PyObject_CallFunction(scenario_error, "s", e.what()));
      if (!err) return;  // a Python error is already set
      err.attr("pointer") = e.pointer();
      err.attr("value") = e.value();
      err.attr("allowed") = e.allowed();
      PyErr_SetObject(scenario_error, err.ptr());
    } catch (const admsim::Cancelled& e) {
      PyErr_SetString(PyExc_KeyboardInterrupt, e.what());
    }
  });
}
