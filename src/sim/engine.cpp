// Engine construction, the step's orchestration, vehicle release and entry, and the apply phase.
// The driving model lives in driving.cpp and lane changing in lane_change.cpp.
#include "citybrain/sim/engine.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "citybrain/core/error.hpp"
#include "citybrain/core/rng.hpp"
#include "citybrain/core/thread_pool.hpp"

namespace citybrain::sim {

namespace {
constexpr std::int32_t kNotOnLink = std::numeric_limits<std::int32_t>::max();
constexpr std::uint64_t kLaneStream = 0x6c616e65;  // "lane"
}  // namespace

Engine::Engine(std::shared_ptr<const net::Network> network,
               std::shared_ptr<const demand::Demand> demand, SimConfig config)
    : m_net(std::move(network)),
      m_demand(std::move(demand)),
      m_config(config),
      m_pool(config.threads) {
  if (!(m_config.interval > 0)) {
    throw Error(ErrorCode::kInvalidArgument, "interval",
                "expected a positive step interval, found " + std::to_string(m_config.interval));
  }
  const net::Network& net = *m_net;
  const std::size_t n_lanes = net.lanes.size();
  const std::size_t n_links = net.lanelinks.size();
  m_drv_length.resize(n_lanes + n_links);
  m_drv_max_speed.resize(n_lanes + n_links);
  m_drv_width.resize(n_lanes + n_links);
  for (std::size_t l = 0; l < n_lanes; ++l) {
    m_drv_length[l] = net.lanes[l].length;
    m_drv_max_speed[l] = net.lanes[l].max_speed;
    m_drv_width[l] = net.lanes[l].width;
  }
  m_link_roadlink.resize(n_links);
  m_link_ends.resize(n_links);
  m_link_green.assign(n_links, 0);
  m_link_turn.resize(n_links);
  for (std::size_t k = 0; k < n_links; ++k) {
    const net::LaneLink& link = net.lanelinks[k];
    m_drv_length[n_lanes + k] = link.length;
    m_drv_max_speed[n_lanes + k] = 10000;  // CityFlow does not limit speed on lane links
    m_drv_width[n_lanes + k] = 4;
    m_link_roadlink[k] = link.roadlink.value;
    m_link_ends[k] = {link.from.value, link.to.value};
    m_link_turn[k] = net.roadlinks[link.roadlink.index()].type != net::TurnType::kStraight;
  }
  m_lists.resize(n_lanes + n_links);
  m_occupied.assign(n_lanes + n_links, 0);
  for (const demand::VehicleType& t : m_demand->types) add_type_consts(t);
  m_waiting.resize(n_lanes);
  m_waiting_head.assign(n_lanes, 0);
  m_phase.assign(net.intersections.size(), 0);
  m_phase_remaining.assign(net.intersections.size(), 0);
  m_phase_elapsed.assign(net.intersections.size(), 0);
  // Each signal group as a chain in index order, so that switching a group visits its members only.
  m_group_next.assign(net.intersections.size(), kNoIntersection);
  std::vector<std::uint32_t> group_last(net.intersections.size(), kNoIntersection);
  for (std::uint32_t i = 0; i < net.intersections.size(); ++i) {
    const std::uint32_t g = net.intersections[i].signal_group;
    if (g >= group_last.size()) continue;
    if (group_last[g] != kNoIntersection) m_group_next[group_last[g]] = i;
    group_last[g] = i;
  }
  if (net.options.keep_clear || net.options.lane_balance) {
    m_in_begin.assign(n_lanes + 1, 0);
    for (const net::LaneLink& link : net.lanelinks) ++m_in_begin[link.to.index() + 1];
    for (std::size_t l = 0; l < n_lanes; ++l) m_in_begin[l + 1] += m_in_begin[l];
    m_in_links.resize(n_links);
    std::vector<std::uint32_t> fill(m_in_begin.begin(), m_in_begin.end() - 1);
    for (std::size_t k = 0; k < n_links; ++k) {
      m_in_links[fill[net.lanelinks[k].to.index()]++] = static_cast<std::uint32_t>(k);
    }
  }
  for (std::size_t i = 0; i < net.intersections.size(); ++i) {
    const net::Intersection& inter = net.intersections[i];
    if (inter.is_virtual || inter.phases.empty()) continue;
    const std::uint32_t leader = inter.signal_group;
    const bool follows = inter.actuated && leader != i &&
                         net.intersections[leader].phases.size() == inter.phases.size() &&
                         net.intersections[leader].actuated;
    if (!follows) m_timed.push_back(static_cast<std::uint32_t>(i));
    m_phase_remaining[i] = net.phases[inter.phases.begin].time;
    if (!m_config.rl_traffic_light) {
      double cycle = 0;
      for (std::uint32_t p = inter.phases.begin; p < inter.phases.end; ++p)
        cycle += net.phases[p].time;
      if (!(cycle > 0)) {
        throw Error(ErrorCode::kInvalidInput, "intersection " + inter.id,
                    "all light phase times are 0 (expected a positive cycle when "
                    "rlTrafficLight is false)");
      }
    }
  }
  if (!m_config.parallel_threshold) {
    const net::NetworkOptions& o = net.options;
    m_config.parallel_threshold = o.keep_clear || o.lane_balance || o.route_trips ? 512 : 2048;
  }
  m_route_lanes = net.options.lane_balance && !m_config.lane_change;
  if (net.options.lane_balance) init_route_lookahead();  // lane_change.cpp
  // Actuated lights: where SUMO places each lane's loop detector before the stop line (its
  // detector-gap of 2 s at the lane's speed, at most (minDur / passing-time 1.9 s + 0.5) vehicles
  // of 7.5 m, so that the queue before it clears within the minimum green).
  m_detector_dist.assign(n_lanes, std::numeric_limits<double>::max());
  for (const net::Intersection& inter : net.intersections) {
    if (!inter.actuated) continue;
    for (std::uint32_t k = inter.lanelinks.begin; k < inter.lanelinks.end; ++k) {
      // The shortest minimum green among the actuated phases that show the lane a green link.
      double& min_dur = m_detector_dist[net.lanelinks[k].from.index()];
      for (std::uint32_t p = inter.phases.begin; p < inter.phases.end; ++p) {
        const net::Phase& ph = net.phases[p];
        if (ph.min_time < ph.max_time &&
            net.phase_allows(p, net.roadlinks[net.lanelinks[k].roadlink.index()].index))
          min_dur = std::min(min_dur, ph.min_time);
      }
    }
  }
  for (std::size_t l = 0; l < n_lanes; ++l) {
    double& d = m_detector_dist[l];
    d = d == std::numeric_limits<double>::max()
            ? 0
            : std::min(2.0 * net.lanes[l].max_speed, (d / 1.9 + 0.5) * 7.5);
  }
  if (net.options.route_trips) init_trip_routing();
  for (std::size_t i = 0; i < net.intersections.size(); ++i) refresh_green(i);

  const auto& flows = m_demand->flows;
  m_flow_state.resize(flows.size());
  m_flow_order.resize(flows.size());
  for (std::size_t f = 0; f < flows.size(); ++f) {
    m_flow_state[f].now = flows[f].interval;
    m_flow_order[f] = static_cast<std::uint32_t>(f);
  }
  std::stable_sort(m_flow_order.begin(), m_flow_order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return flows[a].start < flows[b].start;
  });
  // Room for an hour of the demand up front, so that releasing vehicles rarely allocates.
  const std::size_t expected =
      std::min<std::size_t>(m_demand->estimate_vehicles(3600), std::size_t{1} << 22);
  resize_slots(std::max<std::size_t>(1024, expected / 2));
  m_trip_flow.reserve(expected);
  m_trip_seq.reserve(expected);
  m_trip_shadow_of.reserve(expected);
}

Engine::TypeConsts Engine::type_consts(const demand::VehicleType& t) const {
  auto decel = [](double d) {
    Decel out;
    out.half_inverse = 0.5 / d;
    out.half_over_half_inverse = 0.5 / out.half_inverse;
    return out;
  };
  TypeConsts c;
  c.max_neg = decel(t.max_neg_acc);
  c.usual_neg = decel(t.usual_neg_acc);
  c.approach =
      t.max_speed * t.max_speed / t.usual_neg_acc / 2 + t.max_speed * m_config.interval * 2;
  c.headway_denominator = t.headway_time + m_config.interval / 2;
  return c;
}

void Engine::add_type_consts(const demand::VehicleType& t) {
  m_type_consts.push_back(type_consts(t));
  m_max_approach = std::max(m_max_approach, m_type_consts.back().approach);
}

Engine::Engine(const Engine& other) = default;
Engine& Engine::operator=(const Engine& other) = default;
Engine::Engine(Engine&&) noexcept = default;
Engine& Engine::operator=(Engine&&) noexcept = default;
Engine::~Engine() = default;

namespace detail {
PoolHandle::PoolHandle(int threads) : m_pool(std::make_unique<ThreadPool>(threads)) {}
PoolHandle::PoolHandle(const PoolHandle& other)
    : m_pool(std::make_unique<ThreadPool>(other.m_pool->size())) {}
PoolHandle& PoolHandle::operator=(const PoolHandle& other) {
  if (m_pool->size() != other.m_pool->size()) {
    m_pool = std::make_unique<ThreadPool>(other.m_pool->size());
  }
  return *this;
}
PoolHandle::PoolHandle(PoolHandle&&) noexcept = default;
PoolHandle& PoolHandle::operator=(PoolHandle&&) noexcept = default;
PoolHandle::~PoolHandle() = default;
}  // namespace detail

void Engine::set_threads(int threads) {
  m_config.threads = std::max(1, threads);
  m_pool = detail::PoolHandle(m_config.threads);
}

void Engine::resize_slots(std::size_t n) {
  m_veh.resize(n);
  m_next.resize(n);
  m_aux.resize(n);
  m_lane_view.resize(n);
  m_trip.resize(n);
}

Slot Engine::start_trip(std::uint32_t flow, std::uint32_t seq, std::uint32_t shadow_of) {
  Slot v;
  if (!m_free.empty()) {
    v = m_free.back();
    m_free.pop_back();
  } else {
    if (m_slots_used == m_veh.size()) resize_slots(m_veh.size() * 2);
    v = static_cast<Slot>(m_slots_used++);
  }
  m_veh[v] = Vehicle{};
  m_next[v] = VehicleNext{};
  m_aux[v] = VehicleAux{};
  m_lane_view[v] = LaneView{};
  m_trip[v] = static_cast<std::uint32_t>(m_trip_flow.size());
  m_trip_flow.push_back(flow);
  m_trip_seq.push_back(seq);
  m_trip_shadow_of.push_back(shadow_of);
  m_aux[v].priority = static_cast<std::int32_t>(permute_u32(m_config.seed, m_priority_counter++));
  return v;
}

Slot Engine::release_vehicle(std::uint32_t flow, std::uint32_t seq, std::uint32_t type,
                             std::uint32_t route) {
  Slot v = start_trip(flow, seq, kNoTrip);
  m_veh[v].type = type;
  m_veh[v].route = route;
  m_veh[v].route_pos = 0;
  m_aux[v].gen_time = time();
  m_veh[v].drv = first_lane(route, m_trip[v]);
  refresh_plan(v);
  std::uint32_t lane = m_veh[v].drv;
  if (m_waiting_head[lane] == m_waiting[lane].size()) {
    m_waiting_lanes.insert(std::lower_bound(m_waiting_lanes.begin(), m_waiting_lanes.end(), lane),
                           lane);
  }
  m_waiting[lane].push_back(v);
  ++m_waiting_total;
  ++m_generated;
  ++m_pool_size;
  m_pool_gen_time_sum += m_aux[v].gen_time;
  return v;
}

void Engine::free_slot(Slot v) {
  m_veh[v].drv = kNoDrivable;
  m_free.push_back(v);
}

void Engine::set_phase(IntersectionId intersection, std::uint32_t phase) {
  if (!m_config.rl_traffic_light) {
    throw Error(ErrorCode::kInvalidArgument, "set_phase",
                "signals cycle by themselves when rlTrafficLight is false");
  }
  if (!intersection.valid() || intersection.index() >= m_net->intersections.size()) {
    throw Error(ErrorCode::kNotFound, "set_phase", "unknown intersection index");
  }
  const net::Intersection& inter = m_net->intersections[intersection.index()];
  if (phase >= inter.phases.size()) {
    throw Error(ErrorCode::kInvalidArgument, "intersection " + inter.id,
                "phase " + std::to_string(phase) + " does not exist (expected 0.." +
                    std::to_string(static_cast<int>(inter.phases.size()) - 1) + ")");
  }
  m_phase[intersection.index()] = phase;
  refresh_green(intersection.index());
}

std::size_t Engine::waiting_to_enter() const {
  return m_waiting_total;
}

double Engine::average_travel_time_cityflow() const {
  double now = time();
  double total = m_cf_travel_time + now * static_cast<double>(m_pool_size) - m_pool_gen_time_sum;
  std::size_t n = m_cf_finished + m_pool_size;
  return n == 0 ? 0.0 : total / static_cast<double>(n);
}

std::uint32_t Engine::lane_waiting_count(LaneId lane) const {
  std::uint32_t count = 0;
  for (Slot v : m_lists[lane.index()]) count += m_veh[v].speed < 0.1;
  return count;
}

double Engine::lane_queue_length(LaneId lane) const {
  const auto& list = m_lists[lane.index()];
  double length = m_drv_length[lane.index()];
  double queue = 0;
  for (Slot v : list) {
    if (m_veh[v].speed >= 0.1) break;
    queue = length - (m_veh[v].dis - m_demand->types[m_veh[v].type].length);
  }
  return std::max(0.0, queue);
}

// ---------------------------------------------------------------------------------------------
// Routing

DrivableId Engine::next_drivable(DrivableId from, std::uint32_t route_pos, Slot v) const {
  const net::Network& net = *m_net;
  const std::uint32_t n_lanes = static_cast<std::uint32_t>(net.lanes.size());
  if (from >= n_lanes) return net.lanelinks[from - n_lanes].to.value;
  const net::Lane& lane = net.lanes[from];
  auto route = route_of(m_veh[v].route);
  std::uint32_t p = route_pos;
  while (p < route.size() && route[p] != lane.road) ++p;
  if (p + 1 >= route.size()) return kNoDrivable;
  if (net.options.lane_balance) return next_drivable_balanced(lane, from, route, p, v);
  RoadId next_road = route[p + 1];
  bool has_after = p + 2 < route.size();
  RoadId after = has_after ? route[p + 2] : RoadId::invalid();
  DrivableId best = kNoDrivable;
  std::uint32_t best_diff = std::numeric_limits<std::uint32_t>::max();
  for (LaneLinkId k : net.lane_links(LaneId(from))) {
    const net::LaneLink& link = net.lanelinks[k.index()];
    const net::Lane& to = net.lanes[link.to.index()];
    if (to.road != next_road) continue;
    if (has_after) {
      bool onward = false;
      for (LaneLinkId k2 : net.lane_links(link.to)) {
        if (net.lanes[net.lanelinks[k2.index()].to.index()].road == after) {
          onward = true;
          break;
        }
      }
      if (!onward) continue;
    }
    std::uint32_t diff = to.index > lane.index ? to.index - lane.index : lane.index - to.index;
    if (diff < best_diff) {
      best_diff = diff;
      best = n_lanes + k.value;
    }
  }
  return best;
}

DrivableId Engine::planned(Slot v, int i) const {
  DrivableId d = m_veh[v].next_drv;
  for (int j = 1; j <= i && d != kNoDrivable; ++j) d = next_drivable(d, m_veh[v].route_pos, v);
  return d;
}

void Engine::refresh_plan(Slot v) {
  m_veh[v].next_drv = next_drivable(m_veh[v].drv, m_veh[v].route_pos, v);
}

bool Engine::on_last_road(Slot v) const {
  DrivableId d = m_veh[v].drv;
  if (!is_lane(d)) return false;
  auto route = route_of(m_veh[v].route);
  return m_net->lanes[d].road == route.back();
}

bool Engine::on_valid_lane(Slot v) const {
  return !(m_veh[v].next_drv == kNoDrivable && !on_last_road(v));
}

DrivableId Engine::first_lane(std::uint32_t route_id, std::uint64_t counter) const {
  const net::Network& net = *m_net;
  auto route = route_of(route_id);
  const net::Road& road = net.roads[route[0].index()];
  std::uint32_t candidates[64];
  std::uint32_t n = 0;
  if (net.options.lane_balance) {
    n = first_lane_candidates(route, candidates);
    return candidates[random_u64(m_config.seed, kLaneStream, counter) % n];
  }
  for (std::uint32_t i = 0; i < road.lane_count && n < 64; ++i) {
    LaneId lane(road.first_lane.value + i);
    bool ok = route.size() == 1;
    for (LaneLinkId k : net.lane_links(lane)) {
      if (ok) break;
      ok = net.lanes[net.lanelinks[k.index()].to.index()].road == route[1];
    }
    if (ok) candidates[n++] = lane.value;
  }
  if (n == 0) return road.first_lane.value;  // unreachable: routes are validated at load
  return candidates[random_u64(m_config.seed, kLaneStream, counter) % n];
}

// ---------------------------------------------------------------------------------------------
// The step

void Engine::step() {
  generate();
  enter_waiting();
  collect_active();
  if (m_refresh_leaders) {
    // Placed vehicles found their leaders in placement order; now that all stand, look again.
    m_refresh_leaders = false;
    update_leaders();
  }
  if (m_config.lane_change) {
    plan_lane_changes();
    schedule_lane_changes();
    collect_active();
    update_leaders();
  }
  if (m_route_lanes) {
    change_to_route_lanes();
    refresh_upstream_fronts();
  }
  compute_speeds();
  compute_moves();
  for (Slot v : m_coop_set) m_lane_view[v].coop = kNoVehicle;
  m_coop_set.clear();
  apply_moves();
  collect_active();
  update_vehicles();
  if (m_route_trips) sample_road_speeds();
  if (m_step % kCompactEvery == kCompactEvery - 1) compact_slots();
  if (!m_config.rl_traffic_light) pass_signal_time();
  m_vehicle_steps += m_running;
  ++m_step;
}

void Engine::generate() {
  const auto& flows = m_demand->flows;
  const double clock = m_flow_clock;
  while (m_flow_next < m_flow_order.size() && flows[m_flow_order[m_flow_next]].start <= clock) {
    m_active_flows.push_back(m_flow_order[m_flow_next++]);
  }
  std::size_t kept = 0;
  for (std::size_t i = 0; i < m_active_flows.size(); ++i) {
    std::uint32_t f = m_active_flows[i];
    const demand::Flow& flow = flows[f];
    if (flow.end != -1 && clock > flow.end) continue;  // finished for good
    m_active_flows[kept++] = f;
    FlowState& state = m_flow_state[f];
    while (state.now >= flow.interval) {
      const std::uint32_t seq = state.count++;
      std::uint32_t route = flow.route.value;
      if (m_route_trips && flow.route_at_insertion) route = route_trip(route);
      release_vehicle(f, seq, flow.type.value, route);
      state.now -= flow.interval;
    }
    state.now += m_config.interval;
  }
  m_active_flows.resize(kept);
  m_flow_clock += m_config.interval;
}

void Engine::enter_waiting() {
  std::size_t kept = 0;
  for (std::size_t i = 0; i < m_waiting_lanes.size(); ++i) {
    std::uint32_t lane = m_waiting_lanes[i];
    auto& queue = m_waiting[lane];
    std::uint32_t& head = m_waiting_head[lane];
    Slot v = queue[head];
    if (lane_available(lane, v)) {
      auto& list = m_lists[lane];
      Slot tail = list.empty() ? kNoVehicle : list.back();
      list.push_back(v);
      m_occupied[lane] = 1;
      ++m_running;
      --m_waiting_total;
      m_veh[v].enter_link_step = kNotOnLink;
      m_aux[v].enter_time = time();
      update_leader_and_gap(v, tail);
      if (m_route_lanes) m_changed_tails.push_back(lane);  // seen from upstream
      ++head;
      if (head == queue.size()) {
        queue.clear();
        head = 0;
        continue;  // the lane's queue is empty
      }
      if (head >= 64 && head * 2 >= queue.size()) {
        queue.erase(queue.begin(), queue.begin() + head);
        head = 0;
      }
    }
    m_waiting_lanes[kept++] = lane;
  }
  m_waiting_lanes.resize(kept);
}

bool Engine::phase_has_demand(std::size_t intersection) const {
  // SUMO's actuated logic: a loop detector on each lane, detector-gap (2 s) at the lane's speed
  // before the stop line, nearer when a phase giving the lane green has a short minimum (see the
  // constructor); it serves a phase that lists all the lane's links as actuating (the SUMO importer
  // writes SUMO's rules there). A vehicle standing on it or that passed it within max-gap (3 s)
  // keeps the green; vehicles queued between the loop and the stop line do not.
  const net::Intersection& inter = m_net->intersections[intersection];
  const std::uint32_t phase = inter.phases.begin + m_phase[intersection];
  for (std::uint32_t k = inter.lanelinks.begin; k < inter.lanelinks.end; ++k) {
    if (!m_link_green[k]) continue;
    const DrivableId lane = m_link_ends[k].first;
    const auto& list = m_lists[lane];
    if (list.empty()) continue;
    bool every = true;
    for (LaneLinkId l : m_net->lane_links(LaneId(lane))) {
      every =
          every && m_net->phase_actuates(phase, m_net->roadlinks[m_link_roadlink[l.index()]].index);
    }
    if (!every) continue;
    const double loop = std::max(0.0, m_drv_length[lane] - m_detector_dist[lane]);
    for (Slot v : list) {
      const double front = m_veh[v].dis;
      if (front < loop) break;
      if (front - m_demand->types[m_veh[v].type].length <= loop ||
          front - loop <= 3.0 * m_veh[v].speed)
        return true;
    }
  }
  return false;
}

void Engine::pass_signal_time() {
  const net::Network& net = *m_net;
  for (const std::uint32_t i : m_timed) {
    const net::Intersection& inter = net.intersections[i];
    if (inter.actuated) {
      m_phase_elapsed[i] += m_config.interval;
      const net::Phase& ph = net.phases[inter.phases.begin + m_phase[i]];
      const double elapsed = m_phase_elapsed[i] + 1e-9;
      bool next = false;
      if (ph.min_time < ph.max_time) {
        if (elapsed >= ph.max_time) {
          next = true;
        } else if (elapsed >= ph.min_time) {
          next = true;
          for (std::uint32_t j = i; j != kNoIntersection && next; j = m_group_next[j]) {
            if (phase_has_demand(j)) next = false;
          }
        }
      } else {
        next = elapsed >= ph.time;
      }
      if (!next) continue;
      m_phase[i] = (m_phase[i] + 1) % inter.phases.size();
      m_phase_elapsed[i] = 0;
      refresh_green(i);
      for (std::uint32_t j = m_group_next[i]; j != kNoIntersection; j = m_group_next[j]) {
        if (net.intersections[j].phases.size() != inter.phases.size() ||
            !net.intersections[j].actuated)
          continue;
        m_phase[j] = m_phase[i];
        m_phase_elapsed[j] = 0;
        refresh_green(j);
      }
      continue;
    }
    m_phase_remaining[i] -= m_config.interval;
    if (m_phase_remaining[i] > 0.0) continue;
    while (m_phase_remaining[i] <= 0.0) {
      m_phase[i] = (m_phase[i] + 1) % inter.phases.size();
      m_phase_remaining[i] += net.phases[inter.phases.begin + m_phase[i]].time;
    }
    refresh_green(i);
  }
}

void Engine::compact_slots() {
  // Renumber vehicles in drivable order so that a lane's vehicles sit next to each other in memory
  // and each thread writes its own stretch. Slot numbers carry no meaning: results are unchanged.
  const std::size_t capacity = m_veh.size();
  m_new_slot.assign(capacity, kNoVehicle);
  Slot next = 0;
  for (DrivableId d : m_active) {
    for (Slot v : m_lists[d]) m_new_slot[v] = next++;
  }
  for (std::size_t lane = 0; lane < m_waiting.size(); ++lane) {
    for (std::size_t i = m_waiting_head[lane]; i < m_waiting[lane].size(); ++i) {
      m_new_slot[m_waiting[lane][i]] = next++;
    }
  }
  auto remap = [&](Slot& s) {
    if (s != kNoVehicle) s = m_new_slot[s];
  };
  m_veh_scratch.resize(capacity);
  m_next_scratch.resize(capacity);
  m_aux_scratch.resize(capacity);
  m_lane_view_scratch.resize(capacity);
  m_trip_scratch.resize(capacity);
  for (std::size_t v = 0; v < m_slots_used; ++v) {
    Slot to = m_new_slot[v];
    if (to == kNoVehicle) continue;
    Vehicle veh = m_veh[v];
    VehicleNext buffered = m_next[v];
    VehicleAux aux = m_aux[v];
    remap(veh.leader);
    remap(veh.blocker);
    remap(buffered.new_blocker);
    remap(aux.partner);
    remap(aux.target_leader);
    remap(aux.target_follower);
    remap(aux.signal_recv);
    m_veh_scratch[to] = veh;
    m_next_scratch[to] = buffered;
    m_aux_scratch[to] = aux;
    m_lane_view_scratch[to] = m_lane_view[v];
    m_trip_scratch[to] = m_trip[v];
  }
  m_veh.swap(m_veh_scratch);
  m_next.swap(m_next_scratch);
  m_aux.swap(m_aux_scratch);
  m_lane_view.swap(m_lane_view_scratch);
  m_trip.swap(m_trip_scratch);
  for (DrivableId d : m_active) {
    for (Slot& v : m_lists[d]) v = m_new_slot[v];
  }
  for (std::size_t lane = 0; lane < m_waiting.size(); ++lane) {
    for (std::size_t i = m_waiting_head[lane]; i < m_waiting[lane].size(); ++i) {
      m_waiting[lane][i] = m_new_slot[m_waiting[lane][i]];
    }
  }
  m_slots_used = next;
  m_free.clear();
}

std::size_t Engine::compact_occupied(std::size_t begin, std::size_t end, DrivableId* out) const {
  // Most lane links are empty: skip eight unoccupied drivables at a time.
  const std::uint8_t* occupied = m_occupied.data();
  std::size_t count = 0;
  std::size_t d = begin;
  for (; d + 8 <= end; d += 8) {
    std::uint64_t word;
    std::memcpy(&word, occupied + d, sizeof word);
    if (word == 0) continue;
    for (std::size_t k = d; k < d + 8; ++k) {
      out[count] = static_cast<DrivableId>(k);
      count += occupied[k];
    }
  }
  for (; d < end; ++d) {
    out[count] = static_cast<DrivableId>(d);
    count += occupied[d];
  }
  return count;
}

void Engine::collect_active() {
  const std::size_t n = m_occupied.size();
  if (m_active.ids.size() != n) m_active.ids.resize(n);
  DrivableId* ids = m_active.ids.data();
  const std::size_t threads = static_cast<std::size_t>(m_pool->size());
  m_active_split.assign(threads + 1, 0);
  if (threads == 1 || m_running < *m_config.parallel_threshold) {
    const std::size_t count = compact_occupied(0, n, ids);
    m_active.count = count;
    for (std::size_t w = 1; w <= threads; ++w) m_active_split[w] = count * w / threads;
    return;
  }
  // Each thread compacts its share of the drivables in place and counts the vehicles on them so
  // far; the shares then close up. The split between the threads goes by vehicles, not by
  // drivables (a lane with a queue weighs more than an empty lane link): thread w starts after the
  // first drivable that brings the count to w / threads of all vehicles.
  if (m_active_seen.size() != n) m_active_seen.resize(n);
  std::uint32_t* seen = m_active_seen.data();
  m_share_bounds.resize(threads + 1);
  for (std::size_t s = 0; s <= threads; ++s) m_share_bounds[s] = n * s / threads;
  m_share_counts.assign(threads, 0);
  m_share_vehicles.assign(threads, 0);
  m_pool->parallel_pieces(m_share_bounds, 1,
                          [&](std::size_t begin, std::size_t end, std::size_t share) {
                            const std::size_t count = compact_occupied(begin, end, ids + begin);
                            std::uint32_t vehicles = 0;
                            for (std::size_t i = begin; i < begin + count; ++i) {
                              vehicles += static_cast<std::uint32_t>(m_lists[ids[i]].size());
                              seen[i] = vehicles;
                            }
                            m_share_counts[share] = count;
                            m_share_vehicles[share] = vehicles;
                          });
  std::size_t total = 0;
  for (std::uint32_t v : m_share_vehicles) total += v;
  std::size_t w = 1;
  std::size_t count = 0;
  std::size_t before = 0;  // vehicles in the shares before this one
  for (std::size_t s = 0; s < threads; ++s) {
    const std::size_t begin = m_share_bounds[s];
    const std::size_t share = m_share_counts[s];
    const std::size_t after = before + m_share_vehicles[s];
    for (; w < threads && share > 0 && after * threads >= total * w; ++w) {
      const std::uint32_t* first = seen + begin;
      const std::uint32_t* it = std::partition_point(first, first + share, [&](std::uint32_t x) {
        return (before + x) * threads < total * w;
      });
      m_active_split[w] = count + static_cast<std::size_t>(it - first) + 1;
    }
    if (count != begin) std::memmove(ids + count, ids + begin, share * sizeof(DrivableId));
    count += share;
    before = after;
  }
  m_active.count = count;
  for (; w <= threads; ++w) m_active_split[w] = count;
}

void Engine::update_leaders_on(DrivableId d) {
  Slot leader = kNoVehicle;
  for (Slot v : m_lists[d]) {
    update_leader_and_gap(v, leader);
    leader = v;
  }
}

void Engine::update_leaders() {
  m_pool->parallel_pieces(
      m_active_split, kPieces,
      [&](std::size_t begin, std::size_t end, std::size_t) {
        for (std::size_t i = begin; i < end; ++i) update_leaders_on(m_active[i]);
      },
      m_running, *m_config.parallel_threshold);
}

void Engine::apply_moves() {
  const double now = time();
  const std::uint32_t n_lanes = static_cast<std::uint32_t>(m_net->lanes.size());
  // Collect leaving vehicles in drivable order (front first), which is also CityFlow's order of
  // removal from each drivable.
  m_removed.clear();
  m_push_buffer.clear();
  for (const auto& leaving : m_leaving)
    m_removed.insert(m_removed.end(), leaving.begin(), leaving.end());
  if (m_removed.empty()) return;

  // Lane-change endings touch the partner, so they run here, serially, in a fixed order. An
  // aborted change (the shadow left its lane) wins over a change that finished in the same step.
  for (Slot v : m_removed) {
    if (!m_next[v].aborted) continue;
    Slot real = m_aux[v].partner;
    if (real == kNoVehicle) continue;
    m_veh[real].changing = 0;
    m_veh[real].partner_type = 0;
    m_aux[real].offset = 0;
    m_aux[real].partner = kNoVehicle;
    if (m_next[real].finished_change) {
      m_next[real].finished_change = 0;
      bool reached_end = m_next[real].moved && m_next[real].new_drv == kNoDrivable;
      if (!reached_end) m_next[real].ended = 0;
    }
  }
  for (Slot v : m_removed) {
    if (!m_next[v].finished_change) continue;
    Slot shadow = m_aux[v].partner;
    m_veh[v].changing = 0;
    m_veh[v].lc_finished = 1;
    m_aux[v].last_change_time = now;
    if (shadow != kNoVehicle) {
      m_veh[shadow].partner_type = 0;
      m_aux[shadow].offset = 0;
      m_aux[shadow].partner = kNoVehicle;
      m_trip[shadow] = m_trip[v];
    }
    m_aux[v].partner = kNoVehicle;
  }

  for (Slot v : m_removed) {
    if (!m_next[v].ended && !m_next[v].moved) continue;
    auto& list = m_lists[m_veh[v].drv];
    list.erase(std::find(list.begin(), list.end(), v));
    m_occupied[m_veh[v].drv] = !list.empty();
    if (m_next[v].ended) {
      --m_running;
      --m_pool_size;
      m_pool_gen_time_sum -= m_aux[v].gen_time;
      Slot partner = m_aux[v].partner;
      if (partner != kNoVehicle && !m_next[partner].ended) {
        // The other half of a lane change goes on alone.
        m_veh[partner].partner_type = 0;
        m_aux[partner].partner = kNoVehicle;
        m_aux[partner].offset = 0;
        m_veh[partner].changing = 0;
      }
      if (!m_veh[v].lc_finished) {
        ++m_cf_finished;
        m_cf_travel_time += now - m_aux[v].gen_time;
        if (m_veh[v].partner_type != 2 && !m_next[v].aborted) {
          ++m_finished_trips;
          m_trip_duration_sum += now - m_aux[v].enter_time;
          const DrivableId d = m_veh[v].drv;
          m_trips_off_route +=
              !is_lane(d) || m_net->lanes[d].road != route_of(m_veh[v].route).back();
        }
      }
      free_slot(v);
    } else {
      m_push_buffer.push_back(
          {m_next[v].new_dis, static_cast<std::uint32_t>(m_push_buffer.size()), v});
    }
  }
  // Farthest first, as CityFlow pushes; equal distances keep drivable order (a total order, so
  // the in-place sort needs no buffer).
  std::sort(m_push_buffer.begin(), m_push_buffer.end(), [](const Push& a, const Push& b) {
    return a.dis > b.dis || (a.dis == b.dis && a.order < b.order);
  });
  for (const Push& push : m_push_buffer) {
    const Slot v = push.vehicle;
    DrivableId d = m_next[v].new_drv;
    m_lists[d].push_back(v);
    m_occupied[d] = 1;
    m_veh[v].enter_link_step = d >= n_lanes ? static_cast<std::int32_t>(m_step) : kNotOnLink;
  }
}

}  // namespace citybrain::sim
