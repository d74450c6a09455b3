// Road state estimation from consecutive matched points: the time between two fixes is shared
// among the roads driven between them in proportion to the distance on each.
#include "citybrain/sense/road_state.hpp"

#include <algorithm>
#include <cmath>

namespace citybrain::sense {

RoadStateEstimator::RoadStateEstimator(const RoadGraph& graph, RoadStateParams params)
    : m_graph(&graph), m_params(params), m_historical(graph.edge_count(), 0.0f) {}

void RoadStateEstimator::set_historical(EdgeId edge, double travel_time) {
  m_historical[edge.index()] = static_cast<float>(travel_time);
}

double RoadStateEstimator::historical(EdgeId edge) const {
  const double h = m_historical[edge.index()];
  if (h > 0) return h;
  return std::max(1e-3, static_cast<double>(m_graph->length(edge))) / m_params.default_speed;
}

std::int64_t RoadStateEstimator::window_of(double time) const {
  return static_cast<std::int64_t>(std::floor(time / m_params.window));
}

void RoadStateEstimator::credit(std::int64_t window, EdgeId edge, double distance, double time,
                                std::uint32_t vehicle) {
  Accum& a = m_windows[window][edge.value];
  a.distance += distance;
  a.time += time;
  if (a.last_vehicle != vehicle) {
    a.last_vehicle = vehicle;
    ++a.vehicles;
  }
}

void RoadStateEstimator::add(const MatchOutput& out) {
  std::vector<EdgeId> between;
  for (const MatchedPoint& p : out.points) {
    if (p.vehicle >= m_last.size()) m_last.resize(p.vehicle + 1);
    between.clear();
    for (std::uint32_t r = p.route_begin; r < p.route_end && r < out.route.size(); ++r) {
      between.push_back(out.route[r].edge);
    }
    Last& last = m_last[p.vehicle];
    if (!p.edge.valid()) continue;
    if (last.valid && last.segment == p.segment && p.time > last.time) {
      const double dt = p.time - last.time;
      const std::int64_t w = window_of(0.5 * (p.time + last.time));
      if (p.edge == last.edge && (between.empty() || between.back() != p.edge)) {
        const double d = p.offset - last.offset;
        // Standing still counts: a queue is what the travel time should show.
        if (d / dt <= m_params.max_speed) credit(w, p.edge, std::max(0.0, d), dt, p.vehicle);
      } else {
        // last.edge (rest), the edges in between, p.edge (up to the offset).
        double d = m_graph->length(last.edge) - last.offset + p.offset;
        for (std::size_t i = 0; i + 1 < between.size(); ++i) d += m_graph->length(between[i]);
        if (d > 0 && d / dt <= m_params.max_speed) {
          const double v = std::max(m_params.min_speed, d / dt);
          const double rest = m_graph->length(last.edge) - last.offset;
          if (rest > 0) credit(w, last.edge, rest, rest / v, p.vehicle);
          for (std::size_t i = 0; i + 1 < between.size(); ++i) {
            const double len = m_graph->length(between[i]);
            credit(w, between[i], len, len / v, p.vehicle);
          }
          if (p.offset > 0) credit(w, p.edge, p.offset, p.offset / v, p.vehicle);
        }
      }
    }
    last = {true, p.edge, p.offset, p.time, p.segment};
  }
}

RoadEstimate RoadStateEstimator::estimate(EdgeId edge, std::int64_t window) const {
  RoadEstimate e;
  const double len = std::max(1e-3, static_cast<double>(m_graph->length(edge)));
  const double hist = historical(edge);
  double tt = hist;
  auto w = m_windows.find(window);
  if (w != m_windows.end()) {
    auto a = w->second.find(edge.value);
    if (a != w->second.end() && a->second.time > 0) {
      const Accum& acc = a->second;
      e.vehicles = acc.vehicles;
      e.probe_speed = std::max(m_params.min_speed, acc.distance / acc.time);
      e.confidence = acc.vehicles / (acc.vehicles + m_params.prior_vehicles);
      // Blend in travel time (what a trip experiences), not speed.
      tt = e.confidence * (len / e.probe_speed) + (1 - e.confidence) * hist;
    }
  }
  e.travel_time = tt;
  e.speed = len / tt;
  return e;
}

std::vector<EdgeId> RoadStateEstimator::observed(std::int64_t window) const {
  std::vector<EdgeId> v;
  auto w = m_windows.find(window);
  if (w == m_windows.end()) return v;
  for (const auto& [edge, acc] : w->second) {
    if (acc.time > 0) v.push_back(EdgeId(edge));
  }
  std::sort(v.begin(), v.end());
  return v;
}

double RoadStateEstimator::travel_time_index(std::int64_t window) const {
  double est = 0, hist = 0;
  for (EdgeId e : observed(window)) {
    est += estimate(e, window).travel_time;
    hist += historical(e);
  }
  return hist > 0 ? est / hist : 1.0;
}

double RoadStateEstimator::congestion_index(std::int64_t window) const {
  double slow = 0, total = 0;
  for (EdgeId e : observed(window)) {
    const double len = m_graph->length(e);
    total += len;
    if (estimate(e, window).speed < 0.5 * len / historical(e)) slow += len;
  }
  return total > 0 ? slow / total : 0.0;
}

}  // namespace citybrain::sense
