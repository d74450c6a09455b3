// Imported cities: trips routed when each vehicle is released, as SUMO routes incomplete routes
// at insertion with its routing device. A road's effort is its length over the mean speed of the
// vehicles on it (its free speed when empty), averaged over the last 180 samples; crossing a
// junction costs the lane link's length at the next road's free speed. No road costs less than
// its free-flow time (SUMO's minimum travel time), which the A* search's landmark bounds rely on.
#include <algorithm>
#include <limits>

#include "citybrain/sim/engine.hpp"

namespace citybrain::sim {

namespace {
constexpr double kMinSpeed = 0.1;  // m/s: a standing queue still has a finite effort

// The searches' heap order over (cost, road): the least cost first, ties by road id. A function
// object, so that the heap operations inline it.
struct Later {
  bool operator()(const std::pair<double, std::uint32_t>& a,
                  const std::pair<double, std::uint32_t>& b) const {
    return a.first > b.first || (a.first == b.first && a.second > b.second);
  }
};
constexpr Later later;
}  // namespace

double Engine::effort(std::size_t road) const {
  const double mean = m_speed_sum[road] / static_cast<double>(kSpeedWindow);
  return m_road_length[road] / std::clamp(mean, kMinSpeed, m_road_free_speed[road]);
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
  for (std::size_t i = 0; i < kSpeedWindow; ++i) {
    std::copy(m_road_free_speed.begin(), m_road_free_speed.end(),
              m_speed_ring.begin() + static_cast<std::ptrdiff_t>(i * n_roads));
  }
  for (std::size_t r = 0; r < n_roads; ++r) {
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
  m_road_unfree.assign(n_roads, 0);
  m_road_live.assign(n_roads, 0);
  m_live_roads.clear();
  init_landmarks();
}

void Engine::init_landmarks() {
  const std::size_t n = m_road_length.size();
  constexpr double kInf = std::numeric_limits<double>::infinity();
  m_landmark_time.assign(n * 2 * kLandmarks, std::numeric_limits<float>::infinity());
  m_landmark_margin = 0;
  if (n == 0) return;
  // The free-flow cost of moving from the end of road u to the end of its successor w.
  auto free_cost = [&](std::uint32_t i, std::uint32_t w) {
    return m_next_cost[i] + m_road_length[w] / m_road_free_speed[w];
  };
  std::vector<std::uint32_t> pred_begin(n + 1, 0), pred_edge(m_next_road.size()),
      pred_road(m_next_road.size());
  for (std::uint32_t w : m_next_road) ++pred_begin[w + 1];
  for (std::size_t r = 0; r < n; ++r) pred_begin[r + 1] += pred_begin[r];
  {
    std::vector<std::uint32_t> fill(pred_begin.begin(), pred_begin.end() - 1);
    for (std::uint32_t u = 0; u < n; ++u) {
      for (std::uint32_t i = m_next_begin[u]; i < m_next_begin[u + 1]; ++i) {
        const std::uint32_t k = fill[m_next_road[i]]++;
        pred_edge[k] = i;
        pred_road[k] = u;
      }
    }
  }
  std::vector<double> dist(n);
  std::vector<std::pair<double, std::uint32_t>> heap;
  // Free-flow times from `source` (forward) or to it (backward) into `dist`.
  auto search = [&](std::uint32_t source, bool forward) {
    std::fill(dist.begin(), dist.end(), kInf);
    dist[source] = 0;
    heap.assign(1, {0.0, source});
    while (!heap.empty()) {
      std::pop_heap(heap.begin(), heap.end(), later);
      const auto top = heap.back();
      heap.pop_back();
      const std::uint32_t u = top.second;
      if (top.first > dist[u]) continue;
      const std::uint32_t begin = forward ? m_next_begin[u] : pred_begin[u];
      const std::uint32_t end = forward ? m_next_begin[u + 1] : pred_begin[u + 1];
      for (std::uint32_t k = begin; k < end; ++k) {
        const std::uint32_t w = forward ? m_next_road[k] : pred_road[k];
        const double nd = top.first + (forward ? free_cost(k, w) : free_cost(pred_edge[k], u));
        if (nd < dist[w]) {
          dist[w] = nd;
          heap.push_back({nd, w});
          std::push_heap(heap.begin(), heap.end(), later);
        }
      }
    }
  };
  // Landmarks far from each other: each next one is the road farthest (there and back) from the
  // nearest landmark chosen so far, the first the farthest from road 0.
  std::vector<double> score(n, kInf), there(n);
  auto farthest = [&](const std::vector<double>& value) {
    std::uint32_t best = 0;
    for (std::uint32_t r = 1; r < n; ++r) {
      if (std::isfinite(value[r]) && (!std::isfinite(value[best]) || value[r] > value[best])) {
        best = r;
      }
    }
    return best;
  };
  search(0, true);
  std::uint32_t landmark = farthest(dist);
  double largest = 0;
  for (std::size_t l = 0; l < kLandmarks; ++l) {
    for (int pass = 0; pass < 2; ++pass) {
      search(landmark, pass == 0);
      for (std::size_t r = 0; r < n; ++r) {
        m_landmark_time[(r * kLandmarks + l) * 2 + pass] = static_cast<float>(dist[r]);
        if (std::isfinite(dist[r])) largest = std::max(largest, dist[r]);
        if (pass == 0) there[r] = dist[r];
      }
    }
    for (std::size_t r = 0; r < n; ++r) score[r] = std::min(score[r], there[r] + dist[r]);
    landmark = farthest(score);
  }
  // A bound subtracts two times rounded to float, each off by at most half an ulp of `largest`.
  m_landmark_margin = 2 * largest * std::numeric_limits<float>::epsilon();
}

void Engine::sample_road_speeds() {
  const net::Network& net = *m_net;
  const std::uint32_t n_lanes = static_cast<std::uint32_t>(net.lanes.size());
  for (DrivableId d : m_active) {
    if (d >= n_lanes) break;  // lane links follow the lanes
    const std::uint32_t r = net.lanes[d].road.value;
    if (!m_road_live[r]) {
      m_road_live[r] = 1;
      m_live_roads.push_back(r);
    }
    for (Slot v : m_lists[d]) {
      if (m_veh[v].partner_type == 2) continue;  // a lane-change shadow
      m_road_sample_sum[r] += m_veh[v].speed;
      ++m_road_sample_count[r];
    }
  }
  // Only roads with vehicles now or a sample other than free speed in the window can change; the
  // others leave the list until vehicles come again.
  const std::size_t n_roads = net.roads.size();
  double* ring = m_speed_ring.data() + m_ring_pos * n_roads;
  std::size_t kept = 0;
  for (std::size_t i = 0; i < m_live_roads.size(); ++i) {
    const std::uint32_t r = m_live_roads[i];
    const double free = m_road_free_speed[r];
    const bool sampled = m_road_sample_count[r] > 0;
    const double sample = sampled ? m_road_sample_sum[r] / m_road_sample_count[r] : free;
    m_road_sample_sum[r] = 0;
    m_road_sample_count[r] = 0;
    if (sample != ring[r]) {
      if (ring[r] != free) --m_road_unfree[r];
      if (sample != free) ++m_road_unfree[r];
      m_speed_sum[r] += sample - ring[r];
      ring[r] = sample;
      m_effort[r] = effort(r);
    }
    if (sampled || m_road_unfree[r] > 0) {
      m_live_roads[kept++] = r;
    } else {
      m_road_live[r] = 0;
    }
  }
  m_live_roads.resize(kept);
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
  if (m_bound.size() != n_roads) m_bound.assign(n_roads, 0);
  for (std::uint32_t r : m_reached) m_dist[r] = kInf;
  m_reached.clear();
  m_heap.clear();
  // A lower bound on the cost from road v to `to` from the landmarks' triangle inequalities;
  // infinite when v cannot reach `to`. An unreachable side (infinity minus infinity) drops out.
  const float* target = &m_landmark_time[to * kLandmarks * 2];
  auto bound = [&](std::uint32_t v) {
    if (!m_config.route_landmarks) return 0.0;
    const float* here = &m_landmark_time[v * kLandmarks * 2];
    double h = 0;
    for (std::size_t l = 0; l < 2 * kLandmarks; l += 2) {
      const double ahead = static_cast<double>(target[l]) - here[l];
      const double back = static_cast<double>(here[l + 1]) - target[l + 1];
      if (ahead > h) h = ahead;
      if (back > h) h = back;
    }
    return std::max(0.0, h - m_landmark_margin);
  };
  m_dist[from] = 0;
  m_bound[from] = bound(from);
  if (!(m_bound[from] < kInf)) return demand_route;
  m_reached.push_back(from);
  m_heap.push_back({m_bound[from], from});
  while (!m_heap.empty()) {
    std::pop_heap(m_heap.begin(), m_heap.end(), later);
    const std::uint32_t u = m_heap.back().second;
    const double f = m_heap.back().first;
    m_heap.pop_back();
    if (f > m_dist[u] + m_bound[u]) continue;  // a stale entry
    if (u == to) break;
    const double d = m_dist[u];
    for (std::uint32_t i = m_next_begin[u]; i < m_next_begin[u + 1]; ++i) {
      const std::uint32_t w = m_next_road[i];
      const double nd = d + m_next_cost[i] + m_effort[w];
      if (nd < m_dist[w]) {
        if (m_dist[w] == kInf) {
          const double h = bound(w);
          if (!(h < kInf)) continue;  // `to` lies out of reach from w
          m_bound[w] = h;
          m_reached.push_back(w);
        }
        m_dist[w] = nd;
        m_prev[w] = u;
        m_heap.push_back({nd + m_bound[w], w});
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
