// Road state from matched probes: per road and per time window, the space-mean speed and travel
// time of the probes that drove it, a confidence that grows with the number of vehicles seen, a
// smooth fallback to a historical profile where probes are sparse, and city-wide indices.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "citybrain/sense/matcher.hpp"
#include "citybrain/sense/road_graph.hpp"

namespace citybrain::sense {

struct RoadStateParams {
  double window = 300;          // s: length of an estimation window
  double prior_vehicles = 3;    // confidence = n / (n + prior_vehicles), n vehicles seen
  double default_speed = 13.9;  // m/s: historical speed where no profile was given (50 km/h)
  double min_speed = 0.5;       // m/s: floor on observed speeds (a queue, not a parked probe)
  double max_speed = 60;        // m/s: pairs implying more are dropped as matching noise
};

struct RoadEstimate {
  double travel_time = 0;  // s: blended probe and historical travel time over the whole road
  double speed = 0;        // m/s: length / travel_time
  double probe_speed = 0;  // m/s: probes only (0 without probes)
  double confidence = 0;   // 0 = historical only, -> 1 with many vehicles
  std::uint32_t vehicles = 0;
};

class RoadStateEstimator {
 public:
  RoadStateEstimator(const RoadGraph& graph, RoadStateParams params = {});

  // Historical (or free-flow) travel time of a road in seconds; default length / default_speed.
  void set_historical(EdgeId edge, double travel_time);
  double historical(EdgeId edge) const;

  // Feeds finalised matches (any number of vehicles, in the order the matcher emitted them).
  void add(const MatchOutput& out);

  std::int64_t window_of(double time) const;
  RoadEstimate estimate(EdgeId edge, std::int64_t window) const;
  // Roads with probe data in the window.
  std::vector<EdgeId> observed(std::int64_t window) const;
  // Length-weighted travel-time index over the roads observed in the window: sum of estimated
  // travel times / sum of historical ones (1 = as usual, 1.5 = trips take 50 % longer).
  double travel_time_index(std::int64_t window) const;
  // Share of the observed length (0..1) whose estimated speed is below half the historical speed.
  double congestion_index(std::int64_t window) const;

 private:
  struct Accum {
    double distance = 0;
    double time = 0;
    std::uint32_t vehicles = 0;
    std::uint32_t last_vehicle = 0xffffffffu;
  };
  struct Last {
    bool valid = false;
    EdgeId edge;
    double offset = 0;
    double time = 0;
    std::uint32_t segment = 0;
  };
  void credit(std::int64_t window, EdgeId edge, double distance, double time,
              std::uint32_t vehicle);

  const RoadGraph* m_graph;
  RoadStateParams m_params;
  std::vector<float> m_historical;  // s per edge; <= 0: use the default
  std::unordered_map<std::int64_t, std::unordered_map<std::uint32_t, Accum>> m_windows;
  std::vector<Last> m_last;  // per vehicle
};

}  // namespace citybrain::sense
