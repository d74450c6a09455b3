// The lookahead controller: the brain with a what-if twin. Like every controller it sees only an
// Observation (controller.hpp); besides it is given the static road network (map data a traffic
// engineer has), never the engine running the city, its routes or its flows. This header, like
// controller.hpp, does not include the simulator: tests/unit/control/lookahead_test.cpp proves it
// at compile time.
#pragma once

#include <memory>

#include "citybrain/control/controllers.hpp"

namespace citybrain::net {
struct Network;
}

namespace citybrain::control {

// Idea: rebuild a plausible twin of the city from the observation alone (stopped vehicles packed
// from the stop line, moving ones spread over the approach, routes drawn from turning shares
// estimated online from the lane counts, arrivals at the boundary at the recently observed inflow
// rates), then let neighbours take turns (a colouring of the intersection graph, so that no two
// neighbours move together) to pick, on clones of the twin rolled a few decision intervals ahead
// under the brain, the action with the least delay (1 - v/v_max per vehicle-second) on the
// intersection's entering lanes plus half that on its exit roads; it overrides the brain only when
// that saves more than a margin scaled to the horizon.
struct LookaheadParams {
  int horizon_intervals = 4;  // decision intervals each rollout looks ahead
  int rounds = 2;             // best-response rounds over the colour classes
  int threads = 2;            // rollouts run in parallel; decisions do not depend on it
  double share_decay = 0.97;  // per decision: memory of the turning-share counts
  double share_prior = 1.0;   // pseudo-vehicles per lane in the turning shares
  double inflow_decay = 0.8;  // per decision: memory of the boundary inflow rates
  double terminal = 0.0;      // seconds charged per vehicle still waiting at the horizon
  double out_weight = 0.5;    // weight of the exit roads' delay in an intersection's cost
  int samples = 1;            // twins with independently drawn routes; costs are averaged
  // Vehicle-seconds of delay per minute of horizon that leaving the brain's choice must save
  // (20 over LLMLight-30's 120 s, 10 over XLight-15's 60 s): the twin is only a guess.
  double margin = 10;
  BrainParams base;  // the base policy of the rollouts
};

std::unique_ptr<Controller> make_lookahead(std::shared_ptr<const net::Network> network,
                                           const LookaheadParams& params, int decision_interval);

}  // namespace citybrain::control
