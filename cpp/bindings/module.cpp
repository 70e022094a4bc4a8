// admsim._core: the C++ engine for Python. One register_<topic>.cpp per topic.
#include <pybind11/pybind11.h>

namespace py = pybind11;

void register_errors(py::module_& m);
void register_tables(py::module_& m);
void register_simulation(py::module_& m);
void register_batch(py::module_& m);
void register_quality(py::module_& m);

PYBIND11_MODULE(_core, m) {
  m.doc() = "admsim C++ core: scenario validation, the parallel ensemble engine and the quality "
            "model's fit to Ofsted histories.";
  register_errors(m);
  register_tables(m);
  register_simulation(m);
  register_batch(m);
  register_quality(m);
}
