// Imported cities: trips routed when each vehicle is released, as SUMO routes incomplete routes
// at insertion with its routing device. A road's effort is its length over the mean speed of the
// vehicles on it (its free speed when empty), averaged over the last 180 samples; crossing a
// junction costs the lane link's length at the next road's free speed.
#include <algorithm>
#include <limits>

#include "citybrain/sim/engine.hpp"

namespace citybrain::sim {

namespace {
constexpr double kMinSpeed = 0.1;  // m/s: a standing queue still has a finite effort
}  // namespace

double Engine::effort(std::size_t road) const {
  const double mean = m_speed_sum[road] / static_cast<double>(kSpeedWindow);
  return m_road_length[road] / std::max(mean, kMinSpeed);
}

void Engine::init_trip_routing() {
  const net::Network& net = *m_net;
  bool any = false;
  for (const demand::Flow& f : m_demand->flows) any |= f.route_at_insertion;
  if (!any) return;
  m_route_trips = true;
  const std::size_t n_roads = net.roads.size();
  m_road_length.assign(n_roads, 0);
  m_road_free_speed.assign(n_roads, 0);
  for (std::size_t r = 0; r < n_roads; ++r) {
    const net::Road& road = net.roads[r];
    for (std::uint32_t i = 0; i < road.lane_count; ++i) {
      const net::Lane& lane = net.lanes[road.first_lane.value + i];
      m_road_length[r] = std::max(m_road_length[r], lane.length);
      m_road_free_speed[r] = std::max(m_road_free_speed[r], lane.max_speed);
    }
    m_road_free_speed[r] = std::max(m_road_free_speed[r], kMinSpeed);
  }
  m_speed_ring.resize(n_roads * kSpeedWindow);
  m_speed_sum.resize(n_roads);
  for (std::size_t r = 0; r < n_roads; ++r) {
    std::fill_n(m_speed_ring.begin() + static_cast<std::ptrdiff_t>(r * kSpeedWindow), kSpeedWindow,
                m_road_free_speed[r]);
    m_speed_sum[r] = m_road_free_speed[r] * static_cast<double>(kSpeedWindow);
  }
  m_effort.resize(n_roads);
  for (std::size_t r = 0; r < n_roads; ++r) m_effort[r] = effort(r);
  // Successors by road link; several links between two roads keep the cheapest.
  std::vector<std::vector<std::pair<std::uint32_t, double>>> next(n_roads);
  for (const net::RoadLink& rl : net.roadlinks) {
    double length = std::numeric_limits<double>::infinity();
    for (std::uint32_t k = rl.lanelinks.begin; k < rl.lanelinks.end; ++k) {
      length = std::min(length, net.lanelinks[k].length);
    }
    if (!std::isfinite(length)) continue;
    const double cost = length / m_road_free_speed[rl.to.index()];
    auto& out = next[rl.from.index()];
    auto it =
        std::find_if(out.begin(), out.end(), [&](const auto& e) { return e.first == rl.to.value; });
    if (it == out.end()) {
      out.push_back({rl.to.value, cost});
    } else {
      it->second = std::min(it->second, cost);
    }
  }
  m_next_begin.assign(n_roads + 1, 0);
  for (std::size_t r = 0; r < n_roads; ++r) {
    m_next_begin[r + 1] = m_next_begin[r] + static_cast<std::uint32_t>(next[r].size());
    for (const auto& [to, cost] : next[r]) {
      m_next_road.push_back(to);
      m_next_cost.push_back(cost);
    }
  }
  m_road_sample_sum.assign(n_roads, 0);
  m_road_sample_count.assign(n_roads, 0);
}

void Engine::sample_road_speeds() {
  const net::Network& net = *m_net;
  const std::uint32_t n_lanes = static_cast<std::uint32_t>(net.lanes.size());
  for (DrivableId d : m_active) {
    if (d >= n_lanes) break;  // lane links follow the lanes
    const std::uint32_t r = net.lanes[d].road.value;
    for (Slot v : m_lists[d]) {
      if (m_veh[v].partner_type == 2) continue;  // a lane-change shadow
      m_road_sample_sum[r] += m_veh[v].speed;
      ++m_road_sample_count[r];
    }
  }
  const std::size_t n_roads = net.roads.size();
  for (std::size_t r = 0; r < n_roads; ++r) {
    const double sample = m_road_sample_count[r] > 0 ? m_road_sample_sum[r] / m_road_sample_count[r]
                                                     : m_road_free_speed[r];
    double& slot = m_speed_ring[r * kSpeedWindow + m_ring_pos];
    m_speed_sum[r] += sample - slot;
    slot = sample;
    m_effort[r] = effort(r);
    m_road_sample_sum[r] = 0;
    m_road_sample_count[r] = 0;
  }
  m_ring_pos = (m_ring_pos + 1) % kSpeedWindow;
}

std::uint32_t Engine::route_trip(std::uint32_t demand_route) {
  const auto planned = m_demand->route(RouteId(demand_route));
  if (planned.size() < 2) return demand_route;
  const std::uint32_t from = planned.front().value, to = planned.back().value;
  const std::size_t n_roads = m_road_length.size();
  constexpr double kInf = std::numeric_limits<double>::infinity();
  if (m_dist.size() != n_roads) {  // first use, also in a copy of the engine
    m_dist.assign(n_roads, kInf);
    m_prev.assign(n_roads, 0);
  }
  for (std::uint32_t r : m_reached) m_dist[r] = kInf;
  m_reached.clear();
  m_heap.clear();
  m_dist[from] = 0;
  m_reached.push_back(from);
  m_heap.push_back({0.0, from});
  auto later = [](const auto& a, const auto& b) {
    return a.first > b.first || (a.first == b.first && a.second > b.second);
  };
  while (!m_heap.empty()) {
    std::pop_heap(m_heap.begin(), m_heap.end(), later);
    const auto [d, u] = m_heap.back();
    m_heap.pop_back();
    if (d > m_dist[u]) continue;
    if (u == to) break;
    for (std::uint32_t i = m_next_begin[u]; i < m_next_begin[u + 1]; ++i) {
      const std::uint32_t w = m_next_road[i];
      const double nd = d + m_next_cost[i] + m_effort[w];
      if (nd < m_dist[w]) {
        if (m_dist[w] == kInf) m_reached.push_back(w);
        m_dist[w] = nd;
        m_prev[w] = u;
        m_heap.push_back({nd, w});
        std::push_heap(m_heap.begin(), m_heap.end(), later);
      }
    }
  }
  if (!(m_dist[to] < kInf) || n_roads == 0) return demand_route;
  m_path.clear();
  for (std::uint32_t r = to; r != from; r = m_prev[r]) m_path.push_back(RoadId(r));
  m_path.push_back(RoadId(from));
  std::reverse(m_path.begin(), m_path.end());
  if (std::equal(m_path.begin(), m_path.end(), planned.begin(), planned.end())) {
    return demand_route;
  }
  const auto begin = static_cast<std::uint32_t>(m_local_roads.size());
  m_local_roads.insert(m_local_roads.end(), m_path.begin(), m_path.end());
  m_local_routes.push_back({begin, static_cast<std::uint32_t>(m_local_roads.size())});
  return kLocalRoute | static_cast<std::uint32_t>(m_local_routes.size() - 1);
}

}  // namespace citybrain::sim
