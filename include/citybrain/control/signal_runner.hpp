// The signal runner: drives an engine's signals one second at a time under a protocol (a decision
// every T seconds, a yellow inside the interval when the phase changes), with operator overrides
// per intersection: hold a light phase for a while, switch the intersection to another
// controller, release. run_protocol (protocol.hpp) and the live server both step through it, so
// there is one implementation of the protocol.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "citybrain/control/controller.hpp"
#include "citybrain/control/protocol.hpp"
#include "citybrain/sim/engine.hpp"

namespace citybrain::control {

class SignalRunner {
 public:
  // The engine must be built with rl_traffic_light = true; engine and controller must outlive the
  // runner. Sets every controlled intersection to light phase 1. Throws Error (invalid argument)
  // for an engine or spec the protocol cannot run. network (the engine's) lets switches pick
  // controllers that need the static network (lookahead).
  SignalRunner(sim::Engine& engine, Controller& controller, const ProtocolSpec& spec,
               std::shared_ptr<const net::Network> network = nullptr);
  ~SignalRunner();
  SignalRunner(const SignalRunner&) = delete;
  SignalRunner& operator=(const SignalRunner&) = delete;

  // One simulated step: decides when a decision is due (every decision_interval steps, and for
  // intersections whose override changed since the last step), applies phases and yellows, steps
  // the engine.
  void step();
  // True when the next step() starts a decision interval.
  bool at_decision() const { return m_since_decision == 0; }

  const std::vector<ControlledIntersection>& intersections() const { return m_inters; }
  // The controlled index of a network intersection, or kNoIntersection.
  std::size_t controlled_index(IntersectionId id) const;

  // Overrides, by controlled index; they take effect from the next step().
  // Holds light phase `phase` (any of the intersection's phases but its yellow) until simulated
  // time `until`; the controller takes over again after. Throws Error (invalid argument) for a
  // phase out of range or the yellow.
  void hold(std::size_t i, std::uint32_t phase, double until);
  // Lets `name` (a make_controller name) decide for this intersection from now on.
  // Throws Error (invalid argument) for an unknown name.
  void switch_controller(std::size_t i, const std::string& name);
  // Back to the runner's own controller, no hold.
  void release(std::size_t i);

  struct Override {
    enum class Kind { kNone, kHold, kController } kind = Kind::kNone;
    std::uint32_t phase = 0;  // hold
    double until = 0;         // hold: simulated time it ends
    std::string controller;   // controller switch
  };
  const Override& override_of(std::size_t i) const { return m_over[i]; }
  // The name of the controller deciding for intersection i now (a hold keeps it).
  std::string controller_name(std::size_t i) const;
  // The light phase shown now (0 during yellow) and seconds since the phase last changed.
  std::uint32_t phase(std::size_t i) const;
  int time_in_phase(std::size_t i) const { return m_signals[i].dur; }

  std::size_t decisions() const { return m_decisions; }
  double decide_seconds() const { return m_decide_seconds; }

 private:
  struct Signal {
    int cur = 1, prev = 1, dur = -1, target = 1;
    bool yellow = false;
  };
  struct Slot {
    std::string name;
    Controller* controller = nullptr;
    std::unique_ptr<Controller> owned;
    std::vector<int> actions;  // kept between decisions (a controller may keep one during yellow)
  };
  void measure();
  // Observes and lets the controllers decide; only intersections with `mask` set take the result
  // (all of them when mask is empty).
  void decide(const std::vector<std::uint8_t>& mask);
  std::size_t slot_of(const std::string& name);

  sim::Engine& m_engine;
  ProtocolSpec m_spec;
  std::shared_ptr<const net::Network> m_network;
  std::vector<ControlledIntersection> m_inters;
  std::vector<std::size_t> m_index_of;  // per network intersection
  std::vector<Signal> m_signals;
  std::vector<int> m_actions;       // the action each intersection follows
  std::vector<std::size_t> m_slot;  // per intersection: its controller slot (0 = the runner's)
  std::vector<Slot> m_slots;
  std::vector<Override> m_over;
  std::vector<std::uint8_t> m_pending;  // re-decide at the next step (override changed)
  bool m_any_pending = false;
  Observation m_obs;
  int m_since_decision = 0;
  std::size_t m_decisions = 0;
  double m_decide_seconds = 0;
};

}  // namespace citybrain::control
