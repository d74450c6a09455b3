// What a signal controller sees and the interface it implements. This header is the brain's only
// window on the city: it depends on nothing but ids, never on the simulator, so a controller
// compiled against it cannot read vehicle routes, the flow file or future arrivals (the test
// tests/unit/control/observation_test.cpp proves it at compile time). The Observation carries
// what loop detectors and cameras deliver, measured per lane at the end of the previous second.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "citybrain/core/ids.hpp"

namespace citybrain::control {

inline constexpr std::size_t kNoIntersection = std::numeric_limits<std::size_t>::max();

// One signalised intersection as a controller sees it: static geometry a traffic engineer has.
struct ControlledIntersection {
  IntersectionId id;
  // A non-right-turn movement served by an action, as (entering lane, lanes of the exit road).
  struct Movement {
    LaneId lane;
    std::vector<LaneId> exit_lanes;
    double lane_length = 0;                    // metres, entering lane
    double max_speed = 0;                      // m/s, entering lane
    double exit_length = 0;                    // metres, exit road lanes
    std::size_t upstream = kNoIntersection;    // controlled intersection feeding the lane
    std::size_t downstream = kNoIntersection;  // controlled intersection at the exit road's end
  };
  // For each action a: the movements it serves, and the light phase (index within the
  // intersection) that shows it. On the benchmark layout action a is light phase a+1.
  std::vector<std::vector<Movement>> action_movements;
  std::vector<std::uint32_t> action_phases;
  std::uint32_t yellow_phase = 0;  // the light phase shown between two actions
  // Controlled intersections one road away (indices into the controlled list).
  std::vector<std::size_t> neighbours;
};

// What a controller asks the sensors for.
struct SensorSpec {
  double approach_range = 150;  // metres upstream of the stop line counted as "approaching"
};

struct Observation {
  double time = 0;
  int decision_interval = 30;  // seconds until the next decision (the protocol's T)
  int yellow = 5;              // seconds of light phase 0 a change costs inside the interval
  // Per lane, indexed by LaneId.
  std::vector<std::uint32_t> lane_vehicles;     // vehicles on the lane
  std::vector<std::uint32_t> lane_waiting;      // speed < 0.1 m/s
  std::vector<std::uint32_t> lane_approaching;  // moving, within approach_range of the stop line
  std::vector<float> lane_queue_length;  // metres from the stop line to the last stopped tail
  std::vector<float> lane_mean_speed;    // m/s over the lane's vehicles (0 when empty)
  double approach_range = 0;
  // Per controlled intersection (the order of controlled_intersections()); neighbours' values are
  // found through ControlledIntersection::neighbours.
  std::vector<int> current_action;  // -1 during yellow
  std::vector<int> time_in_phase;   // seconds
};

// Queue pressure of a movement as MaxPressure defines it (PROTOCOL.md 2.2): waiting on the
// entering lane minus waiting on all lanes of the exit road.
long movement_pressure(const Observation& obs, const ControlledIntersection::Movement& m);

class Controller {
 public:
  virtual ~Controller() = default;
  virtual std::string name() const = 0;
  virtual SensorSpec sensors() const { return {}; }
  // Writes one action per controlled intersection, from the observation alone.
  virtual void decide(const Observation& obs, std::span<const ControlledIntersection> inters,
                      std::span<int> actions) = 0;
};

}  // namespace citybrain::control
