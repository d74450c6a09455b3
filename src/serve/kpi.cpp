#include "citybrain/serve/kpi.hpp"

#include <algorithm>

namespace citybrain::serve {

namespace {
double travel_time_index(double free_flow, double mean_speed) {
  if (free_flow <= 0) return 1.0;
  if (mean_speed <= free_flow / kMaxTravelTimeIndex) return kMaxTravelTimeIndex;
  return std::clamp(free_flow / mean_speed, 1.0, kMaxTravelTimeIndex);
}
}  // namespace

void compute_kpis(const sim::Engine& engine, Kpis& out) {
  const net::Network& net = engine.network();
  out.roads.resize(net.roads.size());
  out.time = engine.time();
  std::size_t on_lanes = 0, waiting = 0, in_links = 0;
  double speed_sum = 0, free_sum = 0;
  for (std::size_t r = 0; r < net.roads.size(); ++r) {
    const net::Road& road = net.roads[r];
    std::uint32_t n = 0;
    double road_speed = 0, limit = 0;
    for (std::uint32_t l = 0; l < road.lane_count; ++l) {
      const LaneId lane(road.first_lane.value + l);
      const double lane_limit = net.lanes[lane.index()].max_speed;
      limit = std::max(limit, lane_limit);
      for (sim::Slot v : engine.drivable_vehicles(engine.lane_drivable(lane))) {
        if (engine.vehicle_is_shadow(v)) continue;
        const double speed = engine.vehicle_speed(v);
        ++n;
        road_speed += speed;
        free_sum += std::min(lane_limit, engine.vehicle_type(v).max_speed);
        waiting += speed < kWaitingSpeed;
      }
    }
    speed_sum += road_speed;
    on_lanes += n;
    RoadKpi& k = out.roads[r];
    k.vehicles = n;
    if (n == 0) {
      k.mean_speed = 0;
      k.travel_time_index = 1;
      k.congestion = 0;
    } else {
      const double mean = road_speed / n;
      k.mean_speed = static_cast<float>(mean);
      k.travel_time_index = static_cast<float>(travel_time_index(limit, mean));
      k.congestion = static_cast<float>(limit > 0 ? std::clamp(1.0 - mean / limit, 0.0, 1.0) : 0);
    }
  }
  const std::size_t lanes = net.lanes.size();
  for (std::size_t k = 0; k < net.lanelinks.size(); ++k) {
    for (sim::Slot v : engine.drivable_vehicles(static_cast<sim::DrivableId>(lanes + k)))
      in_links += !engine.vehicle_is_shadow(v);
  }
  CityKpi& c = out.city;
  c.vehicles = static_cast<double>(on_lanes + in_links);
  c.generated = static_cast<double>(engine.vehicles_generated());
  c.finished = static_cast<double>(engine.vehicles_finished());
  c.att = engine.finished_travel_time_mean();
  c.throughput = out.time > 0 ? c.finished * 3600.0 / out.time : 0;
  if (on_lanes == 0) {
    c.mean_speed = 0;
    c.delay = 0;
    c.travel_time_index = 1;
    c.congestion_index = 0;
  } else {
    const double n = static_cast<double>(on_lanes);
    const double mean = speed_sum / n, free_flow = free_sum / n;
    c.mean_speed = mean;
    c.delay = free_flow > 0 ? std::clamp(1.0 - mean / free_flow, 0.0, 1.0) : 0;
    c.travel_time_index = travel_time_index(free_flow, mean);
    c.congestion_index = static_cast<double>(waiting) / n;
  }
}

}  // namespace citybrain::serve
