// The brain's signal controllers, each seeing only an Observation (controller.hpp). The idea of
// each is written beside its implementation in src/control/controllers.cpp and in the README.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "citybrain/control/controller.hpp"

namespace citybrain::net {
struct Network;
}

namespace citybrain::control {

// The signalised intersections of a static road network with their movements per action: the
// layout a traffic engineer knows. actions is ProtocolSpec::actions (protocol.hpp): 4 = the
// benchmark layout (light phase 0 yellow, phases 1..4 the actions), 0 = every phase giving a
// through or left movement green is an action and the first phase giving none is the yellow
// (imported cities). Throws Error (invalid input) naming an intersection whose phases do not fit.
std::vector<ControlledIntersection> controlled_intersections(const net::Network& net,
                                                             int actions = 4);

// FixedTime of the protocols: keep the current phase until it has run T seconds, then the next.
std::unique_ptr<Controller> make_fixed_time(int phase_time);
// MaxPressure (PROTOCOL.md 2.2): the phase with the largest sum of queue pressures, ties to the
// lowest index.
std::unique_ptr<Controller> make_max_pressure();
// SOTL (Gershenson; Cools et al.): keep green while a short platoon is still arriving on it,
// otherwise switch once enough vehicles wait on red.
std::unique_ptr<Controller> make_sotl();
// Efficient-MP (Efficient-XLight): pressure with the exit road's mean queue, not its sum.
std::unique_ptr<Controller> make_efficient_pressure();
// Advanced-MP (Advanced-XLight): keep the current phase while its effective running vehicles
// outnumber the best efficient pressure, else take the phase with the largest efficient pressure.
std::unique_ptr<Controller> make_advanced_pressure(int decision_interval);

// The brain's best controller (see controllers.cpp). Parameters are shared by every city.
struct BrainParams {
  double saturation_headway = 1.5;  // s between vehicles discharging from one lane
  double queue_weight = 1.0;        // weight of vehicles that cannot be served this interval
  double downstream_weight = 0.5;   // weight of the exit road's mean queue
  double keep_bonus = 0.0;          // vehicles' worth of preferring the current phase
  double starvation = 0.0;          // per second a movement's queue has waited
  double spill = 1.0;               // how strongly a full exit road blocks a movement
  double range_factor = 0.85;       // approach range as a multiple of max speed x T
  double delay_weight = 0.02;       // per queued vehicle and interval its phase has been red
  double block = 1.0;               // discount a queue by its exit road's room (0: off)
  double fresh_bonus = 0.0;         // for keeping a phase that started in the last interval
  double yellow_reach = 0.0;        // share of the yellow counted for arrivals to a new green
  double horizon = 0.0;    // > 0: score waiting saved over this many seconds, not vehicles served
  double lookahead = 0.0;  // weight of the best next interval after this one
};
std::unique_ptr<Controller> make_brain(const BrainParams& params, int decision_interval);

// By name: fixed | maxpressure | sotl | efficient | advanced | brain | lookahead. "brain" and
// "lookahead" accept parameter overrides as "brain:key=value:key=value" (for experiments; the
// defaults are the published configuration). The lookahead needs the static road network (never
// the engine running the city). Throws Error (invalid argument) for an unknown name or a lookahead
// without a network.
std::unique_ptr<Controller> make_controller(const std::string& name, int decision_interval,
                                            std::shared_ptr<const net::Network> network = nullptr);
// The names make_controller accepts, in the order the evaluation suite runs them.
std::vector<std::string> controller_names();
// Throws Error (invalid argument, naming `field`) unless name is one of controller_names().
void check_controller_name(const std::string& name, const std::string& field);

}  // namespace citybrain::control
