// The lookahead controller (lookahead.hpp). Each decision it rebuilds a twin of the city from the
// observation and the static network only, then improves the brain's choice by best response on
// rolled-ahead clones of that twin.
#include "citybrain/control/lookahead.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "citybrain/control/protocol.hpp"
#include "citybrain/core/error.hpp"
#include "citybrain/core/rng.hpp"
#include "citybrain/core/thread_pool.hpp"
#include "citybrain/demand/demand.hpp"
#include "citybrain/net/network.hpp"
#include "citybrain/sim/engine.hpp"

namespace citybrain::control {

namespace {

constexpr std::size_t kNone = kNoIntersection;
constexpr int kMaxRouteRoads = 6;  // the current road and five more: beyond any horizon we use
constexpr double kStopGap = 0.5;   // metres between a stopped front vehicle and the stop line

double unit(std::uint64_t bits) {
  return static_cast<double>(bits >> 11) * 0x1.0p-53;
}

// The signal state machine of the protocols (PROTOCOL.md 1.4), as run_protocol keeps it.
struct Signal {
  int cur = 1, prev = 1, dur = 0, target = 1;
  bool yellow = false;
};

class Lookahead final : public Controller {
 public:
  Lookahead(std::shared_ptr<const net::Network> network, const LookaheadParams& p,
            int decision_interval)
      : m_net(std::move(network)),
        m_p(p),
        m_T(decision_interval),
        m_range(p.base.range_factor * 11.11 * decision_interval),
        m_base(make_brain(p.base, decision_interval)),
        m_pool(std::max(1, p.threads)) {
    if (!m_net) {
      throw Error(ErrorCode::kInvalidArgument, "lookahead",
                  "the lookahead controller needs the road network");
    }
    if (m_p.horizon_intervals < 1 || m_p.rounds < 0 || m_p.samples < 1) {
      throw Error(ErrorCode::kInvalidArgument, "lookahead",
                  "expected horizon >= 1 interval, rounds >= 0 and samples >= 1");
    }
    m_intervals = m_p.horizon_intervals;
  }
  std::string name() const override { return "lookahead"; }
  SensorSpec sensors() const override { return {.approach_range = m_range}; }

  void decide(const Observation& obs, std::span<const ControlledIntersection> inters,
              std::span<int> actions) override {
    if (m_ctrl.size() != inters.size()) prepare(inters);
    observe(obs);
    // The base policy's choice is where the search starts.
    m_plan.assign(inters.size(), 0);
    m_base->decide(obs, inters, m_plan);
    if (m_p.rounds > 0 && !inters.empty()) {
      m_twins.resize(static_cast<std::size_t>(std::max(1, m_p.samples)));
      for (std::size_t k = 0; k < m_twins.size(); ++k) build_twin(obs, inters, k);
      for (int round = 0; round < m_p.rounds; ++round) {
        for (const auto& members : m_classes) improve(obs, inters, members);
      }
    }
    for (std::size_t i = 0; i < inters.size(); ++i) actions[i] = m_plan[i];
    ++m_decisions;
  }

 private:
  // Per worker: a clone of the twin, its signals and the base policy's sensors and brain.
  struct Worker {
    std::unique_ptr<sim::Engine> engine;
    std::vector<Signal> signals;
    Observation obs;
    std::vector<int> actions;
  };

  // Static layout from the network, once.
  void prepare(std::span<const ControlledIntersection> inters) {
    const net::Network& net = *m_net;
    m_ctrl.assign(inters.begin(), inters.end());
    std::vector<std::size_t> ctrl_of(net.intersections.size(), kNone);
    for (std::size_t i = 0; i < inters.size(); ++i) ctrl_of[inters[i].id.index()] = i;
    m_lane_next.assign(net.lanes.size(), {});
    for (std::size_t l = 0; l < net.lanes.size(); ++l) {
      for (LaneLinkId k : net.lane_links(LaneId(l))) {
        LaneId to = net.lanelinks[k.index()].to;
        if (std::find(m_lane_next[l].begin(), m_lane_next[l].end(), to) == m_lane_next[l].end())
          m_lane_next[l].push_back(to);
      }
    }
    // The lanes whose vehicles an intersection's action moves: those of the roads entering it, and
    // those of its exit roads that enter another signalised intersection (the benchmark metric
    // counts time on entering lanes only).
    m_score_lanes.assign(inters.size(), {});
    m_entry_roads.clear();
    for (std::size_t r = 0; r < net.roads.size(); ++r) {
      const net::Road& road = net.roads[r];
      const std::size_t to = ctrl_of[road.to.index()];
      const std::size_t from = ctrl_of[road.from.index()];
      for (std::uint32_t k = 0; k < road.lane_count; ++k) {
        const LaneId lane = net.lane_of(RoadId(r), k);
        if (to != kNone) m_score_lanes[to].push_back({lane, 1.0});
        if (from != kNone && to != kNone) m_score_lanes[from].push_back({lane, m_p.out_weight});
      }
      if (net.intersections[road.from.index()].is_virtual && to != kNone)
        m_entry_roads.push_back(RoadId(r));
    }
    // Greedy colouring: neighbours never share a class, so a class moves together safely.
    std::vector<int> colour(inters.size(), -1);
    int colours = 0;
    for (std::size_t i = 0; i < inters.size(); ++i) {
      int c = 0;
      for (;;) {
        bool used = false;
        for (std::size_t n : inters[i].neighbours) used = used || (n < i && colour[n] == c);
        if (!used) break;
        ++c;
      }
      colour[i] = c;
      colours = std::max(colours, c + 1);
    }
    m_classes.assign(static_cast<std::size_t>(colours), {});
    for (std::size_t i = 0; i < inters.size(); ++i)
      m_classes[static_cast<std::size_t>(colour[i])].push_back(i);
    m_lane_weight.assign(net.lanes.size(), 0.0);
    m_inflow.assign(net.roads.size(), -1.0);
    m_actions_max = 0;
    for (const auto& ci : inters)
      m_actions_max = std::max(m_actions_max, ci.action_movements.size());
    m_vehicle.max_speed = 0;
    for (const net::Lane& lane : net.lanes)
      m_vehicle.max_speed = std::max(m_vehicle.max_speed, lane.max_speed);
    m_workers.resize(static_cast<std::size_t>(m_pool.size()));
    m_cost.clear();
  }

  // Moving vehicles per metre of a lane's free stretch: proportional to the flow using the lane.
  double moving_density(const Observation& obs, std::size_t l) const {
    const double length = m_net->lanes[l].length;
    const double moving = static_cast<double>(obs.lane_vehicles[l]) - obs.lane_waiting[l];
    const double free = std::max(0.25 * length, length - obs.lane_queue_length[l]);
    return std::max(0.0, moving) / free;
  }

  // Online estimates: turning shares per lane (each lane serves its own movements) and the inflow
  // rate of every road entering from the boundary.
  void observe(const Observation& obs) {
    const net::Network& net = *m_net;
    for (std::size_t l = 0; l < net.lanes.size(); ++l)
      m_lane_weight[l] =
          m_p.share_decay * m_lane_weight[l] + moving_density(obs, l) * net.lanes[l].length;
    for (RoadId r : m_entry_roads) {
      const net::Road& road = net.roads[r.index()];
      double rate = 0;
      for (std::uint32_t k = 0; k < road.lane_count; ++k) {
        const std::size_t l = net.lane_of(r, k).index();
        rate += moving_density(obs, l) * net.lanes[l].max_speed;
      }
      double& inflow = m_inflow[r.index()];
      inflow = inflow < 0 || obs.time <= 0
                   ? rate
                   : m_p.inflow_decay * inflow + (1 - m_p.inflow_decay) * rate;
    }
  }

  // Draws a lane of `road` by the estimated shares among `allowed` (all lanes when empty).
  LaneId draw_lane(RoadId road, std::span<const LaneId> allowed, std::uint64_t bits) const {
    const net::Network& net = *m_net;
    const net::Road& rd = net.roads[road.index()];
    double total = 0;
    auto ok = [&](LaneId lane) {
      if (m_lane_next[lane.index()].empty()) return false;
      return allowed.empty() || std::find(allowed.begin(), allowed.end(), lane) != allowed.end();
    };
    for (std::uint32_t k = 0; k < rd.lane_count; ++k) {
      const LaneId lane = net.lane_of(road, k);
      if (ok(lane)) total += m_lane_weight[lane.index()] + m_p.share_prior;
    }
    if (total <= 0) return LaneId::invalid();
    double u = unit(bits) * total;
    LaneId last = LaneId::invalid();
    for (std::uint32_t k = 0; k < rd.lane_count; ++k) {
      const LaneId lane = net.lane_of(road, k);
      if (!ok(lane)) continue;
      last = lane;
      u -= m_lane_weight[lane.index()] + m_p.share_prior;
      if (u < 0) return lane;
    }
    return last;
  }

  // A route starting on `lane`: its next roads drawn from the turning shares.
  void draw_route(LaneId lane, std::uint64_t seed, std::vector<RoadId>& route) const {
    const net::Network& net = *m_net;
    route.clear();
    route.push_back(net.lanes[lane.index()].road);
    for (int n = 1; n < kMaxRouteRoads; ++n) {
      const auto& next = m_lane_next[lane.index()];
      if (next.empty()) break;
      // Lane links from one lane may reach several roads: pick one, then a lane on it among those
      // this lane reaches.
      const RoadId road =
          net.lanes[next[random_u64(seed, 1, static_cast<std::uint64_t>(n)) % next.size()].index()]
              .road;
      route.push_back(road);
      m_allowed.clear();
      for (LaneId to : next)
        if (net.lanes[to.index()].road == road) m_allowed.push_back(to);
      const LaneId onward =
          draw_lane(road, m_allowed, random_u64(seed, 2, static_cast<std::uint64_t>(n)));
      if (!onward.valid()) break;
      lane = onward;
    }
  }

  // The twin: vehicles placed from the lane counts, arrivals at the boundary, signals as observed.
  void build_twin(const Observation& obs, std::span<const ControlledIntersection> inters,
                  std::size_t sample) {
    const net::Network& net = *m_net;
    const std::uint64_t seed = random_u64(m_decisions + 1, 0x7477696e, sample);  // "twin"
    auto demand = std::make_shared<demand::Demand>();
    const VehicleTypeId type = demand->add_type(m_vehicle);
    const double spacing = m_vehicle.length + m_vehicle.min_gap;
    m_placements.clear();
    std::vector<RoadId>& route = m_route;
    for (std::size_t l = 0; l < net.lanes.size(); ++l) {
      const std::uint32_t n = obs.lane_vehicles[l];
      if (n == 0) continue;
      const double length = net.lanes[l].length;
      const std::uint32_t waiting = std::min(obs.lane_waiting[l], n);
      const std::uint32_t moving = n - waiting;
      const std::uint32_t near = std::min(obs.lane_approaching[l], moving);
      const double moving_speed = std::min<double>(
          m_vehicle.max_speed,
          moving == 0 ? 0.0 : static_cast<double>(obs.lane_mean_speed[l]) * n / moving);
      double front = length - kStopGap + spacing;  // where the previous vehicle's front stood
      bool stopped_ahead = true;
      auto place = [&](double dis, double speed, std::uint64_t k) {
        dis = std::min(dis, front - spacing);
        if (dis < m_vehicle.length) return false;
        if (stopped_ahead) {
          const double gap = front - m_vehicle.length - dis - m_vehicle.min_gap;
          speed = std::min(speed, std::sqrt(2 * m_vehicle.usual_neg_acc * std::max(0.0, gap)));
        }
        draw_route(LaneId(l), random_u64(seed, l, k), route);
        m_placements.push_back({LaneId(l), demand->add_route(route), dis, speed});
        front = dis;
        stopped_ahead = speed < 0.1;
        return true;
      };
      std::uint64_t k = 0;
      for (std::uint32_t j = 0; j < waiting; ++j, ++k)
        if (!place(length - kStopGap - spacing * j, 0.0, k)) break;
      // Moving vehicles: those within the approach range spread evenly behind the queue, the
      // others evenly over the rest of the lane.
      const double range_start = std::max(0.0, length - obs.approach_range);
      const double near_top = std::min(front - spacing, length - kStopGap);
      for (std::uint32_t j = 0; j < near; ++j, ++k) {
        const double dis = near_top - (j + 0.5) * (near_top - range_start) / near;
        if (!place(dis, moving_speed, k)) break;
      }
      const std::uint32_t far = moving - near;
      const double far_top = std::min(front - spacing, range_start);
      for (std::uint32_t j = 0; j < far; ++j, ++k) {
        const double dis = far_top - (j + 0.5) * far_top / far;
        if (!place(std::max(dis, m_vehicle.length), moving_speed, k)) break;
      }
    }
    // Arrivals from the boundary at the estimated rates, evenly spaced over the horizon.
    const int horizon = m_intervals * m_T;
    for (RoadId r : m_entry_roads) {
      const double rate = m_inflow[r.index()];
      if (!(rate > 1e-4)) continue;
      const double phase = unit(random_u64(seed, 3, r.index()));
      for (std::uint64_t j = 0;; ++j) {
        const double t = (static_cast<double>(j) + phase) / rate;
        if (t >= horizon) break;
        const LaneId first = draw_lane(r, {}, random_u64(seed, 4 + r.index(), j));
        if (!first.valid()) break;
        draw_route(first, random_u64(seed, 5 + r.index(), j), route);
        demand::Flow flow;
        flow.type = type;
        flow.route = demand->add_route(route);
        flow.interval = 1;
        flow.start = flow.end = static_cast<int>(t);
        demand->flows.push_back(flow);
      }
    }
    sim::SimConfig config;
    config.rl_traffic_light = true;
    config.lane_change = false;
    config.seed = 0;
    config.threads = 1;
    auto twin = std::make_unique<sim::Engine>(m_net, std::move(demand), config);
    for (const PlacementRecord& p : m_placements)
      twin->place_vehicle(type, p.route, p.lane, p.dis, p.speed);
    m_signals.assign(inters.size(), Signal{});
    for (std::size_t i = 0; i < inters.size(); ++i) {
      Signal& s = m_signals[i];
      const int cur = obs.current_action[i];
      s.yellow = cur < 0;
      s.cur = s.prev = cur < 0 ? -1 : cur + 1;
      s.target = cur < 0 ? m_plan[i] + 1 : cur + 1;
      s.dur = obs.time_in_phase[i];
      // Signal values count actions from 1 here; the light phase of action a is action_phases[a].
      twin->set_phase(inters[i].id,
                      s.yellow ? inters[i].yellow_phase
                               : inters[i].action_phases[static_cast<std::size_t>(s.cur - 1)]);
    }
    m_twins[sample] = std::move(twin);
  }

  // One rollout: the class `members` takes `candidate` (where it has it), everybody else the
  // plan, for one interval; then the base policy decides for all. Adds each member's cost.
  void rollout(const Observation& real, std::span<const ControlledIntersection> inters,
               std::span<const std::size_t> members, std::size_t candidate, const sim::Engine& twin,
               Worker& w, std::vector<double>& cost) {
    if (!w.engine) {
      w.engine = std::make_unique<sim::Engine>(twin);
    } else {
      *w.engine = twin;
    }
    sim::Engine& engine = *w.engine;
    w.signals = m_signals;
    w.actions = m_plan;
    for (std::size_t i : members)
      if (candidate < inters[i].action_movements.size()) w.actions[i] = static_cast<int>(candidate);
    auto brain = make_brain(m_p.base, m_T);
    w.obs.decision_interval = real.decision_interval;
    w.obs.yellow = real.yellow;
    w.obs.current_action.resize(inters.size());
    w.obs.time_in_phase.resize(inters.size());
    for (std::size_t i : members) cost[i] = 0;
    for (int h = 0; h < m_intervals; ++h) {
      if (h > 0) {
        observe_lanes(engine, m_range, w.obs);
        for (std::size_t i = 0; i < inters.size(); ++i) {
          w.obs.current_action[i] = w.signals[i].yellow ? -1 : w.signals[i].cur - 1;
          w.obs.time_in_phase[i] = w.signals[i].dur;
        }
        brain->decide(w.obs, inters, w.actions);
      }
      for (int s = 0; s < m_T; ++s) {
        for (std::size_t i = 0; i < inters.size(); ++i) {
          Signal& sig = w.signals[i];
          sig.prev = sig.cur;
          if (sig.yellow) {
            if (sig.dur >= real.yellow) {
              engine.set_phase(inters[i].id,
                               inters[i].action_phases[static_cast<std::size_t>(sig.target - 1)]);
              sig.cur = sig.target;
              sig.yellow = false;
            }
          } else {
            sig.target = w.actions[i] + 1;
            if (sig.target != sig.cur) {
              engine.set_phase(inters[i].id, inters[i].yellow_phase);
              sig.cur = -1;
              sig.yellow = true;
            }
          }
        }
        engine.step();
        for (Signal& sig : w.signals) sig.dur = sig.cur == sig.prev ? sig.dur + 1 : 1;
        for (std::size_t i : members) {
          double c = 0;
          for (const auto& [lane, weight] : m_score_lanes[i])
            c += weight * delay_rate(engine, lane);
          cost[i] += c;
        }
      }
    }
    if (m_p.terminal > 0) {
      for (std::size_t i : members) {
        double waiting = 0;
        for (const auto& [lane, weight] : m_score_lanes[i])
          waiting += weight * engine.lane_waiting_count(lane);
        cost[i] += m_p.terminal * waiting;
      }
    }
  }

  // Seconds of delay a lane's vehicles accrue per second: each loses 1 - v / v_max of a second
  // against driving at the lane's speed limit. Serving a queue lowers it at once; a queue spilling
  // onto an exit road raises it.
  double delay_rate(const sim::Engine& engine, LaneId lane) const {
    const double inv = 1.0 / m_net->lanes[lane.index()].max_speed;
    double delay = 0;
    for (sim::Slot v : engine.drivable_vehicles(engine.lane_drivable(lane)))
      delay += std::max(0.0, 1.0 - engine.vehicle_speed(v) * inv);
    return delay;
  }

  // Best response of one colour class: every candidate action on its own clone of every sampled
  // twin, in parallel; a member leaves the plan only for a clearly lower total cost.
  void improve(const Observation& obs, std::span<const ControlledIntersection> inters,
               std::span<const std::size_t> members) {
    const std::size_t samples = m_twins.size();
    const std::size_t tasks = m_actions_max * samples;
    if (m_cost.size() < tasks) m_cost.resize(tasks, std::vector<double>(inters.size(), 0.0));
    m_pool.parallel_for(tasks, [&](std::size_t begin, std::size_t end, int worker) {
      for (std::size_t t = begin; t < end; ++t) {
        rollout(obs, inters, members, t / samples, *m_twins[t % samples],
                m_workers[static_cast<std::size_t>(worker)], m_cost[t]);
      }
    });
    for (std::size_t i : members) {
      auto total = [&](std::size_t a) {
        double c = 0;
        for (std::size_t k = 0; k < samples; ++k) c += m_cost[a * samples + k][i];
        return c / static_cast<double>(samples);
      };
      const auto plan = static_cast<std::size_t>(m_plan[i]);
      std::size_t best = plan;
      for (std::size_t a = 0; a < inters[i].action_movements.size(); ++a)
        if (total(a) < total(best) - 1e-9) best = a;
      const double margin = m_p.margin * m_intervals * m_T / 60.0;
      if (total(best) < total(plan) - margin) m_plan[i] = static_cast<int>(best);
    }
  }

  std::shared_ptr<const net::Network> m_net;
  LookaheadParams m_p;
  int m_T;
  int m_intervals;  // decision intervals a rollout covers
  double m_range;
  std::unique_ptr<Controller> m_base;
  ThreadPool m_pool;
  std::uint64_t m_decisions = 0;

  std::vector<ControlledIntersection> m_ctrl;
  std::vector<std::vector<LaneId>> m_lane_next;  // per lane: the lanes its links reach
  std::vector<std::vector<std::pair<LaneId, double>>> m_score_lanes;
  std::vector<RoadId> m_entry_roads;
  std::vector<std::vector<std::size_t>> m_classes;
  std::size_t m_actions_max = 0;
  demand::VehicleType m_vehicle{.length = 5,
                                .width = 2,
                                .max_pos_acc = 2,
                                .max_neg_acc = 4.5,
                                .usual_pos_acc = 2,
                                .usual_neg_acc = 4.5,
                                .min_gap = 2.5,
                                .max_speed = 11.111,
                                .headway_time = 2};

  std::vector<double> m_lane_weight;  // turning-share counts per lane
  std::vector<double> m_inflow;       // per road (entry roads only): vehicles per second

  std::vector<int> m_plan;
  std::vector<std::unique_ptr<sim::Engine>> m_twins;  // one per route sample
  std::vector<Signal> m_signals;
  std::vector<Worker> m_workers;
  std::vector<std::vector<double>> m_cost;  // per candidate action, per intersection
  struct PlacementRecord {
    LaneId lane;
    RouteId route;
    double dis, speed;
  };
  std::vector<PlacementRecord> m_placements;
  std::vector<RoadId> m_route;
  mutable std::vector<LaneId> m_allowed;
};

}  // namespace

std::unique_ptr<Controller> make_lookahead(std::shared_ptr<const net::Network> network,
                                           const LookaheadParams& params, int decision_interval) {
  return std::make_unique<Lookahead>(std::move(network), params, decision_interval);
}

}  // namespace citybrain::control
