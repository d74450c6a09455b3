// The citybrain Python module (citybrain._citybrain): Engine with CityFlow's API, Archive,
// BenchmarkAtt, the protocol runner with the brain's controllers or a Python one, and the one
// table mapping citybrain::Error codes to Python exceptions.
#include <pybind11/functional.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <span>

#include "citybrain/control/protocol.hpp"
#include "citybrain/core/error.hpp"
#include "citybrain/sim/benchmark_att.hpp"
#include "py_engine.hpp"

namespace py = pybind11;
using namespace pybind11::literals;

namespace citybrain::python {

namespace {

// citybrain::Error codes become Python exceptions by core's table (error_kinds()): each a
// subclass of citybrain.Error and of the built-in a caller would catch (ValueError, KeyError,
// FileNotFoundError, OSError); not-found lookups also derive from RuntimeError, which CityFlow
// raised for unknown vehicles.
PyObject* g_error = nullptr;
std::vector<std::pair<ErrorCode, PyObject*>> g_exceptions;

void register_exceptions(py::module_& m) {
  g_error = PyErr_NewException("citybrain.Error", PyExc_Exception, nullptr);
  if (!g_error) throw py::error_already_set();
  py::object base = py::reinterpret_borrow<py::object>(g_error);
  m.attr("Error") = base;
  auto make = [&](const char* name, std::initializer_list<PyObject*> bases) {
    py::tuple tuple(bases.size() + 1);
    tuple[0] = base;
    std::size_t i = 1;
    for (PyObject* b : bases) tuple[i++] = py::reinterpret_borrow<py::object>(b);
    std::string full = std::string("citybrain.") + name;
    PyObject* cls = PyErr_NewException(full.c_str(), tuple.ptr(), nullptr);
    if (!cls) throw py::error_already_set();
    m.attr(name) = py::reinterpret_borrow<py::object>(cls);
    return cls;
  };
  for (const ErrorKind& kind : error_kinds()) {
    PyObject* cls = nullptr;
    switch (kind.python_base) {
      case PythonBase::kValue:
        cls = make(kind.python_class, {PyExc_ValueError});
        break;
      case PythonBase::kLookup:
        cls = make(kind.python_class, {PyExc_KeyError, PyExc_RuntimeError});
        break;
      case PythonBase::kFileNotFound:
        cls = make(kind.python_class, {PyExc_FileNotFoundError});
        break;
      case PythonBase::kOs:
        cls = make(kind.python_class, {PyExc_OSError});
        break;
      case PythonBase::kRuntime:
        cls = make(kind.python_class, {PyExc_RuntimeError});
        break;
    }
    g_exceptions.emplace_back(kind.code, cls);
  }

  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Error& e) {
      PyObject* cls = nullptr;
      for (const auto& [code, exception] : g_exceptions) {
        if (code == e.code()) cls = exception;
      }
      PyErr_SetString(cls ? cls : g_error, e.what());
    }
  });
}

// A controller written in Python: decide(observation) -> one action per controlled intersection.
class CallbackController final : public control::Controller {
 public:
  explicit CallbackController(py::function decide) : m_decide(std::move(decide)) {}
  std::string name() const override { return "python"; }
  void decide(const control::Observation& obs, std::span<const control::ControlledIntersection>,
              std::span<int> actions) override {
    py::gil_scoped_acquire gil;
    py::dict o;
    o["time"] = obs.time;
    o["lane_vehicles"] =
        py::array_t<std::uint32_t>(obs.lane_vehicles.size(), obs.lane_vehicles.data());
    o["lane_waiting"] =
        py::array_t<std::uint32_t>(obs.lane_waiting.size(), obs.lane_waiting.data());
    o["current_action"] = obs.current_action;
    o["time_in_phase"] = obs.time_in_phase;
    py::object result = m_decide(o);
    auto chosen = result.cast<std::vector<int>>();
    if (chosen.size() != actions.size()) {
      throw Error(ErrorCode::kInvalidArgument, "controller",
                  "expected " + std::to_string(actions.size()) + " actions, found " +
                      std::to_string(chosen.size()));
    }
    for (std::size_t i = 0; i < chosen.size(); ++i) {
      if (chosen[i] < 0 || chosen[i] > 3) {
        throw Error(ErrorCode::kInvalidArgument, "controller",
                    "action " + std::to_string(chosen[i]) + " out of range (expected 0..3)");
      }
      actions[i] = chosen[i];
    }
  }

 private:
  py::function m_decide;
};

py::dict run_protocol(PyEngine& engine, const py::object& controller, const std::string& protocol,
                      int horizon) {
  control::ProtocolSpec spec = control::ProtocolSpec::of(control::parse_protocol(protocol));
  if (horizon <= 0) {
    throw Error(ErrorCode::kInvalidArgument, "horizon",
                "expected a positive number of seconds, found " + std::to_string(horizon));
  }
  spec.horizon = horizon;
  std::unique_ptr<control::Controller> c;
  if (py::isinstance<py::str>(controller)) {
    auto name = controller.cast<std::string>();
    if (name == "maxpressure") {
      c = control::make_max_pressure();
    } else if (name == "fixed") {
      c = control::make_fixed_time(spec.decision_interval);
    } else {
      throw Error(
          ErrorCode::kInvalidArgument, "controller",
          "unknown controller \"" + name + "\" (expected maxpressure, fixed or a callable)");
    }
  } else if (py::isinstance<py::function>(controller)) {
    c = std::make_unique<CallbackController>(controller.cast<py::function>());
  } else {
    throw Error(ErrorCode::kInvalidArgument, "controller",
                "expected \"maxpressure\", \"fixed\" or a callable");
  }
  control::ProtocolResult result;
  {
    py::gil_scoped_release release;
    engine.forget_history();
    result = control::run_protocol(engine.engine(), *c, spec);
  }
  py::dict out;
  out["att"] = result.att;
  out["att_cityflow"] = result.att_cityflow;
  out["att_vehicles"] = result.att_vehicles;
  return out;
}

py::list controlled_intersection_ids(const PyEngine& engine) {
  const net::Network& net = engine.engine().network();
  py::list out;
  for (const auto& ci : control::controlled_intersections(net)) {
    out.append(net.intersections[ci.id.index()].id);
  }
  return out;
}

}  // namespace

}  // namespace citybrain::python

PYBIND11_MODULE(_citybrain, m) {
  using citybrain::python::Archive;
  using citybrain::python::PyEngine;
  m.doc() = "citybrain's digital twin with CityFlow's Python API";
  citybrain::python::register_exceptions(m);

  py::class_<Archive>(m, "Archive")
      .def(py::init([](const PyEngine& e) { return e.snapshot(); }), "engine"_a)
      .def("dump", &Archive::dump, "path"_a,
           "Writes the state to a JSON file that Engine.load_from_file reads (the calls since the "
           "engine was built or reset, re-run on loading)");

  py::class_<PyEngine>(m, "Engine")
      .def(py::init<const std::string&, int>(), "config_file"_a, "thread_num"_a = 1)
      .def("next_step", &PyEngine::next_step, py::call_guard<py::gil_scoped_release>())
      .def("get_vehicle_count", &PyEngine::get_vehicle_count)
      .def("get_vehicles", &PyEngine::get_vehicles, "include_waiting"_a = false)
      .def("get_lane_vehicle_count", &PyEngine::get_lane_vehicle_count)
      .def("get_lane_waiting_vehicle_count", &PyEngine::get_lane_waiting_vehicle_count)
      .def("get_lane_vehicles", &PyEngine::get_lane_vehicles)
      .def("get_vehicle_speed", &PyEngine::get_vehicle_speed)
      .def("get_vehicle_info", &PyEngine::get_vehicle_info, "vehicle_id"_a)
      .def("get_vehicle_distance", &PyEngine::get_vehicle_distance)
      .def("get_leader", &PyEngine::get_leader, "vehicle_id"_a)
      .def("get_current_time", &PyEngine::get_current_time)
      .def("get_average_travel_time", &PyEngine::get_average_travel_time)
      .def("set_tl_phase", &PyEngine::set_tl_phase, "intersection_id"_a, "phase_id"_a)
      .def("set_vehicle_speed", &PyEngine::set_vehicle_speed, "vehicle_id"_a, "speed"_a)
      .def("set_replay_file", &PyEngine::set_replay_file, "replay_file"_a)
      .def("set_random_seed", &PyEngine::set_random_seed, "seed"_a)
      .def("set_save_replay", &PyEngine::set_save_replay, "open"_a)
      .def("push_vehicle", &PyEngine::push_vehicle, "info"_a, "roads"_a)
      .def("reset", &PyEngine::reset, "seed"_a = false)
      .def("load", &PyEngine::load, "archive"_a)
      .def("snapshot", &PyEngine::snapshot)
      .def("load_from_file", &PyEngine::load_from_file, "path"_a)
      .def("set_vehicle_route", &PyEngine::set_vehicle_route, "vehicle_id"_a, "route"_a)
      // Beyond CityFlow.
      .def("get_tl_phase", &PyEngine::get_tl_phase, "intersection_id"_a)
      .def("lane_ids", &PyEngine::lane_ids,
           "Lane ids in the order of lane_vehicle_count_array and lane_waiting_count_array")
      .def("intersection_ids", &PyEngine::intersection_ids)
      .def(
          "lane_vehicle_count_array",
          [](py::object self) { return self.cast<PyEngine&>().lane_vehicle_count_array(self); },
          "Vehicles per lane (lane_ids order) as a uint32 NumPy view of a buffer the engine "
          "owns; refreshed by each call")
      .def(
          "lane_waiting_count_array",
          [](py::object self) { return self.cast<PyEngine&>().lane_waiting_count_array(self); },
          "Waiting vehicles (speed < 0.1 m/s) per lane as a uint32 NumPy view, like "
          "lane_vehicle_count_array")
      .def("get_vehicles_generated", &PyEngine::vehicles_generated)
      .def("get_vehicles_finished", &PyEngine::vehicles_finished)
      .def(
          "run_steps",
          [](PyEngine& e, int steps) {
            for (int i = 0; i < steps; ++i) e.next_step();
          },
          "steps"_a, py::call_guard<py::gil_scoped_release>())
      .def("controlled_intersections", &citybrain::python::controlled_intersection_ids,
           "Signalised intersections in the order run_protocol's controllers see them");

  py::class_<citybrain::sim::BenchmarkAtt>(m, "BenchmarkAtt",
                                           "The benchmark ATT of PROTOCOL.md 3.1")
      .def(py::init([](const PyEngine& e) { return citybrain::sim::BenchmarkAtt(e.engine()); }),
           "engine"_a)
      .def(
          "observe",
          [](citybrain::sim::BenchmarkAtt& a, const PyEngine& e) { a.observe(e.engine()); },
          "engine"_a, "Call after every step")
      .def("att", &citybrain::sim::BenchmarkAtt::att, "end_time"_a)
      .def("vehicles", &citybrain::sim::BenchmarkAtt::vehicles);

  m.def("run_protocol", &citybrain::python::run_protocol, "engine"_a,
        "controller"_a = "maxpressure", "protocol"_a = "llmlight30", "horizon"_a = 3600,
        "Runs a benchmark protocol (llmlight30 | xlight15) on an engine whose config has "
        "rlTrafficLight true. controller: \"maxpressure\", \"fixed\" or a callable taking the "
        "observation dict and returning one action (0..3) per controlled intersection. Returns "
        "{att, att_cityflow, att_vehicles}.");
}
