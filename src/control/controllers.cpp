// The signal controllers. Each reads only the Observation and the static intersection layout.
#include "citybrain/control/controllers.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <limits>
#include <sstream>

#include "citybrain/control/lookahead.hpp"
#include "citybrain/core/error.hpp"

namespace citybrain::control {

namespace {
using Movement = ControlledIntersection::Movement;

double mean_exit_waiting(const Observation& obs, const Movement& m) {
  double down = 0;
  for (LaneId l : m.exit_lanes) down += obs.lane_waiting[l.index()];
  return m.exit_lanes.empty() ? 0.0 : down / static_cast<double>(m.exit_lanes.size());
}

// Efficient pressure (Efficient-XLight): the entering queue minus the exit road's mean queue, so a
// three-lane exit road does not count three times as much as the lane that feeds it.
double efficient_pressure(const Observation& obs, const Movement& m) {
  return obs.lane_waiting[m.lane.index()] - mean_exit_waiting(obs, m);
}

// Index of the first maximum of score(a) over the actions.
template <class Score>
int argmax_action(const ControlledIntersection& ci, Score score) {
  int best = 0;
  double best_score = 0;
  for (int a = 0; a < static_cast<int>(ci.action_movements.size()); ++a) {
    const double s = score(a);
    if (a == 0 || s > best_score) {
      best = a;
      best_score = s;
    }
  }
  return best;
}

class FixedTime final : public Controller {
 public:
  explicit FixedTime(int phase_time) : m_phase_time(phase_time) {}
  std::string name() const override { return "fixed"; }
  void decide(const Observation& obs, std::span<const ControlledIntersection> inters,
              std::span<int> actions) override {
    for (std::size_t i = 0; i < inters.size(); ++i) {
      int cur = obs.current_action[i];
      if (cur < 0) continue;  // keep the previous action during yellow
      const int n = static_cast<int>(inters[i].action_movements.size());
      actions[i] = obs.time_in_phase[i] >= m_phase_time ? (cur + 1) % n : cur;
    }
  }

 private:
  int m_phase_time;
};

// Idea: send green where stopped vehicles upstream outnumber stopped vehicles downstream the
// most (Varaiya's MaxPressure, as the benchmark code computes it).
class MaxPressure final : public Controller {
 public:
  std::string name() const override { return "maxpressure"; }
  void decide(const Observation& obs, std::span<const ControlledIntersection> inters,
              std::span<int> actions) override {
    for (std::size_t i = 0; i < inters.size(); ++i) {
      actions[i] = argmax_action(inters[i], [&](int a) {
        long pressure = 0;
        for (const auto& m : inters[i].action_movements[a]) pressure += movement_pressure(obs, m);
        return static_cast<double>(pressure);
      });
    }
  }
};

// Idea (SOTL, Gershenson 2005 as adapted by Cools et al.): a green that still has a short platoon
// arriving close to the stop line keeps it; otherwise the light switches, to the red phase with
// the most waiting vehicles, as soon as that count reaches a threshold.
class Sotl final : public Controller {
 public:
  std::string name() const override { return "sotl"; }
  SensorSpec sensors() const override { return {.approach_range = kOmega}; }
  void decide(const Observation& obs, std::span<const ControlledIntersection> inters,
              std::span<int> actions) override {
    for (std::size_t i = 0; i < inters.size(); ++i) {
      const ControlledIntersection& ci = inters[i];
      const int cur = obs.current_action[i];
      if (cur < 0) continue;
      std::uint32_t platoon = 0;
      for (const auto& m : ci.action_movements[cur])
        platoon += obs.lane_approaching[m.lane.index()];
      const int best = argmax_action(ci, [&](int a) {
        if (a == cur) return -1.0;
        double waiting = 0;
        for (const auto& m : ci.action_movements[a]) waiting += obs.lane_waiting[m.lane.index()];
        return waiting;
      });
      double red_waiting = 0;
      for (const auto& m : ci.action_movements[best])
        red_waiting += obs.lane_waiting[m.lane.index()];
      const bool platoon_coming = platoon > 0 && platoon <= kMu;
      actions[i] = !platoon_coming && red_waiting >= kTheta ? best : cur;
    }
  }

 private:
  static constexpr double kOmega = 50;     // m: "close to the stop line"
  static constexpr std::uint32_t kMu = 3;  // vehicles: a platoon short enough to let through
  static constexpr double kTheta = 4;      // waiting vehicles that demand a switch
};

// Idea (Efficient-MP, Efficient-XLight): MaxPressure with the efficient pressure (the exit road's
// mean queue instead of its sum).
class EfficientPressure final : public Controller {
 public:
  std::string name() const override { return "efficient"; }
  void decide(const Observation& obs, std::span<const ControlledIntersection> inters,
              std::span<int> actions) override {
    for (std::size_t i = 0; i < inters.size(); ++i) {
      actions[i] = argmax_action(inters[i], [&](int a) {
        double p = 0;
        for (const auto& m : inters[i].action_movements[a]) p += efficient_pressure(obs, m);
        return p;
      });
    }
  }
};

// Idea (Advanced-MP, Advanced-XLight): vehicles still running towards a green stop line within the
// distance they can cover in one interval are demand the current phase would serve for free, so
// keep it while they outnumber the largest efficient pressure; otherwise switch to that phase.
class AdvancedPressure final : public Controller {
 public:
  explicit AdvancedPressure(int decision_interval) : m_range(11.11 * decision_interval) {}
  std::string name() const override { return "advanced"; }
  SensorSpec sensors() const override { return {.approach_range = m_range}; }
  void decide(const Observation& obs, std::span<const ControlledIntersection> inters,
              std::span<int> actions) override {
    for (std::size_t i = 0; i < inters.size(); ++i) {
      const ControlledIntersection& ci = inters[i];
      const int cur = obs.current_action[i];
      double best_pressure = 0;
      const int best = argmax_action(ci, [&](int a) {
        double p = 0;
        for (const auto& m : ci.action_movements[a]) p += efficient_pressure(obs, m);
        if (a == 0 || p > best_pressure) best_pressure = p;
        return p;
      });
      double running = 0;
      if (cur >= 0)
        for (const auto& m : ci.action_movements[cur])
          running += obs.lane_approaching[m.lane.index()];
      actions[i] = cur >= 0 && running > best_pressure ? cur : best;
    }
  }

 private:
  double m_range;
};

// Idea (the brain): score each phase by what it would achieve in the coming interval with a small
// queue model per movement. A phase change costs the yellow, so a kept phase discharges for T
// seconds and a new one for T - yellow; a movement discharges its stopped queue plus the running
// vehicles that reach the stop line in that time, at most one per saturation headway and no more
// than its exit road has room for. Vehicles left waiting and the exit road's queue enter as in
// efficient pressure, so long queues are not starved and spill-back is avoided.
class Brain final : public Controller {
 public:
  Brain(const BrainParams& p, int decision_interval)
      : m_p(p), m_range(p.range_factor * 11.11 * decision_interval) {}
  std::string name() const override { return "brain"; }
  SensorSpec sensors() const override { return {.approach_range = m_range}; }
  void decide(const Observation& obs, std::span<const ControlledIntersection> inters,
              std::span<int> actions) override {
    const double T = obs.decision_interval;
    // Before the first decision nothing is known about past greens: count from now.
    if (m_last_green.size() != inters.size()) {
      std::array<double, kMaxActions> now{};
      now.fill(obs.time);
      m_last_green.assign(inters.size(), now);
    }
    for (std::size_t i = 0; i < inters.size(); ++i) {
      const ControlledIntersection& ci = inters[i];
      const int cur = obs.current_action[i];
      const std::size_t n_actions = ci.action_movements.size();
      // The queue model's state per action and movement: stopped and running vehicles.
      for (std::size_t a = 0; a < n_actions && a < kMaxActions; ++a) {
        const auto& ms = ci.action_movements[a];
        for (std::size_t k = 0; k < ms.size() && k < kMaxMovements; ++k) {
          const auto& m = ms[k];
          State& st = m_state[a][k];
          st.queue = obs.lane_waiting[m.lane.index()];
          st.running = obs.lane_approaching[m.lane.index()];
          double exit_vehicles = 0;
          for (LaneId l : m.exit_lanes) exit_vehicles += obs.lane_vehicles[l.index()];
          st.room = std::max(
              0.0, m.exit_length / 7.5 * static_cast<double>(m.exit_lanes.size()) - exit_vehicles);
          st.down = mean_exit_waiting(obs, m);
          st.speed = m.max_speed;
        }
      }
      if (cur >= 0 && static_cast<std::size_t>(cur) < kMaxActions)
        m_last_green[i][static_cast<std::size_t>(cur)] = obs.time;
      auto movements = [&](std::size_t a) {
        return std::min(ci.action_movements[a].size(), kMaxMovements);
      };
      auto interval_score = [&](std::size_t a, double green, auto& state, bool advance) {
        double score = 0;
        for (std::size_t b = 0; b < n_actions && b < kMaxActions; ++b) {
          for (std::size_t k = 0; k < movements(b); ++k) {
            State& st = state[b][k];
            const double reach =
                std::min(1.0, st.speed * (b == a ? green + m_p.yellow_reach * (T - green) : T) /
                                  std::max(1.0, m_range));
            const double arriving = st.running * reach;
            if (b != a) {
              if (advance) {
                st.queue += arriving;
                st.running -= arriving;
              }
              continue;
            }
            const double capacity = green / m_p.saturation_headway;
            double served = std::min(st.queue + arriving, capacity);
            if (m_p.spill > 0) served = std::min(served, st.room / m_p.spill);
            double left = st.queue - std::min(st.queue, served);
            // A queue behind a full exit road cannot move whatever the light shows.
            if (m_p.block > 0) left *= std::min(1.0, st.room / std::max(1.0, m_p.block * st.queue));
            double gain = served;
            if (m_p.horizon > 0) {
              // Vehicle-seconds of waiting saved over the horizon: early discharges save more.
              const double horizon = m_p.horizon;
              const double start = T - green;
              gain = (served * (horizon - start) -
                      m_p.saturation_headway * served * (served + 1) / 2) /
                     (horizon / 2);
            }
            score += gain + m_p.queue_weight * left - m_p.downstream_weight * st.down;
            if (advance) {
              st.queue = std::max(0.0, st.queue + arriving - served);
              st.running -= arriving;
              st.room = std::max(0.0, st.room - served);
            }
          }
        }
        return score;
      };
      actions[i] = argmax_action(ci, [&](int ai) {
        const auto a = static_cast<std::size_t>(ai);
        if (a >= kMaxActions) return -std::numeric_limits<double>::infinity();
        const double green = ai == cur ? T : T - obs.yellow;
        const double red = ai == cur ? 0.0 : obs.time - m_last_green[i][a];
        double queued = 0;
        for (std::size_t k = 0; k < movements(a); ++k) queued += m_state[a][k].queue;
        const bool fresh = ai == cur && obs.time_in_phase[i] < obs.decision_interval;
        double score = (ai == cur ? m_p.keep_bonus : 0.0) + (fresh ? m_p.fresh_bonus : 0.0) +
                       m_p.starvation * red + m_p.delay_weight * queued * red / T;
        if (m_p.lookahead <= 0) return score + interval_score(a, green, m_state, false);
        auto next = m_state;
        score += interval_score(a, green, next, true);
        double best_next = 0;
        for (std::size_t b = 0; b < n_actions && b < kMaxActions; ++b) {
          auto copy = next;
          const double s2 = interval_score(b, b == a ? T : T - obs.yellow, copy, false);
          if (b == 0 || s2 > best_next) best_next = s2;
        }
        return score + m_p.lookahead * best_next;
      });
    }
  }

 private:
  static constexpr std::size_t kMaxActions = 8;
  static constexpr std::size_t kMaxMovements = 4;
  struct State {
    double queue = 0, running = 0, room = 0, down = 0, speed = 0;
  };
  BrainParams m_p;
  double m_range;
  std::array<std::array<State, kMaxMovements>, kMaxActions> m_state{};
  std::vector<std::array<double, kMaxActions>> m_last_green;
};

}  // namespace

std::unique_ptr<Controller> make_fixed_time(int phase_time) {
  return std::make_unique<FixedTime>(phase_time);
}
std::unique_ptr<Controller> make_max_pressure() {
  return std::make_unique<MaxPressure>();
}
std::unique_ptr<Controller> make_sotl() {
  return std::make_unique<Sotl>();
}
std::unique_ptr<Controller> make_efficient_pressure() {
  return std::make_unique<EfficientPressure>();
}
std::unique_ptr<Controller> make_advanced_pressure(int decision_interval) {
  return std::make_unique<AdvancedPressure>(decision_interval);
}
std::unique_ptr<Controller> make_brain(const BrainParams& params, int decision_interval) {
  return std::make_unique<Brain>(params, decision_interval);
}

std::vector<std::string> controller_names() {
  return {"fixed", "maxpressure", "sotl", "efficient", "advanced", "brain", "lookahead"};
}

void check_controller_name(const std::string& name, const std::string& field) {
  const auto names = controller_names();
  if (std::find(names.begin(), names.end(), name) != names.end()) return;
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  throw Error(ErrorCode::kInvalidArgument, field,
              "unknown controller '" + name + "' (expected one of " + list + ")");
}

// Calls fn(key, value) for each ":key=value" after the controller's name in spec (a key without
// "=value" has value 0).
template <class Fn>
void for_each_parameter(const std::string& spec, std::size_t name_size, Fn&& fn) {
  std::stringstream rest(spec.size() > name_size ? spec.substr(name_size + 1) : "");
  std::string kv;
  while (std::getline(rest, kv, ':')) {
    const auto eq = kv.find('=');
    fn(kv.substr(0, eq), eq == std::string::npos ? 0.0 : std::atof(kv.c_str() + eq + 1));
  }
}

std::unique_ptr<Controller> make_controller(const std::string& spec, int decision_interval,
                                            std::shared_ptr<const net::Network> network) {
  const std::string name = spec.substr(0, spec.find(':'));
  if (name == "lookahead") {
    LookaheadParams p;
    for_each_parameter(spec, name.size(), [&](const std::string& key, double value) {
      if (key == "horizon")
        p.horizon_intervals = static_cast<int>(value);
      else if (key == "rounds")
        p.rounds = static_cast<int>(value);
      else if (key == "threads")
        p.threads = static_cast<int>(value);
      else if (key == "sharedecay")
        p.share_decay = value;
      else if (key == "prior")
        p.share_prior = value;
      else if (key == "inflowdecay")
        p.inflow_decay = value;
      else if (key == "terminal")
        p.terminal = value;
      else if (key == "out")
        p.out_weight = value;
      else if (key == "samples")
        p.samples = static_cast<int>(value);
      else if (key == "margin")
        p.margin = value;
      else
        throw Error(ErrorCode::kInvalidArgument, "--controller",
                    "unknown lookahead parameter \"" + key + "\" in \"" + spec + "\"");
    });
    if (!network) {
      throw Error(ErrorCode::kInvalidArgument, "--controller",
                  "the lookahead controller needs the road network");
    }
    return make_lookahead(std::move(network), p, decision_interval);
  }
  if (name == "fixed") return make_fixed_time(decision_interval);
  if (name == "maxpressure") return make_max_pressure();
  if (name == "sotl") return make_sotl();
  if (name == "efficient") return make_efficient_pressure();
  if (name == "advanced") return make_advanced_pressure(decision_interval);
  if (name == "brain") {
    BrainParams p;
    for_each_parameter(spec, name.size(), [&](const std::string& key, double value) {
      if (key == "headway")
        p.saturation_headway = value;
      else if (key == "queue")
        p.queue_weight = value;
      else if (key == "down")
        p.downstream_weight = value;
      else if (key == "keep")
        p.keep_bonus = value;
      else if (key == "starve")
        p.starvation = value;
      else if (key == "range")
        p.range_factor = value;
      else if (key == "delay")
        p.delay_weight = value;
      else if (key == "block")
        p.block = value;
      else if (key == "fresh")
        p.fresh_bonus = value;
      else if (key == "yreach")
        p.yellow_reach = value;
      else if (key == "horizon")
        p.horizon = value;
      else if (key == "look")
        p.lookahead = value;
      else if (key == "spill")
        p.spill = value;
      else
        throw Error(ErrorCode::kInvalidArgument, "--controller",
                    "unknown brain parameter \"" + key + "\" in \"" + spec + "\"");
    });
    return make_brain(p, decision_interval);
  }
  throw Error(
      ErrorCode::kInvalidArgument, "--controller",
      "unknown controller \"" + spec +
          "\" (expected fixed, maxpressure, sotl, efficient, advanced, brain or lookahead)");
}

}  // namespace citybrain::control
