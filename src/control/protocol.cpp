#include "citybrain/control/protocol.hpp"

#include <algorithm>

#include "citybrain/core/error.hpp"
#include "citybrain/sim/benchmark_att.hpp"

namespace citybrain::control {

namespace {
constexpr int kActions = 4;

class FixedTime final : public Controller {
 public:
  explicit FixedTime(int phase_time) : m_phase_time(phase_time) {}
  std::string name() const override { return "fixed"; }
  void decide(const Observation& obs, std::span<const ControlledIntersection> inters,
              std::span<int> actions) override {
    for (std::size_t i = 0; i < inters.size(); ++i) {
      int cur = obs.current_action[i];
      if (cur < 0) continue;  // keep the previous action during yellow
      actions[i] = obs.time_in_phase[i] >= m_phase_time ? (cur + 1) % kActions : cur;
    }
  }

 private:
  int m_phase_time;
};

class MaxPressure final : public Controller {
 public:
  std::string name() const override { return "maxpressure"; }
  void decide(const Observation& obs, std::span<const ControlledIntersection> inters,
              std::span<int> actions) override {
    for (std::size_t i = 0; i < inters.size(); ++i) {
      int best = 0;
      long best_pressure = 0;
      for (int a = 0; a < static_cast<int>(inters[i].action_movements.size()); ++a) {
        long pressure = 0;
        for (const auto& m : inters[i].action_movements[a]) {
          long down = 0;
          for (LaneId l : m.exit_lanes) down += obs.lane_waiting[l.index()];
          pressure += static_cast<long>(obs.lane_waiting[m.lane.index()]) - down;
        }
        if (a == 0 || pressure > best_pressure) {
          best = a;
          best_pressure = pressure;
        }
      }
      actions[i] = best;
    }
  }
};

}  // namespace

ProtocolSpec ProtocolSpec::of(Protocol p) {
  ProtocolSpec spec;
  spec.decision_interval = p == Protocol::kLLMLight30 ? 30 : 15;
  return spec;
}

Protocol parse_protocol(const std::string& name) {
  if (name == "llmlight30") return Protocol::kLLMLight30;
  if (name == "xlight15") return Protocol::kXLight15;
  throw Error(ErrorCode::kInvalidArgument, "--protocol",
              "unknown protocol \"" + name + "\" (expected llmlight30 or xlight15)");
}

std::unique_ptr<Controller> make_fixed_time(int phase_time) {
  return std::make_unique<FixedTime>(phase_time);
}
std::unique_ptr<Controller> make_max_pressure() {
  return std::make_unique<MaxPressure>();
}

std::vector<ControlledIntersection> controlled_intersections(const net::Network& net) {
  std::vector<ControlledIntersection> result;
  for (std::size_t i = 0; i < net.intersections.size(); ++i) {
    const net::Intersection& inter = net.intersections[i];
    if (inter.is_virtual || inter.roadlinks.empty()) continue;
    if (inter.phases.size() < kActions + 1) {
      throw Error(ErrorCode::kInvalidInput, "intersection " + inter.id,
                  "the benchmark protocols need light phases 0..4, found " +
                      std::to_string(inter.phases.size()));
    }
    ControlledIntersection ci;
    ci.id = IntersectionId(i);
    ci.action_movements.resize(kActions);
    for (int a = 0; a < kActions; ++a) {
      std::uint32_t phase = inter.phases.begin + static_cast<std::uint32_t>(a + 1);
      for (std::uint32_t r = inter.roadlinks.begin; r < inter.roadlinks.end; ++r) {
        const net::RoadLink& rl = net.roadlinks[r];
        if (rl.type == net::TurnType::kRight || !net.phase_allows(phase, rl.index)) continue;
        const net::Road& exit = net.roads[rl.to.index()];
        std::vector<LaneId> exit_lanes;
        for (std::uint32_t l = 0; l < exit.lane_count; ++l)
          exit_lanes.push_back(net.lane_of(rl.to, l));
        std::vector<LaneId> seen;
        for (std::uint32_t k = rl.lanelinks.begin; k < rl.lanelinks.end; ++k) {
          LaneId lane = net.lanelinks[k].from;
          if (std::find(seen.begin(), seen.end(), lane) != seen.end()) continue;
          seen.push_back(lane);
          ci.action_movements[a].push_back({lane, exit_lanes});
        }
      }
    }
    result.push_back(std::move(ci));
  }
  return result;
}

ProtocolResult run_protocol(sim::Engine& engine, Controller& controller, const ProtocolSpec& spec,
                            const std::function<void(double)>& progress,
                            const std::function<void(const sim::Engine&)>& on_step) {
  if (!engine.config().rl_traffic_light) {
    throw Error(ErrorCode::kInvalidArgument, "protocol",
                "the protocol runner sets phases itself (expected rlTrafficLight true)");
  }
  if (spec.decision_interval <= spec.yellow) {
    throw Error(ErrorCode::kInvalidArgument, "protocol",
                "the decision interval must be longer than the yellow time");
  }
  const net::Network& net = engine.network();
  auto inters = controlled_intersections(net);
  const std::size_t n = inters.size();
  struct Signal {
    int cur = 1, prev = 1, dur = -1, target = 1;
    bool yellow = false;
  };
  std::vector<Signal> signals(n);
  std::vector<int> actions(n, 0);
  Observation obs;
  obs.lane_vehicles.resize(net.lanes.size());
  obs.lane_waiting.resize(net.lanes.size());
  obs.current_action.resize(n);
  obs.time_in_phase.resize(n);
  sim::BenchmarkAtt att(engine);

  auto measure = [&] {
    for (std::size_t l = 0; l < net.lanes.size(); ++l) {
      obs.lane_vehicles[l] = engine.lane_vehicle_count(LaneId(l));
      obs.lane_waiting[l] = engine.lane_waiting_count(LaneId(l));
    }
    for (std::size_t i = 0; i < n; ++i) {
      Signal& s = signals[i];
      s.dur = s.cur == s.prev ? s.dur + 1 : 1;
      obs.current_action[i] = s.yellow ? -1 : s.cur - 1;
      obs.time_in_phase[i] = s.dur;
    }
    obs.time = engine.time();
  };
  for (std::size_t i = 0; i < n; ++i) engine.set_phase(inters[i].id, 1);
  measure();
  while (engine.time() < spec.horizon) {
    controller.decide(obs, inters, actions);
    for (int s = 0; s < spec.decision_interval && engine.time() < spec.horizon; ++s) {
      for (std::size_t i = 0; i < n; ++i) {
        Signal& sig = signals[i];
        sig.prev = sig.cur;
        if (sig.yellow) {
          if (sig.dur >= spec.yellow) {
            engine.set_phase(inters[i].id, static_cast<std::uint32_t>(sig.target));
            sig.cur = sig.target;
            sig.yellow = false;
          }
        } else {
          sig.target = actions[i] + 1;
          if (sig.target != sig.cur) {
            engine.set_phase(inters[i].id, 0);
            sig.cur = -1;
            sig.yellow = true;
          }
        }
      }
      engine.step();
      measure();
      att.observe(engine);
      if (on_step) on_step(engine);
    }
    if (progress) progress(engine.time());
  }
  ProtocolResult result;
  result.att = att.att(spec.horizon);
  result.att_cityflow = engine.average_travel_time_cityflow();
  result.att_vehicles = att.vehicles();
  return result;
}

}  // namespace citybrain::control
