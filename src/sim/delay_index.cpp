#include "citybrain/sim/delay_index.hpp"

#include <algorithm>

#include "citybrain/core/error.hpp"

namespace citybrain::sim {

DelayIndex::DelayIndex(const Engine& engine) {
  const net::Network& net = engine.network();
  m_road_freeflow.resize(net.roads.size());
  for (std::size_t r = 0; r < net.roads.size(); ++r) {
    const net::Lane& lane = net.lanes[net.lane_of(RoadId(r), 0).index()];
    m_road_freeflow[r] = lane.max_speed > 0 ? lane.length / lane.max_speed : 0.0;
  }
}

void DelayIndex::observe(const Engine& engine, bool with_rest) {
  const net::Network& net = engine.network();
  const std::int64_t step = engine.step_count();
  m_time = engine.time();
  if (m_trips.size() < engine.trip_count()) m_trips.resize(engine.trip_count());
  m_next_running.clear();
  const auto drivables = static_cast<DrivableId>(net.lanes.size() + net.lanelinks.size());
  for (DrivableId d = 0; d < drivables; ++d) {
    const bool on_lane = engine.is_lane(d);
    for (Slot v : engine.drivable_vehicles(d)) {
      if (engine.vehicle_is_shadow(v)) continue;
      const std::uint32_t trip = engine.vehicle_trip(v);
      if (trip >= m_trips.size()) m_trips.resize(trip + 1);
      Trip& t = m_trips[trip];
      t.seen = step;
      m_next_running.push_back(trip);
      const bool first = t.enter < 0;
      if (!with_rest && !first) continue;
      // The rest of the route: what is left of the current lane (or lane link), then every road
      // after the current one.
      const auto ahead = engine.vehicle_route_ahead(v);
      double rest = 0;
      std::size_t first_whole = 1;
      double done = 0;  // free-flow time already driven on the current lane
      if (on_lane) {
        const net::Lane& l = net.lanes[d];
        if (l.max_speed > 0) {
          rest += std::max(0.0, l.length - engine.vehicle_distance(v)) / l.max_speed;
          done = std::min(l.length, engine.vehicle_distance(v)) / l.max_speed;
        }
      } else {
        const net::LaneLink& link = net.lanelinks[d - net.lanes.size()];
        const net::Lane& from = net.lanes[link.from.index()];
        if (from.max_speed > 0) {
          rest += std::max(0.0, link.length - engine.vehicle_distance(v)) / from.max_speed;
        }
        // The route ahead starts with the road the link leaves while it has not moved on.
        first_whole = !ahead.empty() && ahead.front() == from.road ? 1 : 0;
      }
      for (std::size_t k = first_whole; k < ahead.size(); ++k) {
        rest += m_road_freeflow[ahead[k].index()];
      }
      if (first) {
        t.enter = m_time - engine.config().interval;  // it entered during this step
        t.freeflow = rest + done;
      }
      t.rest = rest;
    }
  }
  m_rest_current = with_rest;
  // Trips seen after the last step and not now have left the network during this step.
  for (std::uint32_t trip : m_running) {
    const Trip& t = m_trips[trip];
    if (t.seen == step) continue;
    ++m_finished;
    m_finished_sum += t.freeflow > 0 ? (m_time - t.enter) / t.freeflow : 1.0;
  }
  m_running.swap(m_next_running);
}

double DelayIndex::value() const {
  if (!m_rest_current) {
    throw Error(ErrorCode::kInternal, "DelayIndex::value",
                "the last observe() did not measure the rest of the routes");
  }
  double sum = m_finished_sum;
  for (std::uint32_t trip : m_running) {
    const Trip& t = m_trips[trip];
    sum += t.freeflow > 0 ? (m_time - t.enter + t.rest) / t.freeflow : 1.0;
  }
  const std::size_t n = served();
  return n > 0 ? sum / static_cast<double>(n) : 1.0;
}

}  // namespace citybrain::sim
