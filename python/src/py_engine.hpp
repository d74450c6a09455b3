// The Python-facing engine: CityFlow's Engine API (names, argument orders, return types and
// semantics of CityFlow@81ee0f4's src/cityflow.cpp) over a citybrain scenario and sim::Engine,
// plus NumPy views of per-lane sensing. Holds what CityFlow's engine keeps beside the simulation:
// the config's replay settings and the seed to reset to.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "citybrain/citybrain.hpp"
#include "citybrain/sim/replay.hpp"
#include "history.hpp"

namespace citybrain::python {

namespace py = pybind11;

// A saved simulation state (CityFlow's Archive): a clone of the engine, and the calls that led to
// it for writing it to a file.
struct Archive {
  std::shared_ptr<const sim::Engine> engine;
  std::shared_ptr<const History> history;  // null when unknown (after run_protocol)
  std::string roadnet_file;
  void dump(const std::string& path) const;
};

class PyEngine {
 public:
  PyEngine(const std::string& config_file, int thread_num);

  // Simulation.
  void next_step();
  double get_current_time() const { return m_engine.time(); }

  // Data access (CityFlow's names and return types).
  std::size_t get_vehicle_count() const { return m_engine.vehicle_count(); }
  py::list get_vehicles(bool include_waiting) const;
  py::dict get_lane_vehicle_count() const;
  py::dict get_lane_waiting_vehicle_count() const;
  py::dict get_lane_vehicles() const;
  py::dict get_vehicle_info(const std::string& vehicle_id) const;
  py::dict get_vehicle_speed() const;
  py::dict get_vehicle_distance() const;
  std::string get_leader(const std::string& vehicle_id) const;
  double get_average_travel_time() const { return m_engine.average_travel_time_cityflow(); }

  // Control.
  void set_tl_phase(const std::string& intersection_id, int phase_id);
  void set_vehicle_speed(const std::string& vehicle_id, double speed);
  bool set_vehicle_route(const std::string& vehicle_id, const std::vector<std::string>& route);
  void set_random_seed(std::uint64_t seed);
  void push_vehicle(const std::map<std::string, double>& info,
                    const std::vector<std::string>& roads);
  void reset(bool seed);
  Archive snapshot() const;
  void load(const Archive& archive);
  void load_from_file(const std::string& path);
  // Calls that change the engine outside this class (run_protocol) make the history unknown.
  void forget_history() { m_history_known = false; }

  // Replay.
  void set_replay_file(const std::string& replay_file);
  void set_save_replay(bool open);

  // Beyond CityFlow: lane ids in the order of the arrays below, arrays that are views of buffers
  // this engine owns (refreshed by each call, valid while the engine lives).
  py::list lane_ids() const;
  py::array_t<std::uint32_t> lane_vehicle_count_array(py::object self);
  py::array_t<std::uint32_t> lane_waiting_count_array(py::object self);
  py::list intersection_ids() const;
  int get_tl_phase(const std::string& intersection_id) const;
  std::size_t vehicles_generated() const { return m_engine.vehicles_generated(); }
  std::size_t vehicles_finished() const { return m_engine.vehicles_finished(); }

  sim::Engine& engine() { return m_engine; }
  const sim::Engine& engine() const { return m_engine; }
  const Scenario& scenario() const { return m_scenario; }

 private:
  sim::Slot vehicle(const std::string& id, bool* running = nullptr) const;
  // The effect of a recorded call on the engine, without recording it or writing replay.
  void apply(const Command& command);
  // Lanes in CityFlow's dict order (sorted by id) with their ids as ready Python strings.
  void index_lanes();

  Scenario m_scenario;
  std::string m_dir;  // CityFlow's "dir": replay files set later are relative to it
  bool m_save_replay_in_config = false;
  bool m_save_replay = false;
  sim::Engine m_engine;
  std::unique_ptr<sim::ReplayWriter> m_replay;
  History m_history;
  bool m_history_known = true;

  std::vector<LaneId> m_sorted_lanes;
  std::vector<py::str> m_lane_keys;  // per lane, by LaneId
  std::vector<std::uint32_t> m_count_buffer, m_waiting_buffer;
};

}  // namespace citybrain::python
