// The live KPIs of the city and of every road, measured from the twin after a step. Definitions
// (docs/api.md): speeds are over vehicles on lanes (not inside intersections); a vehicle's
// free-flow speed is the lower of its type's top speed and its lane's limit.
#pragma once

#include <cstdint>
#include <vector>

#include "citybrain/sim/engine.hpp"

namespace citybrain::serve {

// Travel time indices are capped here: a road where everything stands still would be infinite.
inline constexpr double kMaxTravelTimeIndex = 10.0;
inline constexpr double kWaitingSpeed = 0.1;  // m/s: below this a vehicle counts as waiting

struct CityKpi {
  double vehicles = 0;           // real vehicles on lanes and inside intersections
  double generated = 0;          // vehicles generated so far
  double finished = 0;           // trips finished so far
  double att = 0;                // mean travel time of finished trips (s)
  double throughput = 0;         // finished per simulated hour
  double mean_speed = 0;         // m/s, vehicles on lanes
  double delay = 0;              // 1 - mean_speed / free-flow speed, 0..1
  double travel_time_index = 1;  // free-flow speed / mean speed, 1..kMaxTravelTimeIndex
  double congestion_index = 0;   // share of vehicles on lanes waiting
};

struct RoadKpi {
  std::uint32_t vehicles = 0;
  float mean_speed = 0;
  float travel_time_index = 1;
  float congestion = 0;  // 1 - mean_speed / speed limit, 0 when empty
};

struct Kpis {
  double time = 0;
  CityKpi city;
  std::vector<RoadKpi> roads;  // by road index
};

// Fills out (sized on first use; later calls allocate nothing).
void compute_kpis(const sim::Engine& engine, Kpis& out);

}  // namespace citybrain::serve
