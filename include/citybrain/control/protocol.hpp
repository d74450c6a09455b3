// Signal control as the benchmark protocols run it (../shared/data/tsc/PROTOCOL.md 1.4, 2, 4):
// a decision every T seconds per signalised intersection, a 5 s yellow (light phase 0) inserted
// inside the interval only when the chosen phase changes. Controllers see an Observation built
// from lane sensors only: counts and waiting vehicles per lane, the current phase and its age.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "citybrain/sim/engine.hpp"

namespace citybrain::control {

enum class Protocol { kLLMLight30, kXLight15 };

struct ProtocolSpec {
  int decision_interval = 30;  // T (s)
  int yellow = 5;              // light phase 0 after a change (s)
  int horizon = 3600;          // simulated seconds
  static ProtocolSpec of(Protocol p);
};
Protocol parse_protocol(const std::string& name);  // "llmlight30" | "xlight15"

// One signalised intersection as a controller sees it.
struct ControlledIntersection {
  IntersectionId id;
  // For each action a (light phase a+1): the movements it serves that are not right turns, as
  // (entering lane, lanes of the exit road) pairs.
  struct Movement {
    LaneId lane;
    std::vector<LaneId> exit_lanes;
  };
  std::vector<std::vector<Movement>> action_movements;
};

struct Observation {
  double time = 0;
  std::vector<std::uint32_t> lane_vehicles;  // per lane
  std::vector<std::uint32_t> lane_waiting;   // per lane, speed < 0.1 m/s
  std::vector<int> current_action;           // per controlled intersection, -1 during yellow
  std::vector<int> time_in_phase;            // per controlled intersection (s)
};

class Controller {
 public:
  virtual ~Controller() = default;
  virtual std::string name() const = 0;
  // Writes one action per controlled intersection.
  virtual void decide(const Observation& obs, std::span<const ControlledIntersection> inters,
                      std::span<int> actions) = 0;
};

// FixedTime of the protocols: keep the current phase until it has run T seconds, then the next.
std::unique_ptr<Controller> make_fixed_time(int phase_time);
// MaxPressure (PROTOCOL.md 2.2): the phase with the largest sum of queue pressures, ties to the
// lowest index.
std::unique_ptr<Controller> make_max_pressure();

struct ProtocolResult {
  double att = 0;           // PROTOCOL.md 3.1
  double att_cityflow = 0;  // PROTOCOL.md 3.2
  std::size_t att_vehicles = 0;
};

// The signalised intersections of a network with their movements per action (4 actions).
std::vector<ControlledIntersection> controlled_intersections(const net::Network& net);

// Runs the protocol on an engine built with rl_traffic_light = true.
// progress is called after each decision interval, on_step after every engine step.
ProtocolResult run_protocol(sim::Engine& engine, Controller& controller, const ProtocolSpec& spec,
                            const std::function<void(double)>& progress = {},
                            const std::function<void(const sim::Engine&)>& on_step = {});

}  // namespace citybrain::control
