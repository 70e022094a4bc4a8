#pragma once
// Running C++ work from Python: parse the JSON inputs, release the GIL, report progress and
// honour Ctrl-C between blocks. Shared by every batch call.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "admsim/ensemble.hpp"
#include "admsim/scenario.hpp"

namespace admsim_py {

namespace py = pybind11;

// Hand a vector to NumPy without copying: the array owns it through a capsule.
template <typename T>
py::array_t<T> to_numpy(std::vector<T>&& data, std::vector<py::ssize_t> shape) {
  auto owner = std::make_unique<std::vector<T>>(std::move(data));
  T* ptr = owner->data();
  py::capsule capsule(owner.get(), [](void* p) { delete static_cast<std::vector<T>*>(p); });
  owner.release();
  return py::array_t<T>(shape, ptr, capsule);
}

// The catalogue as parsed JSON: the same 150 KB text comes with every call, so the last one
// parsed is kept (comparing the text costs microseconds, parsing it a millisecond or two).
inline std::shared_ptr<const admsim::json> parsed_catalogue(const std::string& text) {
  static std::mutex mutex;
  static std::string last_text;
  static std::shared_ptr<const admsim::json> last;
  std::lock_guard<std::mutex> lock(mutex);
  if (!last || text != last_text) {
    last = std::make_shared<const admsim::json>(admsim::parse_json_text(text));
    last_text = text;
  }
  return last;
}

inline admsim::Scenario parse(const std::string& spec, const std::string& catalogue) {
  return admsim::parse_scenario(admsim::parse_json_text(spec), *parsed_catalogue(catalogue));
}

// Runs work(options) with the GIL released. Between blocks the engine calls back: we take the
// GIL, check for Ctrl-C (raised here as KeyboardInterrupt) and call progress(done, total), which
// may return False to stop (also KeyboardInterrupt).
template <typename Work>
auto run_without_gil(int threads, const py::object& progress, Work&& work,
                     std::function<void(admsim::PolicyCall&)> policy = {}) {
  admsim::RunOptions options;
  options.threads = threads;
  options.policy = std::move(policy);
  bool interrupted = false;
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
  py::gil_scoped_release release;
  try {
    return work(options);
  } catch (const admsim::Cancelled&) {
    py::gil_scoped_acquire gil;
    if (interrupted) throw py::error_already_set();  // the pending KeyboardInterrupt
    throw;
  }
}

}  // namespace admsim_py
