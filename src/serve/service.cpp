#include "citybrain/serve/service.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "citybrain/control/controllers.hpp"
#include "citybrain/core/error.hpp"

namespace citybrain::serve {

namespace {

using Clock = std::chrono::steady_clock;

double wall_seconds() {
  return std::chrono::duration<double>(Clock::now().time_since_epoch()).count();
}

nlohmann::json bbox_json(const Bbox& b) {
  return {b.minx, b.miny, b.maxx, b.maxy};
}

std::string make_network_json(const net::Network& net, const control::SignalRunner& runner,
                              const Bbox& bbox) {
  using nlohmann::json;
  json features = json::array();
  for (std::size_t r = 0; r < net.roads.size(); ++r) {
    const net::Road& road = net.roads[r];
    json coords = json::array();
    for (Point p : net.road_points(RoadId(r))) coords.push_back({p.x, p.y});
    double limit = 0, length = 0;
    for (std::uint32_t l = 0; l < road.lane_count; ++l) {
      const net::Lane& lane = net.lanes[road.first_lane.index() + l];
      limit = std::max(limit, lane.max_speed);
      length = std::max(length, lane.length);
    }
    features.push_back({{"type", "Feature"},
                        {"geometry", {{"type", "LineString"}, {"coordinates", coords}}},
                        {"properties",
                         {{"kind", "road"},
                          {"id", road.id},
                          {"index", r},
                          {"from", net.intersections[road.from.index()].id},
                          {"to", net.intersections[road.to.index()].id},
                          {"lanes", road.lane_count},
                          {"length", length},
                          {"speed_limit", limit}}}});
  }
  for (std::size_t i = 0; i < net.intersections.size(); ++i) {
    const net::Intersection& inter = net.intersections[i];
    const std::size_t signal = runner.controlled_index(IntersectionId(i));
    features.push_back(
        {{"type", "Feature"},
         {"geometry", {{"type", "Point"}, {"coordinates", {inter.point.x, inter.point.y}}}},
         {"properties",
          {{"kind", "intersection"},
           {"id", inter.id},
           {"index", i},
           {"signal_index",
            signal == control::kNoIntersection ? -1 : static_cast<std::int64_t>(signal)},
           {"phases", inter.phases.size()}}}});
  }
  return json{{"type", "FeatureCollection"}, {"bbox", bbox_json(bbox)}, {"features", features}}
      .dump();
}

}  // namespace

Service::Service(std::shared_ptr<const net::Network> network,
                 std::shared_ptr<const demand::Demand> demand, sim::SimConfig config,
                 ServiceOptions options, Store* store)
    : m_network(std::move(network)),
      m_options(std::move(options)),
      m_store(store),
      m_speed(m_options.speed),
      m_paused(m_options.paused) {
  if (!(m_options.speed >= kMinSpeed && m_options.speed <= kMaxSpeed)) {
    throw Error(ErrorCode::kInvalidArgument, "--speed",
                "expected " + std::to_string(kMinSpeed) + ".." + std::to_string(kMaxSpeed) +
                    ", found " + std::to_string(m_options.speed));
  }
  control::check_controller_name(m_options.controller, "--controller");
  config.rl_traffic_light = true;
  const control::ProtocolSpec spec = control::ProtocolSpec::of(control::Protocol::kLLMLight30);
  m_engine = std::make_unique<sim::Engine>(m_network, std::move(demand), config);
  m_controller = control::make_controller(m_options.controller, spec.decision_interval, m_network);
  m_runner = std::make_unique<control::SignalRunner>(*m_engine, *m_controller, spec, m_network);
  m_bbox = network_bbox(*m_network);
  m_network_json = make_network_json(*m_network, *m_runner, m_bbox);
  const std::size_t n = m_runner->intersections().size();
  m_timeline.resize(n);
  m_phases.assign(n, kUnknownPhase);
  record_phases(0);
  compute_kpis(*m_engine, m_work);
  m_kpis = m_work;
}

Service::~Service() {
  stop();
}

std::size_t Service::signal_count() const {
  return m_runner->intersections().size();
}

void Service::record_phases(double start) {
  for (std::size_t i = 0; i < m_phases.size(); ++i) {
    const std::uint32_t p = m_runner->phase(i);
    const std::uint8_t phase = p < kUnknownPhase ? static_cast<std::uint8_t>(p) : kUnknownPhase;
    auto& line = m_timeline[i];
    if (line.empty() || line.back().second != phase) line.emplace_back(start, phase);
    // Keep the entry in force at the window's start.
    while (line.size() > 1 && line[1].first <= start - kTimelineSeconds) line.pop_front();
    m_phases[i] = phase;
  }
}

void Service::step() {
  std::shared_ptr<const std::string> frame;
  bool minute = false;
  {
    std::lock_guard lock(m_engine_mutex);
    const double start = m_engine->time();
    m_runner->step();
    record_phases(start);
    compute_kpis(*m_engine, m_work);
    const double hz = max_client_hz();
    const double now = wall_seconds();
    // Frames are due on a fixed grid of 1/hz, not 1/hz after the last one: steps come at their own
    // pace, and waiting a full period from a late frame would lose frames at every jitter.
    const bool due = hz > 0 && now >= m_next_frame_wall;
    if (m_frame_wanted.exchange(false) || due) {
      auto text = std::make_shared<std::string>();
      encode_frame(*m_engine, m_bbox, ++m_seq, frame_kpis(m_work.city, m_speed.load()),
                   m_work.roads, m_phases, *text);
      frame = std::move(text);
      if (due) {
        m_next_frame_wall += 1.0 / hz;
        if (m_next_frame_wall < now) m_next_frame_wall = now + 1.0 / hz;  // behind: no burst
      }
    }
    const double t = m_engine->time();
    minute = std::fmod(t, 60.0) == 0.0 && t > 0;
  }
  {
    std::lock_guard lock(m_snap_mutex);
    m_kpis = m_work;
    if (frame) m_frame = std::move(frame);
  }
  if (minute && m_store) m_store->write_minute(m_work);
}

void Service::start() {
  if (m_thread.joinable()) return;
  {
    std::lock_guard lock(m_wake_mutex);
    m_stop = false;
  }
  m_thread = std::thread([this] { loop(); });
}

void Service::stop() {
  {
    std::lock_guard lock(m_wake_mutex);
    m_stop = true;
    m_woken = true;
  }
  m_wake_cv.notify_all();
  if (m_thread.joinable()) m_thread.join();
}

void Service::loop() {
  auto next = Clock::now();
  auto window_start = Clock::now();
  double window_sim = sim_time();
  while (true) {
    {
      std::unique_lock lock(m_wake_mutex);
      if (m_stop) return;
    }
    if (m_paused.load()) {
      if (m_frame_wanted.load()) {
        // A client joined while paused: give it the current picture.
        std::lock_guard lock(m_engine_mutex);
        auto text = std::make_shared<std::string>();
        m_frame_wanted = false;
        encode_frame(*m_engine, m_bbox, ++m_seq, frame_kpis(m_work.city, m_speed.load()),
                     m_work.roads, m_phases, *text);
        std::lock_guard snap(m_snap_mutex);
        m_frame = std::move(text);
      }
      m_rtf = 0;
      std::unique_lock lock(m_wake_mutex);
      m_wake_cv.wait_for(lock, std::chrono::milliseconds(100), [&] { return m_woken; });
      m_woken = false;
      next = window_start = Clock::now();
      window_sim = sim_time();
      continue;
    }
    step();
    const auto now = Clock::now();
    const double span = std::chrono::duration<double>(now - window_start).count();
    if (span >= 1.0) {
      const double t = sim_time();
      m_rtf = (t - window_sim) / span;
      window_start = now;
      window_sim = t;
    }
    next += std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(m_engine->config().interval / m_speed.load()));
    // Behind by more than a second (the twin is slower than asked): no burst to catch up.
    if (next < now - std::chrono::seconds(1)) next = now;
    std::unique_lock lock(m_wake_mutex);
    if (m_wake_cv.wait_until(lock, next, [&] { return m_woken; })) {
      m_woken = false;
      next = Clock::now();
    }
  }
}

double Service::sim_time() const {
  std::lock_guard lock(m_snap_mutex);
  return m_kpis.time;
}

nlohmann::json Service::health() const {
  return {{"status", "ok"},
          {"sim_time", sim_time()},
          {"speed", m_speed.load()},
          {"paused", m_paused.load()},
          {"real_time_factor", m_paused.load() ? 0.0 : m_rtf.load()},
          {"clients", clients()},
          {"city", m_options.city}};
}

std::shared_ptr<const std::string> Service::state_json() {
  std::lock_guard lock(m_snap_mutex);
  if (m_state && m_state_time == m_kpis.time) return m_state;
  const net::Network& net = *m_network;
  const CityKpi& c = m_kpis.city;
  nlohmann::json roads = nlohmann::json::array();
  for (std::size_t r = 0; r < m_kpis.roads.size(); ++r) {
    const RoadKpi& k = m_kpis.roads[r];
    roads.push_back({{"index", r},
                     {"id", net.roads[r].id},
                     {"vehicles", k.vehicles},
                     {"mean_speed", k.mean_speed},
                     {"travel_time_index", k.travel_time_index},
                     {"congestion", k.congestion}});
  }
  nlohmann::json j{{"time", m_kpis.time},
                   {"paused", m_paused.load()},
                   {"speed", m_speed.load()},
                   {"city",
                    {{"vehicles", c.vehicles},
                     {"generated", c.generated},
                     {"finished", c.finished},
                     {"att", c.att},
                     {"throughput", c.throughput},
                     {"mean_speed", c.mean_speed},
                     {"delay", c.delay},
                     {"travel_time_index", c.travel_time_index},
                     {"congestion_index", c.congestion_index}}},
                   {"roads", std::move(roads)}};
  m_state = std::make_shared<const std::string>(j.dump());
  m_state_time = m_kpis.time;
  return m_state;
}

nlohmann::json Service::override_json(std::size_t signal) const {
  const auto& o = m_runner->override_of(signal);
  using Kind = control::SignalRunner::Override::Kind;
  switch (o.kind) {
    case Kind::kHold:
      return {{"kind", "hold"}, {"phase", o.phase}, {"until", o.until}};
    case Kind::kController:
      return {{"kind", "controller"}, {"controller", o.controller}};
    case Kind::kNone:
      break;
  }
  return nullptr;
}

nlohmann::json Service::intersection(const std::string& id) const {
  const net::Network& net = *m_network;
  const IntersectionId iid = net.find_intersection(id);
  if (!iid.valid()) throw Error(ErrorCode::kNotFound, "id", "no intersection '" + id + "'");
  const net::Intersection& inter = net.intersections[iid.index()];
  std::lock_guard lock(m_engine_mutex);
  const std::size_t signal = m_runner->controlled_index(iid);
  nlohmann::json approaches = nlohmann::json::array();
  for (std::uint32_t k = inter.roads.begin; k < inter.roads.end; ++k) {
    const RoadId rid = net.intersection_roads[k];
    const net::Road& road = net.roads[rid.index()];
    if (road.to != iid) continue;
    nlohmann::json lanes = nlohmann::json::array();
    for (std::uint32_t l = 0; l < road.lane_count; ++l) {
      const LaneId lane = net.lane_of(rid, l);
      lanes.push_back({{"lane", net.lane_name(lane)},
                       {"vehicles", m_engine->lane_vehicle_count(lane)},
                       {"waiting", m_engine->lane_waiting_count(lane)},
                       {"queue_length", m_engine->lane_queue_length(lane)}});
    }
    approaches.push_back({{"road", road.id}, {"lanes", std::move(lanes)}});
  }
  nlohmann::json j{{"id", inter.id},
                   {"index", iid.index()},
                   {"phases", inter.phases.size()},
                   {"approaches", std::move(approaches)}};
  if (signal == control::kNoIntersection) {
    j["signal_index"] = -1;
    j["phase"] = nullptr;
    j["time_in_phase"] = nullptr;
    j["controller"] = nullptr;
    j["override"] = nullptr;
    j["timeline"] = nlohmann::json::array();
    return j;
  }
  j["signal_index"] = signal;
  j["phase"] = m_runner->phase(signal);
  j["time_in_phase"] = m_runner->time_in_phase(signal);
  j["controller"] = m_runner->controller_name(signal);
  j["override"] = override_json(signal);
  nlohmann::json timeline = nlohmann::json::array();
  for (const auto& [t, p] : m_timeline[signal]) timeline.push_back({{"time", t}, {"phase", p}});
  j["timeline"] = std::move(timeline);
  return j;
}

nlohmann::json Service::control(const std::string& id, const ControlCommand& cmd) {
  const net::Network& net = *m_network;
  const IntersectionId iid = net.find_intersection(id);
  if (!iid.valid()) throw Error(ErrorCode::kNotFound, "id", "no intersection '" + id + "'");
  nlohmann::json detail = nlohmann::json::object();
  std::string action;
  nlohmann::json result;
  double now = 0;
  {
    std::lock_guard lock(m_engine_mutex);
    const std::size_t signal = m_runner->controlled_index(iid);
    if (signal == control::kNoIntersection) {
      throw Error(ErrorCode::kInvalidArgument, "id",
                  "intersection '" + id + "' has no signal the brain controls");
    }
    now = m_engine->time();
    switch (cmd.action) {
      case ControlCommand::Action::kController: {
        control::check_controller_name(cmd.controller, "controller");
        m_runner->switch_controller(signal, cmd.controller);
        action = "controller";
        detail["controller"] = cmd.controller;
        break;
      }
      case ControlCommand::Action::kHold: {
        if (cmd.seconds < 1 || cmd.seconds > kMaxHoldSeconds) {
          throw Error(ErrorCode::kInvalidArgument, "seconds",
                      "expected 1.." + std::to_string(kMaxHoldSeconds) + ", found " +
                          std::to_string(cmd.seconds));
        }
        // The runner checks the phase against this intersection's layout (which one is the yellow).
        if (cmd.phase < 0) {
          throw Error(ErrorCode::kInvalidArgument, "phase",
                      "expected a light phase index >= 0, found " + std::to_string(cmd.phase));
        }
        m_runner->hold(signal, static_cast<std::uint32_t>(cmd.phase),
                       now + static_cast<double>(cmd.seconds));
        action = "hold";
        detail["phase"] = cmd.phase;
        detail["seconds"] = cmd.seconds;
        break;
      }
      case ControlCommand::Action::kRelease:
        m_runner->release(signal);
        action = "release";
        break;
    }
    result = override_json(signal);
  }
  if (m_store) {
    AuditEntry e;
    e.sim_time = now;
    e.who = cmd.who;
    e.intersection = id;
    e.action = action;
    e.detail = detail.dump();
    e.reason = cmd.reason;
    m_store->audit(e);
  }
  return result;
}

nlohmann::json Service::set_sim(std::optional<bool> paused, std::optional<double> speed,
                                const std::string& who) {
  if (speed && !(*speed >= kMinSpeed && *speed <= kMaxSpeed)) {
    throw Error(ErrorCode::kInvalidArgument, "speed",
                "expected 0.1..1000, found " + nlohmann::json(*speed).dump());
  }
  nlohmann::json detail = nlohmann::json::object();
  if (paused) {
    m_paused = *paused;
    detail["paused"] = *paused;
  }
  if (speed) {
    m_speed = *speed;
    detail["speed"] = *speed;
  }
  {
    std::lock_guard lock(m_wake_mutex);
    m_woken = true;
  }
  m_wake_cv.notify_all();
  if (m_store) {
    AuditEntry e;
    e.sim_time = sim_time();
    e.who = who;
    e.action = "sim";
    e.detail = detail.dump();
    m_store->audit(e);
  }
  return health();
}

std::shared_ptr<const std::string> Service::latest_frame() const {
  std::lock_guard lock(m_snap_mutex);
  return m_frame;
}

std::uint64_t Service::add_client(double hz) {
  std::lock_guard lock(m_client_mutex);
  const std::uint64_t id = m_next_client++;
  m_clients[id] = hz;
  m_frame_wanted = true;
  return id;
}

void Service::set_client_hz(std::uint64_t client, double hz) {
  std::lock_guard lock(m_client_mutex);
  auto it = m_clients.find(client);
  if (it != m_clients.end()) it->second = hz;
}

void Service::remove_client(std::uint64_t client) {
  std::lock_guard lock(m_client_mutex);
  m_clients.erase(client);
}

std::size_t Service::clients() const {
  std::lock_guard lock(m_client_mutex);
  return m_clients.size();
}

double Service::max_client_hz() const {
  std::lock_guard lock(m_client_mutex);
  double hz = 0;
  for (const auto& [id, rate] : m_clients) hz = std::max(hz, rate);
  return hz;
}

}  // namespace citybrain::serve
