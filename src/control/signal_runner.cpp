#include "citybrain/control/signal_runner.hpp"

#include <chrono>

#include "citybrain/control/controllers.hpp"
#include "citybrain/core/error.hpp"

namespace citybrain::control {

SignalRunner::SignalRunner(sim::Engine& engine, Controller& controller, const ProtocolSpec& spec,
                           std::shared_ptr<const net::Network> network)
    : m_engine(engine), m_spec(spec), m_network(std::move(network)) {
  if (!engine.config().rl_traffic_light) {
    throw Error(ErrorCode::kInvalidArgument, "protocol",
                "the protocol runner sets phases itself (expected rlTrafficLight true)");
  }
  if (spec.decision_interval <= spec.yellow) {
    throw Error(ErrorCode::kInvalidArgument, "protocol",
                "the decision interval must be longer than the yellow time");
  }
  const net::Network& net = engine.network();
  m_inters = controlled_intersections(net, spec.actions);
  const std::size_t n = m_inters.size();
  m_index_of.assign(net.intersections.size(), kNoIntersection);
  for (std::size_t i = 0; i < n; ++i) m_index_of[m_inters[i].id.index()] = i;
  m_signals.resize(n);
  m_actions.assign(n, 0);
  m_slot.assign(n, 0);
  m_over.resize(n);
  m_pending.assign(n, 0);
  Slot own;
  own.name = controller.name();
  own.controller = &controller;
  own.actions.assign(n, 0);
  m_slots.push_back(std::move(own));
  m_obs.decision_interval = spec.decision_interval;
  m_obs.yellow = spec.yellow;
  m_obs.current_action.resize(n);
  m_obs.time_in_phase.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const int first = static_cast<int>(m_inters[i].action_phases[0]);
    m_signals[i].cur = m_signals[i].prev = m_signals[i].target = first;
    engine.set_phase(m_inters[i].id, static_cast<std::uint32_t>(first));
  }
  measure();
}

SignalRunner::~SignalRunner() = default;

std::size_t SignalRunner::controlled_index(IntersectionId id) const {
  return id.index() < m_index_of.size() ? m_index_of[id.index()] : kNoIntersection;
}

void SignalRunner::measure() {
  for (std::size_t i = 0; i < m_inters.size(); ++i) {
    Signal& s = m_signals[i];
    s.dur = s.cur == s.prev ? s.dur + 1 : 1;
    // A held phase outside the controllers' actions reads as no action, like the yellow.
    int action = -1;
    if (!s.yellow) {
      const auto& phases = m_inters[i].action_phases;
      for (std::size_t a = 0; a < phases.size(); ++a) {
        if (static_cast<int>(phases[a]) == s.cur) action = static_cast<int>(a);
      }
    }
    m_obs.current_action[i] = action;
    m_obs.time_in_phase[i] = s.dur;
  }
}

std::size_t SignalRunner::slot_of(const std::string& name) {
  for (std::size_t k = 1; k < m_slots.size(); ++k) {
    if (m_slots[k].name == name) return k;
  }
  Slot slot;
  slot.owned = make_controller(name, m_spec.decision_interval, m_network);
  slot.name = name;
  slot.controller = slot.owned.get();
  slot.actions.assign(m_inters.size(), 0);
  m_slots.push_back(std::move(slot));
  return m_slots.size() - 1;
}

void SignalRunner::decide(const std::vector<std::uint8_t>& mask) {
  const auto t0 = std::chrono::steady_clock::now();
  double observed_range = -1;
  for (std::size_t k = 0; k < m_slots.size(); ++k) {
    bool used = false;
    for (std::size_t i = 0; i < m_inters.size() && !used; ++i)
      used = m_slot[i] == k && (mask.empty() || mask[i]);
    if (!used && k != 0) continue;
    Slot& slot = m_slots[k];
    const double range = slot.controller->sensors().approach_range;
    if (range != observed_range) {
      observe_lanes(m_engine, range, m_obs);
      observed_range = range;
    }
    slot.controller->decide(m_obs, m_inters, slot.actions);
    for (std::size_t i = 0; i < m_inters.size(); ++i) {
      if (m_slot[i] == k && (mask.empty() || mask[i])) m_actions[i] = slot.actions[i];
    }
  }
  m_decide_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void SignalRunner::step() {
  const std::size_t n = m_inters.size();
  const double now = m_engine.time();
  for (std::size_t i = 0; i < n; ++i) {
    if (m_over[i].kind != Override::Kind::kHold || now < m_over[i].until) continue;
    // The hold ends: back to the controller the intersection had (a switched one stays).
    m_over[i] = {};
    if (m_slot[i] != 0) {
      m_over[i].kind = Override::Kind::kController;
      m_over[i].controller = m_slots[m_slot[i]].name;
    }
    m_pending[i] = 1;
    m_any_pending = true;
  }
  if (m_since_decision == 0) {
    decide({});
    ++m_decisions;
  } else if (m_any_pending) {
    decide(m_pending);
  }
  if (m_any_pending) {
    std::fill(m_pending.begin(), m_pending.end(), 0);
    m_any_pending = false;
  }
  for (std::size_t i = 0; i < n; ++i) {
    Signal& sig = m_signals[i];
    sig.prev = sig.cur;
    const int desired = m_over[i].kind == Override::Kind::kHold ? static_cast<int>(m_over[i].phase)
                                                                : static_cast<int>(
                                                                      m_inters[i].action_phases[static_cast<std::size_t>(m_actions[i])]);
    if (sig.yellow) {
      sig.target = desired;
      if (sig.dur >= m_spec.yellow) {
        m_engine.set_phase(m_inters[i].id, static_cast<std::uint32_t>(sig.target));
        sig.cur = sig.target;
        sig.yellow = false;
      }
    } else {
      sig.target = desired;
      if (sig.target != sig.cur) {
        m_engine.set_phase(m_inters[i].id, m_inters[i].yellow_phase);
        sig.cur = -1;
        sig.yellow = true;
      }
    }
  }
  m_engine.step();
  measure();
  m_since_decision = (m_since_decision + 1) % m_spec.decision_interval;
}

void SignalRunner::hold(std::size_t i, std::uint32_t phase, double until) {
  const ControlledIntersection& ci = m_inters.at(i);
  const net::Intersection& inter = m_engine.network().intersections[ci.id.index()];
  if (phase >= inter.phases.size() || phase == ci.yellow_phase) {
    throw Error(ErrorCode::kInvalidArgument, "phase",
                "intersection " + inter.id + " has light phases 0.." +
                    std::to_string(inter.phases.size() - 1) + " of which " +
                    std::to_string(ci.yellow_phase) + " is the yellow, found " +
                    std::to_string(phase));
  }
  Override& o = m_over[i];
  o.kind = Override::Kind::kHold;
  o.phase = phase;
  o.until = until;
}

void SignalRunner::switch_controller(std::size_t i, const std::string& name) {
  const std::size_t k = slot_of(name);
  Override& o = m_over.at(i);
  o = {};
  o.kind = Override::Kind::kController;
  o.controller = name;
  m_slot[i] = k;
  m_pending[i] = 1;
  m_any_pending = true;
}

void SignalRunner::release(std::size_t i) {
  m_over.at(i) = {};
  m_slot[i] = 0;
  m_pending[i] = 1;
  m_any_pending = true;
}

std::string SignalRunner::controller_name(std::size_t i) const {
  return m_slots[m_slot.at(i)].name;
}

std::uint32_t SignalRunner::phase(std::size_t i) const {
  return m_engine.phase(m_inters.at(i).id);
}

}  // namespace citybrain::control
