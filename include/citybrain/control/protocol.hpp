// Signal control as the benchmark protocols run it (../shared/data/tsc/PROTOCOL.md 1.4, 2, 4):
// a decision every T seconds per signalised intersection, a 5 s yellow (light phase 0) inserted
// inside the interval only when the chosen phase changes. Controllers see an Observation built
// from lane sensors only (controller.hpp); the runner is the only code that reads the engine.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "citybrain/control/controller.hpp"
#include "citybrain/control/controllers.hpp"
#include "citybrain/sim/engine.hpp"

namespace citybrain::control {

// kKddCup10: the KDD Cup 2021 City Brain Challenge (a decision every 10 s, 5 s all red).
enum class Protocol { kLLMLight30, kXLight15, kKddCup10 };

struct ProtocolSpec {
  int decision_interval = 30;  // T (s)
  int yellow = 5;              // light phase 0 after a change (s)
  int horizon = 3600;          // simulated seconds
  // Which light phases are actions: kBenchmarkActions = the benchmark layout (phase 0 yellow,
  // phases 1..4 the actions); kAllPhases = every phase of an intersection that gives green to a
  // through or left movement is an action, and its first phase that gives none is the yellow
  // (imported cities: SUMO, OpenStreetMap, KDD Cup CBEngine).
  int actions = kBenchmarkActions;
  static constexpr int kBenchmarkActions = 4;
  static constexpr int kAllPhases = 0;
  static ProtocolSpec of(Protocol p);
};
Protocol parse_protocol(const std::string& name);  // "llmlight30" | "xlight15" | "kddcup"

struct ProtocolResult {
  double att = 0;           // PROTOCOL.md 3.1
  double att_cityflow = 0;  // PROTOCOL.md 3.2
  std::size_t att_vehicles = 0;
  std::size_t decisions = 0;  // decision times (each decides every intersection)
  double decide_seconds = 0;  // wall time sensing and deciding, summed over decisions
};

// The sensors: fills every field of obs from the engine's lanes (and the signal state the
// runner keeps in current_action / time_in_phase, which it leaves alone).
void observe_lanes(const sim::Engine& engine, double approach_range, Observation& obs);

// Runs the protocol on an engine built with rl_traffic_light = true.
// progress is called after each decision interval, on_step after every engine step.
ProtocolResult run_protocol(sim::Engine& engine, Controller& controller, const ProtocolSpec& spec,
                            const std::function<void(double)>& progress = {},
                            const std::function<void(const sim::Engine&)>& on_step = {});

}  // namespace citybrain::control
