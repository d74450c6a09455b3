#include "citybrain/control/protocol.hpp"

#include <algorithm>

#include "citybrain/control/signal_runner.hpp"
#include "citybrain/core/error.hpp"
#include "citybrain/sim/benchmark_att.hpp"

namespace citybrain::control {

namespace {
constexpr std::uint32_t kActions = ProtocolSpec::kBenchmarkActions;
}  // namespace

ProtocolSpec ProtocolSpec::of(Protocol p) {
  ProtocolSpec spec;
  spec.decision_interval = p == Protocol::kLLMLight30 ? 30 : p == Protocol::kXLight15 ? 15 : 10;
  return spec;
}

Protocol parse_protocol(const std::string& name) {
  if (name == "llmlight30") return Protocol::kLLMLight30;
  if (name == "xlight15") return Protocol::kXLight15;
  if (name == "kddcup") return Protocol::kKddCup10;
  throw Error(ErrorCode::kInvalidArgument, "--protocol",
              "unknown protocol \"" + name + "\" (expected llmlight30, xlight15 or kddcup)");
}

namespace {

// Whether a light phase (global index) gives green to a through or left movement.
bool serves_movement(const net::Network& net, const net::Intersection& inter, std::uint32_t phase) {
  for (std::uint32_t r = inter.roadlinks.begin; r < inter.roadlinks.end; ++r) {
    const net::RoadLink& rl = net.roadlinks[r];
    if (rl.type != net::TurnType::kRight && net.phase_allows(phase, rl.index)) return true;
  }
  return false;
}

}  // namespace

std::vector<ControlledIntersection> controlled_intersections(const net::Network& net, int actions) {
  if (actions != ProtocolSpec::kBenchmarkActions && actions != ProtocolSpec::kAllPhases) {
    throw Error(
        ErrorCode::kInvalidArgument, "actions",
        "expected 4 (the benchmark layout) or 0 (every phase), found " + std::to_string(actions));
  }
  std::vector<ControlledIntersection> result;
  std::vector<std::size_t> index_of(net.intersections.size(), kNoIntersection);
  for (std::size_t i = 0; i < net.intersections.size(); ++i) {
    const net::Intersection& inter = net.intersections[i];
    if (inter.is_virtual || inter.roadlinks.empty()) continue;
    ControlledIntersection ci;
    if (actions == ProtocolSpec::kBenchmarkActions) {
      if (inter.phases.size() < kActions + 1) {
        throw Error(ErrorCode::kInvalidInput, "intersection " + inter.id,
                    "the benchmark protocols need light phases 0..4, found " +
                        std::to_string(inter.phases.size()));
      }
      for (std::uint32_t a = 0; a < kActions; ++a) ci.action_phases.push_back(a + 1);
      ci.yellow_phase = 0;
    } else {
      bool has_yellow = false;
      for (std::uint32_t p = 0; p < inter.phases.size(); ++p) {
        if (serves_movement(net, inter, inter.phases.begin + p)) {
          ci.action_phases.push_back(p);
        } else if (!has_yellow) {
          ci.yellow_phase = p;
          has_yellow = true;
        }
      }
      // Nothing to decide: no green at all, or a single phase that is always green (the engine
      // keeps light phase 0 under external control).
      if (ci.action_phases.empty() || (!has_yellow && inter.phases.size() == 1)) continue;
      if (!has_yellow) {
        throw Error(ErrorCode::kInvalidInput, "intersection " + inter.id,
                    "expected a phase giving green to no through or left movement (the yellow "
                    "between actions), found " +
                        std::to_string(inter.phases.size()) + " phases that all give some");
      }
    }
    ci.id = IntersectionId(i);
    index_of[i] = result.size();
    ci.action_movements.resize(ci.action_phases.size());
    for (std::size_t a = 0; a < ci.action_phases.size(); ++a) {
      std::uint32_t phase = inter.phases.begin + ci.action_phases[a];
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
          ControlledIntersection::Movement m;
          m.lane = lane;
          m.exit_lanes = exit_lanes;
          m.lane_length = net.lanes[lane.index()].length;
          m.max_speed = net.lanes[lane.index()].max_speed;
          m.exit_length = net.lanes[exit_lanes.front().index()].length;
          m.upstream = net.roads[net.lanes[lane.index()].road.index()].from.index();
          m.downstream = exit.to.index();
          ci.action_movements[a].push_back(std::move(m));
        }
      }
    }
    result.push_back(std::move(ci));
  }
  // Movements named intersections by network index so far; controllers want controlled indices.
  for (ControlledIntersection& ci : result) {
    for (auto& movements : ci.action_movements) {
      for (auto& m : movements) {
        m.upstream = index_of[m.upstream];
        m.downstream = index_of[m.downstream];
        for (std::size_t n : {m.upstream, m.downstream}) {
          if (n != kNoIntersection &&
              std::find(ci.neighbours.begin(), ci.neighbours.end(), n) == ci.neighbours.end())
            ci.neighbours.push_back(n);
        }
      }
    }
    std::sort(ci.neighbours.begin(), ci.neighbours.end());
  }
  return result;
}

long movement_pressure(const Observation& obs, const ControlledIntersection::Movement& m) {
  long down = 0;
  for (LaneId l : m.exit_lanes) down += obs.lane_waiting[l.index()];
  return static_cast<long>(obs.lane_waiting[m.lane.index()]) - down;
}

void observe_lanes(const sim::Engine& engine, double approach_range, Observation& obs) {
  const net::Network& net = engine.network();
  const std::size_t lanes = net.lanes.size();
  obs.lane_vehicles.resize(lanes);
  obs.lane_waiting.resize(lanes);
  obs.lane_approaching.resize(lanes);
  obs.lane_queue_length.resize(lanes);
  obs.lane_mean_speed.resize(lanes);
  obs.approach_range = approach_range;
  for (std::size_t l = 0; l < lanes; ++l) {
    const LaneId lane(l);
    const double length = net.lanes[l].length;
    std::uint32_t waiting = 0, approaching = 0;
    double speed_sum = 0;
    const auto& vehicles = engine.drivable_vehicles(engine.lane_drivable(lane));
    for (sim::Slot v : vehicles) {
      const double speed = engine.vehicle_speed(v);
      speed_sum += speed;
      if (speed < 0.1) {
        ++waiting;
      } else if (length - engine.vehicle_distance(v) <= approach_range) {
        ++approaching;
      }
    }
    obs.lane_vehicles[l] = static_cast<std::uint32_t>(vehicles.size());
    obs.lane_waiting[l] = waiting;
    obs.lane_approaching[l] = approaching;
    obs.lane_queue_length[l] = static_cast<float>(engine.lane_queue_length(lane));
    obs.lane_mean_speed[l] =
        vehicles.empty() ? 0.0f
                         : static_cast<float>(speed_sum / static_cast<double>(vehicles.size()));
  }
  obs.time = engine.time();
}

ProtocolResult run_protocol(sim::Engine& engine, Controller& controller, const ProtocolSpec& spec,
                            const std::function<void(double)>& progress,
                            const std::function<void(const sim::Engine&)>& on_step) {
  SignalRunner runner(engine, controller, spec);
  sim::BenchmarkAtt att(engine);
  while (engine.time() < spec.horizon) {
    runner.step();
    att.observe(engine);
    if (on_step) on_step(engine);
    if (progress && (runner.at_decision() || engine.time() >= spec.horizon))
      progress(engine.time());
  }
  ProtocolResult result;
  result.att = att.att(spec.horizon);
  result.att_cityflow = engine.average_travel_time_cityflow();
  result.att_vehicles = att.vehicles();
  result.decisions = runner.decisions();
  result.decide_seconds = runner.decide_seconds();
  return result;
}

}  // namespace citybrain::control
