#include "py_engine.hpp"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "citybrain/core/error.hpp"

namespace citybrain::python {

namespace {

sim::Engine make_engine(const Scenario& scenario, int threads) {
  if (threads < 1 || threads > 256) {
    throw Error(ErrorCode::kInvalidArgument, "thread_num",
                "expected 1..256, found " + std::to_string(threads));
  }
  sim::SimConfig config = scenario.sim;
  config.threads = threads;
  return sim::Engine(scenario.network, scenario.demand, config);
}

// CityFlow's "dir" as the loader applied it: the resolved roadnet path minus the file's name.
std::string config_dir(const std::string& config_file, const std::string& resolved_roadnet) {
  std::ifstream in(config_file);
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("roadnetFile") ||
      !j["roadnetFile"].is_string()) {
    return "";
  }
  std::string name = j["roadnetFile"].get<std::string>();
  if (resolved_roadnet.size() >= name.size() &&
      resolved_roadnet.compare(resolved_roadnet.size() - name.size(), name.size(), name) == 0) {
    return resolved_roadnet.substr(0, resolved_roadnet.size() - name.size());
  }
  return "";
}

// std::to_string's "%f", as CityFlow formats get_vehicle_info's numbers.
std::string fixed(double value) {
  return std::to_string(value);
}

}  // namespace

PyEngine::PyEngine(const std::string& config_file, int thread_num)
    : m_scenario(load_scenario(config_file)),
      m_dir(config_dir(config_file, m_scenario.roadnet_file)),
      m_save_replay_in_config(!m_scenario.replay_file.empty()),
      m_save_replay(m_save_replay_in_config),
      m_engine(make_engine(m_scenario, thread_num)) {
  if (m_save_replay_in_config) {
    m_replay = std::make_unique<sim::ReplayWriter>(m_engine, m_scenario.replay_roadnet_file,
                                                   m_scenario.replay_file);
  }
  m_history.base_seed = m_scenario.sim.seed;
  index_lanes();
}

void PyEngine::index_lanes() {
  const net::Network& net = m_engine.network();
  std::vector<std::string> names(net.lanes.size());
  m_lane_keys.clear();
  m_lane_keys.reserve(net.lanes.size());
  m_sorted_lanes.resize(net.lanes.size());
  for (std::size_t l = 0; l < net.lanes.size(); ++l) {
    names[l] = net.lane_name(LaneId(l));
    m_lane_keys.emplace_back(names[l]);
    m_sorted_lanes[l] = LaneId(l);
  }
  std::sort(m_sorted_lanes.begin(), m_sorted_lanes.end(),
            [&](LaneId a, LaneId b) { return names[a.index()] < names[b.index()]; });
  m_count_buffer.assign(net.lanes.size(), 0);
  m_waiting_buffer.assign(net.lanes.size(), 0);
}

void PyEngine::next_step() {
  m_engine.step();
  m_history.step();
  if (m_replay && m_save_replay) m_replay->write_step(m_engine);
}

sim::Slot PyEngine::vehicle(const std::string& id, bool* running) const {
  sim::Slot v = m_engine.find_vehicle(id, running);
  if (v == sim::kNoVehicle) {
    throw Error(ErrorCode::kNotFound, "vehicle", "Vehicle '" + id + "' not found");
  }
  return v;
}

py::list PyEngine::get_vehicles(bool include_waiting) const {
  std::vector<sim::Slot> slots = m_engine.vehicles(include_waiting);
  py::list out(slots.size());
  for (std::size_t i = 0; i < slots.size(); ++i) {
    out[i] = py::str(m_engine.vehicle_name(slots[i]));
  }
  return out;
}

py::dict PyEngine::get_lane_vehicle_count() const {
  py::dict out;
  for (LaneId l : m_sorted_lanes) out[m_lane_keys[l.index()]] = m_engine.lane_vehicle_count(l);
  return out;
}

py::dict PyEngine::get_lane_waiting_vehicle_count() const {
  py::dict out;
  for (LaneId l : m_sorted_lanes) out[m_lane_keys[l.index()]] = m_engine.lane_waiting_count(l);
  return out;
}

py::dict PyEngine::get_lane_vehicles() const {
  py::dict out;
  for (LaneId l : m_sorted_lanes) {
    const auto& slots = m_engine.drivable_vehicles(m_engine.lane_drivable(l));
    py::list ids(slots.size());
    for (std::size_t i = 0; i < slots.size(); ++i) {
      ids[i] = py::str(m_engine.vehicle_name(slots[i]));
    }
    out[m_lane_keys[l.index()]] = std::move(ids);
  }
  return out;
}

py::dict PyEngine::get_vehicle_info(const std::string& vehicle_id) const {
  bool running = false;
  sim::Slot v = vehicle(vehicle_id, &running);
  py::dict info;
  info["running"] = running ? "1" : "0";
  if (!running) return info;
  const net::Network& net = m_engine.network();
  info["distance"] = fixed(m_engine.vehicle_distance(v));
  info["speed"] = fixed(m_engine.vehicle_speed(v));
  sim::DrivableId d = m_engine.vehicle_drivable(v);
  if (m_engine.is_lane(d)) {
    LaneId lane(d);
    const net::Road& road = net.roads[net.lanes[lane.index()].road.index()];
    info["drivable"] = net.lane_name(lane);
    info["road"] = road.id;
    info["intersection"] = net.intersections[road.to.index()].id;
  } else {
    info["drivable"] =
        net.lanelink_name(LaneLinkId(d - static_cast<sim::DrivableId>(net.lanes.size())));
  }
  std::string route;
  for (RoadId r : m_engine.vehicle_route_ahead(v)) route += net.roads[r.index()].id + " ";
  info["route"] = route;
  return info;
}

py::dict PyEngine::get_vehicle_speed() const {
  std::map<std::string, double> sorted;
  for (sim::Slot v : m_engine.vehicles(false)) {
    sorted.emplace(m_engine.vehicle_name(v), m_engine.vehicle_speed(v));
  }
  py::dict out;
  for (const auto& [id, speed] : sorted) out[py::str(id)] = speed;
  return out;
}

py::dict PyEngine::get_vehicle_distance() const {
  std::map<std::string, double> sorted;
  for (sim::Slot v : m_engine.vehicles(false)) {
    sorted.emplace(m_engine.vehicle_name(v), m_engine.vehicle_distance(v));
  }
  py::dict out;
  for (const auto& [id, distance] : sorted) out[py::str(id)] = distance;
  return out;
}

std::string PyEngine::get_leader(const std::string& vehicle_id) const {
  sim::Slot leader = m_engine.vehicle_leader(vehicle(vehicle_id));
  return leader == sim::kNoVehicle ? std::string() : m_engine.vehicle_name(leader);
}

void PyEngine::set_tl_phase(const std::string& intersection_id, int phase_id) {
  if (!m_engine.config().rl_traffic_light) {
    // CityFlow warns and ignores the call; research code relies on that.
    std::cerr << "please set rlTrafficLight to true to enable traffic light control" << std::endl;
    return;
  }
  IntersectionId id = m_engine.network().find_intersection(intersection_id);
  if (!id.valid()) {
    throw Error(ErrorCode::kNotFound, "set_tl_phase",
                "intersection '" + intersection_id + "' not found");
  }
  if (phase_id < 0) {
    throw Error(ErrorCode::kInvalidArgument, "intersection " + intersection_id,
                "phase " + std::to_string(phase_id) + " does not exist (expected >= 0)");
  }
  m_engine.set_phase(id, static_cast<std::uint32_t>(phase_id));
  Command c;
  c.kind = Command::Kind::kPhase;
  c.id = intersection_id;
  c.n = phase_id;
  m_history.commands.push_back(std::move(c));
}

int PyEngine::get_tl_phase(const std::string& intersection_id) const {
  IntersectionId id = m_engine.network().find_intersection(intersection_id);
  if (!id.valid()) {
    throw Error(ErrorCode::kNotFound, "get_tl_phase",
                "intersection '" + intersection_id + "' not found");
  }
  return static_cast<int>(m_engine.phase(id));
}

void PyEngine::set_vehicle_speed(const std::string& vehicle_id, double speed) {
  m_engine.set_vehicle_speed(vehicle(vehicle_id), speed);
  Command c;
  c.kind = Command::Kind::kSpeed;
  c.id = vehicle_id;
  c.value = speed;
  m_history.commands.push_back(std::move(c));
}

bool PyEngine::set_vehicle_route(const std::string& vehicle_id,
                                 const std::vector<std::string>& route) {
  sim::Slot v = m_engine.find_vehicle(vehicle_id);
  if (v == sim::kNoVehicle) return false;
  std::vector<RoadId> anchors;
  anchors.reserve(route.size());
  for (const std::string& id : route) {
    RoadId r = m_engine.network().find_road(id);
    if (!r.valid()) return false;
    anchors.push_back(r);
  }
  if (!m_engine.set_vehicle_route(v, anchors)) return false;
  Command c;
  c.kind = Command::Kind::kRoute;
  c.id = vehicle_id;
  c.roads = route;
  m_history.commands.push_back(std::move(c));
  return true;
}

void PyEngine::push_vehicle(const std::map<std::string, double>& info,
                            const std::vector<std::string>& roads) {
  // CityFlow's keys; others are ignored as CityFlow ignores them. CityFlow's "speed" (an initial
  // speed) has no effect on where a vehicle enters; citybrain's vehicles enter at rest.
  demand::VehicleType type;
  const std::pair<const char*, double*> fields[] = {
      {"length", &type.length},
      {"width", &type.width},
      {"maxPosAcc", &type.max_pos_acc},
      {"maxNegAcc", &type.max_neg_acc},
      {"usualPosAcc", &type.usual_pos_acc},
      {"usualNegAcc", &type.usual_neg_acc},
      {"minGap", &type.min_gap},
      {"maxSpeed", &type.max_speed},
      {"headwayTime", &type.headway_time},
  };
  for (const auto& [key, field] : fields) {
    auto it = info.find(key);
    if (it != info.end()) *field = it->second;
  }
  std::vector<RoadId> anchors;
  for (const std::string& id : roads) {
    RoadId r = m_engine.network().find_road(id);
    if (!r.valid())
      throw Error(ErrorCode::kNotFound, "push_vehicle", "road '" + id + "' not found");
    anchors.push_back(r);
  }
  if (anchors.empty()) {
    throw Error(ErrorCode::kInvalidArgument, "push_vehicle", "expected at least one road");
  }
  m_engine.push_vehicle(type, anchors);
  Command c;
  c.kind = Command::Kind::kPush;
  c.info = info;
  c.roads = roads;
  m_history.commands.push_back(std::move(c));
}

void PyEngine::set_random_seed(std::uint64_t seed) {
  m_engine.set_seed(seed);
  Command c;
  c.kind = Command::Kind::kSeed;
  c.n = static_cast<std::int64_t>(seed);
  m_history.commands.push_back(std::move(c));
}

void PyEngine::reset(bool seed) {
  sim::SimConfig config = m_scenario.sim;
  config.threads = m_engine.config().threads;
  if (!seed) config.seed = m_engine.config().seed;
  m_engine = sim::Engine(m_scenario.network, m_scenario.demand, config);
  m_history = History{config.seed, {}};
  m_history_known = true;
}

Archive PyEngine::snapshot() const {
  Archive archive;
  archive.engine = std::make_shared<const sim::Engine>(m_engine);
  if (m_history_known) archive.history = std::make_shared<const History>(m_history);
  archive.roadnet_file = m_scenario.roadnet_file;
  return archive;
}

void Archive::dump(const std::string& path) const {
  if (!history) {
    throw Error(ErrorCode::kInvalidArgument, "Archive.dump",
                "the state was reached through run_protocol, which is not recorded (expected an "
                "engine driven by next_step and the set_* calls since it was built or reset)");
  }
  ArchiveFile file;
  file.roadnet_file = roadnet_file;
  file.time = engine->time();
  file.vehicles_generated = engine->vehicles_generated();
  file.history = *history;
  write_archive(path, file);
}

void PyEngine::apply(const Command& c) {
  switch (c.kind) {
    case Command::Kind::kSteps:
      for (std::int64_t i = 0; i < c.n; ++i) m_engine.step();
      break;
    case Command::Kind::kPhase:
      set_tl_phase(c.id, static_cast<int>(c.n));
      break;
    case Command::Kind::kSpeed:
      set_vehicle_speed(c.id, c.value);
      break;
    case Command::Kind::kRoute:
      set_vehicle_route(c.id, c.roads);
      break;
    case Command::Kind::kPush:
      push_vehicle(c.info, c.roads);
      break;
    case Command::Kind::kSeed:
      m_engine.set_seed(static_cast<std::uint64_t>(c.n));
      break;
  }
}

void PyEngine::load_from_file(const std::string& path) {
  ArchiveFile file = read_archive(path);
  if (file.roadnet_file != m_scenario.roadnet_file) {
    throw Error(ErrorCode::kInvalidArgument, path,
                "the archive was taken on roadnet " + file.roadnet_file + ", this engine runs " +
                    m_scenario.roadnet_file);
  }
  sim::SimConfig config = m_scenario.sim;
  config.threads = m_engine.config().threads;
  config.seed = file.history.base_seed;
  sim::Engine saved = std::move(m_engine);
  History saved_history = m_history;
  m_engine = sim::Engine(m_scenario.network, m_scenario.demand, config);
  try {
    for (const Command& c : file.history.commands) apply(c);
  } catch (...) {
    m_engine = std::move(saved);
    m_history = std::move(saved_history);
    throw;
  }
  if (m_engine.time() != file.time || m_engine.vehicles_generated() != file.vehicles_generated) {
    m_engine = std::move(saved);
    m_history = std::move(saved_history);
    throw Error(ErrorCode::kInvalidInput, path,
                "rebuilding the state did not reach the archived time and vehicle count "
                "(expected an archive of this scenario)");
  }
  m_history = std::move(file.history);
  m_history_known = true;
}

void PyEngine::load(const Archive& archive) {
  if (!archive.engine) {
    throw Error(ErrorCode::kInvalidArgument, "load", "empty archive");
  }
  if (&archive.engine->network() != &m_engine.network()) {
    throw Error(ErrorCode::kInvalidArgument, "load",
                "the archive was taken from an engine of another scenario");
  }
  int threads = m_engine.config().threads;
  m_engine = *archive.engine;
  if (m_engine.config().threads != threads) m_engine.set_threads(threads);
  m_history_known = archive.history != nullptr;
  if (archive.history) m_history = *archive.history;
}

void PyEngine::set_replay_file(const std::string& replay_file) {
  if (!m_save_replay_in_config) {
    std::cerr << "saveReplay is not set to true in config file!" << std::endl;
    return;
  }
  m_replay.reset();
  m_replay = std::make_unique<sim::ReplayWriter>(m_engine, m_scenario.replay_roadnet_file,
                                                 m_dir + replay_file);
}

void PyEngine::set_save_replay(bool open) {
  if (!m_save_replay_in_config) {
    std::cerr << "saveReplay is not set to true in config file!" << std::endl;
    return;
  }
  m_save_replay = open;
  if (m_replay) m_replay->flush();
}

py::list PyEngine::lane_ids() const {
  py::list out(m_lane_keys.size());
  for (std::size_t l = 0; l < m_lane_keys.size(); ++l) out[l] = m_lane_keys[l];
  return out;
}

py::list PyEngine::intersection_ids() const {
  const auto& inters = m_engine.network().intersections;
  py::list out(inters.size());
  for (std::size_t i = 0; i < inters.size(); ++i) out[i] = py::str(inters[i].id);
  return out;
}

py::array_t<std::uint32_t> PyEngine::lane_vehicle_count_array(py::object self) {
  for (std::size_t l = 0; l < m_count_buffer.size(); ++l) {
    m_count_buffer[l] = m_engine.lane_vehicle_count(LaneId(l));
  }
  return py::array_t<std::uint32_t>({m_count_buffer.size()}, {sizeof(std::uint32_t)},
                                    m_count_buffer.data(), self);
}

py::array_t<std::uint32_t> PyEngine::lane_waiting_count_array(py::object self) {
  for (std::size_t l = 0; l < m_waiting_buffer.size(); ++l) {
    m_waiting_buffer[l] = m_engine.lane_waiting_count(LaneId(l));
  }
  return py::array_t<std::uint32_t>({m_waiting_buffer.size()}, {sizeof(std::uint32_t)},
                                    m_waiting_buffer.data(), self);
}

}  // namespace citybrain::python
