// The driving model: CityFlow's car following, stopping before red lights and full lanes, and
// yielding at the crossing points of lane links, computed per vehicle from the current state.
#include <algorithm>
#include <cmath>

#include "citybrain/core/thread_pool.hpp"
#include "citybrain/sim/engine.hpp"

namespace citybrain::sim {

namespace {
// CityFlow's min/max: with a NaN operand they return the second / the other operand, which decides
// what a vehicle does at 0/0 (it brakes fully); keep them as they are.
inline double mn(double x, double y) {
  return x < y ? x : y;
}
inline double mx(double x, double y) {
  return x > y ? x : y;
}
constexpr double kEps = 1e-8;
}  // namespace

void Engine::refresh_green(std::size_t intersection) {
  const net::Intersection& inter = m_net->intersections[intersection];
  if (inter.phases.empty()) return;
  const std::uint32_t phase = inter.phases.begin + m_phase[intersection];
  for (std::uint32_t k = inter.lanelinks.begin; k < inter.lanelinks.end; ++k) {
    m_link_green[k] = m_net->phase_allows(phase, m_net->roadlinks[m_link_roadlink[k]].index);
  }
}

bool Engine::lane_available(DrivableId lane, Slot v) const {
  const auto& list = m_lists[lane];
  if (list.empty()) return true;
  Slot tail = list.back();
  return m_veh[tail].dis >
         m_demand->types[m_veh[tail].type].length + m_demand->types[m_veh[v].type].min_gap;
}

bool Engine::claim_incoming_room(DrivableId lane, Slot v, double* room) const {
  const std::uint32_t n_lanes = static_cast<std::uint32_t>(m_net->lanes.size());
  bool any = false;
  for (std::uint32_t i = m_in_begin[lane]; i < m_in_begin[lane + 1]; ++i) {
    const DrivableId link = n_lanes + m_in_links[i];
    if (!m_occupied[link]) continue;  // one byte, not the list
    for (Slot u : m_lists[link]) {
      if (u == v) continue;
      const demand::VehicleType& t = m_demand->types[m_veh[u].type];
      *room -= t.length + t.min_gap;
      any = true;
    }
  }
  return any;
}

bool Engine::link_keeps_clear(DrivableId lane, Slot v) const {
  if (m_route_lanes) return sumo_keeps_clear(lane, v);  // lane_change.cpp
  // Room left on the lane behind its last vehicle (counting the way that vehicle will move in a
  // second), less what the vehicles already on links into the lane will take.
  const auto& list = m_lists[lane];
  double room = m_drv_length[lane];
  if (!list.empty()) {
    Slot tail = list.back();
    room = m_veh[tail].dis - m_demand->types[m_veh[tail].type].length + m_veh[tail].speed;
  }
  const bool claimed = claim_incoming_room(lane, v, &room);
  const bool empty = list.empty() && !claimed;
  // An empty lane takes a vehicle even when it is shorter than one (it then spans two lanes).
  if (empty) return true;
  const demand::VehicleType& mine = m_demand->types[m_veh[v].type];
  return room >= std::min(mine.length + mine.min_gap, m_drv_length[lane]);
}

bool Engine::lane_can_enter(DrivableId lane, Slot v) const {
  if (m_net->options.keep_clear) return link_keeps_clear(lane, v);
  const auto& list = m_lists[lane];
  if (list.empty()) return true;
  Slot tail = list.back();
  return m_veh[tail].dis >
             m_demand->types[m_veh[tail].type].length + m_demand->types[m_veh[v].type].length ||
         m_veh[tail].speed >= 2;
}

void Engine::update_leader_and_gap(Slot v, Slot candidate) {
  if (candidate != kNoVehicle && m_veh[candidate].drv == m_veh[v].drv) {
    m_veh[v].leader = candidate;
    m_veh[v].gap =
        m_veh[candidate].dis - m_demand->types[m_veh[candidate].type].length - m_veh[v].dis;
    return;
  }
  m_veh[v].leader = kNoVehicle;
  const std::uint32_t n_lanes = static_cast<std::uint32_t>(m_net->lanes.size());
  const double horizon = m_type_consts[m_veh[v].type].approach;
  double dis = m_drv_length[m_veh[v].drv] - m_veh[v].dis;
  DrivableId d = m_veh[v].drv;
  for (int i = 0;; ++i) {
    if (i == 0) {
      d = m_veh[v].next_drv;
    } else {
      d = d >= n_lanes ? m_link_ends[d - n_lanes].second : next_drivable(d, m_veh[v].route_pos, v);
    }
    if (d == kNoDrivable) return;
    if (d >= n_lanes) {
      // Lane links from one lane overlap near their start: the nearest tail on any of them leads.
      LaneId start = m_net->lanelinks[d - n_lanes].from;
      for (LaneLinkId k : m_net->lane_links(start)) {
        if (!m_occupied[n_lanes + k.value]) continue;
        Slot c = m_lists[n_lanes + k.value].back();
        double gap = dis + m_veh[c].dis - m_demand->types[m_veh[c].type].length;
        if (m_veh[v].leader == kNoVehicle || gap < m_veh[v].gap) {
          m_veh[v].leader = c;
          m_veh[v].gap = gap;
        }
      }
      if (m_veh[v].leader != kNoVehicle) return;
    } else if (m_occupied[d]) {
      Slot c = m_lists[d].back();
      m_veh[v].leader = c;
      m_veh[v].gap = dis + m_veh[c].dis - m_demand->types[m_veh[c].type].length;
      return;
    }
    dis += m_drv_length[d];
    if (dis > horizon) return;
  }
}

[[gnu::always_inline]] inline double Engine::no_collision_speed(double vl, double dl, double vf,
                                                                const Decel& df, double gap,
                                                                double target_gap) const {
  const double dt = m_config.interval;
  double c = vf * dt / 2 + target_gap - 0.5 * vl * vl / dl - gap;
  double a = df.half_inverse;
  double b = 0.5 * dt;
  if (b * b < 4 * a * c) return -100;
  double v1 = df.half_over_half_inverse * (std::sqrt(b * b - 4 * a * c) - b);
  double v2 = 2 * vl - dl * dt + 2 * (gap - target_gap) / dt;
  return mn(v1, v2);
}

[[gnu::always_inline]] inline double Engine::car_follow_speed(Slot v) const {
  const demand::VehicleType& t = m_demand->types[m_veh[v].type];
  Slot l = m_veh[v].leader;
  if (l == kNoVehicle) return m_veh[v].has_custom_speed ? m_aux[v].custom_speed : t.max_speed;
  const demand::VehicleType& lt = m_demand->types[m_veh[l].type];
  const double dt = m_config.interval;
  const double speed = m_veh[v].speed;
  const double leader_speed = m_veh[l].speed;
  const double gap = m_veh[v].gap;
  const TypeConsts& tc = m_type_consts[m_veh[v].type];
  double s = no_collision_speed(leader_speed, lt.max_neg_acc, speed, tc.max_neg, gap, 0);
  if (m_veh[v].has_custom_speed) return mn(m_aux[v].custom_speed, s);
  double assume_decel = speed > leader_speed ? speed - leader_speed : 0;
  s = mn(s,
         no_collision_speed(leader_speed, lt.usual_neg_acc, speed, tc.usual_neg, gap, t.min_gap));
  s = mn(s,
         (gap + (leader_speed + assume_decel / 2) * dt - speed * dt / 2) / tc.headway_denominator);
  return s;
}

[[gnu::always_inline]] inline double Engine::stop_before_speed(Slot v, double distance) const {
  const demand::VehicleType& t = m_demand->types[m_veh[v].type];
  const double dt = m_config.interval;
  const double speed = m_veh[v].speed;
  double next = speed + t.usual_pos_acc * dt;
  double brake = (speed + next) * dt / 2 + next * next / t.usual_neg_acc / 2;
  if (brake < distance) return speed + t.usual_pos_acc * dt;
  double take = 2 * distance / (speed + kEps) / dt;
  if (take >= 1) {
    // CityFlow truncates to int; clamp so that the conversion is defined.
    double steps = std::min(std::floor(take), 2147483647.0);
    return speed - speed / steps;
  }
  return speed - speed / take;
}

int Engine::reach_steps(Slot v, double distance, bool turn) const {
  if (distance <= 0) return 0;
  const demand::VehicleType& t = m_demand->types[m_veh[v].type];
  const double dt = m_config.interval;
  const double speed = m_veh[v].speed;
  const double target = turn ? t.turn_speed : t.max_speed;
  const double acc = t.usual_pos_acc;
  if (speed > target) return static_cast<int>(std::ceil(distance / speed));
  // Distance covered while accelerating to the target speed (CityFlow's formula, kept as is).
  double until = 0;
  if (target > speed) {
    double stage1_steps = std::floor((target - speed) / acc / dt);
    double stage1_speed = speed + stage1_steps * acc / dt;
    double stage1_dis = (speed + stage1_speed) * (stage1_steps * dt) / 2;
    until = stage1_dis + (stage1_speed < target ? (stage1_speed + target) * dt / 2 : 0);
  }
  if (until > distance) {
    return static_cast<int>(
        std::ceil((std::sqrt(speed * speed + 2 * acc * distance) - speed) / acc / dt));
  }
  return static_cast<int>(std::ceil((target - speed) / acc / dt) +
                          std::ceil((distance - until) / target / dt));
}

bool Engine::can_yield(Slot v, double distance) const {
  const demand::VehicleType& t = m_demand->types[m_veh[v].type];
  return (distance > 0 && min_brake_distance(v) < distance - t.yield_distance) ||
         (distance < 0 && distance + t.length < 0);
}

bool Engine::can_pass(const net::Cross& cross, const net::LinkCross& lc, Slot v, Slot foe,
                      double foe_distance, double distance_to_link_start) const {
  const std::uint32_t my_link = cross.links[lc.side].value;
  const std::uint32_t foe_link = cross.links[1 - lc.side].value;
  auto type_of = [&](std::uint32_t k) {
    return static_cast<int>(m_net->roadlinks[m_link_roadlink[k]].type);
  };
  int t1 = type_of(my_link);
  int t2 = type_of(foe_link);
  if (cross.yielder != 0) {
    // The file's right of way: the yielding side ranks below the other, whatever the turns.
    const bool i_yield = cross.yielder == 1 + lc.side;
    t1 = i_yield ? 1 : 2;
    t2 = i_yield ? 2 : 1;
  }
  const double d1 = lc.distance - distance_to_link_start;
  const double d2 = foe_distance;

  if (!can_yield(v, d1)) return true;
  int yield = 0;
  if (!can_yield(foe, d2)) yield = 1;
  const double foe_len = m_demand->types[m_veh[foe].type].length;
  if (yield == 0) {
    if (t1 > t2) {
      yield = -1;
    } else if (t1 < t2) {
      if (d2 > 0) {
        int foe_steps = reach_steps(foe, d2, m_link_turn[foe_link]);
        int my_steps = reach_steps(v, d1, m_link_turn[my_link]);
        if (foe_steps > my_steps) yield = -1;
      } else if (d2 + foe_len < 0) {
        yield = -1;
      }
      if (yield == 0) yield = 1;
    } else if (d2 > 0) {
      int foe_steps = reach_steps(foe, d2, m_link_turn[foe_link]);
      int my_steps = reach_steps(v, d1, m_link_turn[my_link]);
      if (foe_steps > my_steps) {
        yield = -1;
      } else if (foe_steps < my_steps) {
        yield = 1;
      } else if (m_veh[v].enter_link_step == m_veh[foe].enter_link_step) {
        if (d1 == d2) {
          yield = m_aux[v].priority > m_aux[foe].priority ? -1 : 1;
        } else {
          yield = d1 < d2 ? -1 : 1;
        }
      } else {
        yield = m_veh[v].enter_link_step < m_veh[foe].enter_link_step ? -1 : 1;
      }
    } else {
      yield = d2 + foe_len < 0 ? -1 : 1;
    }
  }
  if (yield == 1) {
    // Whoever blocks the foe, transitively: a cycle back means a deadlock, so go.
    Slot fast = foe;
    Slot slow = foe;
    while (fast != kNoVehicle && m_veh[fast].blocker != kNoVehicle) {
      slow = m_veh[slow].blocker;
      fast = m_veh[m_veh[fast].blocker].blocker;
      if (slow == fast) {
        yield = -1;
        break;
      }
    }
  }
  return yield == -1;
}

[[gnu::always_inline]] inline bool Engine::is_intersection_related(Slot v) const {
  DrivableId d = m_veh[v].drv;
  if (!is_lane(d)) return true;
  DrivableId next = m_veh[v].next_drv;
  if (next == kNoDrivable || is_lane(next)) return false;
  return m_drv_length[d] - m_veh[v].dis <= m_type_consts[m_veh[v].type].approach;
}

[[gnu::always_inline]] inline Slot Engine::foe_at(const net::Cross& cross, int side,
                                                  double& distance) const {
  const std::uint32_t k = cross.links[side].value;
  const double at = cross.distance[side];  // from the link's start
  const DrivableId link_drv = static_cast<DrivableId>(m_net->lanes.size()) + k;
  const DrivableId from = m_link_ends[k].first;
  const DrivableId to = m_link_ends[k].second;
  // The vehicle that just left the link while its tail still covers the point.
  const auto& out = m_lists[to];
  if (!out.empty() && m_veh[out.back()].prev_drv == link_drv) {
    const Slot v = out.back();
    const double tail = m_veh[v].dis - m_demand->types[m_veh[v].type].length;
    const double past = m_drv_length[link_drv] - at;
    if (past + tail < 0) {
      distance = -(m_veh[v].dis + past);
      return v;
    }
  }
  // Else the first vehicle on the link, front first, that has not cleared the point.
  for (Slot v : m_lists[link_drv]) {
    const double dis = m_veh[v].dis;
    if (!(dis > at) || dis - at - m_demand->types[m_veh[v].type].length <= 0) {
      distance = at - dis;
      return v;
    }
  }
  // Else the first vehicle waiting to enter the link, when it may. With keep-clear, a vehicle that
  // waits for room behind the junction does not claim it: its foes would otherwise wait for a
  // vehicle that waits for them (a deadlock).
  const auto& in = m_lists[from];
  if (!in.empty() && m_veh[in.front()].next_drv == link_drv && link_available(k) &&
      (!m_net->options.keep_clear || link_keeps_clear(to, in.front()))) {
    const Slot v = in.front();
    distance = (m_drv_length[from] - m_veh[v].dis) + at;
    return v;
  }
  return kNoVehicle;
}

[[gnu::always_inline]] inline double Engine::intersection_speed(Slot v) {
  const demand::VehicleType& t = m_demand->types[m_veh[v].type];
  const std::uint32_t n_lanes = static_cast<std::uint32_t>(m_net->lanes.size());
  const DrivableId d = m_veh[v].drv;
  double s = t.max_speed;
  DrivableId next = m_veh[v].next_drv;
  std::uint32_t link = std::numeric_limits<std::uint32_t>::max();
  if (next != kNoDrivable && !is_lane(next)) {
    link = next - n_lanes;
    DrivableId end_lane = m_net->lanelinks[link].to.value;
    if (!link_available(link) || !lane_can_enter(end_lane, v)) {
      double to_end = m_drv_length[d] - m_veh[v].dis;
      if (!(min_brake_distance(v) > to_end)) return mn(s, stop_before_speed(v, to_end));
      // Too close to stop: CityFlow lets the vehicle run on.
    }
    if (m_link_turn[link]) s = mn(s, t.turn_speed);
  }
  if (link == std::numeric_limits<std::uint32_t>::max() && !is_lane(d)) link = d - n_lanes;
  if (link == std::numeric_limits<std::uint32_t>::max()) return s;
  double to_start = is_lane(d) ? -(m_drv_length[d] - m_veh[v].dis) : m_veh[v].dis;
  const net::Range entries = m_net->lanelinks[link].crosses;
  for (std::uint32_t e = entries.begin; e < entries.end; ++e) {
    const net::LinkCross& lc = m_net->link_crosses[e];
    if (lc.distance < to_start) continue;
    // Most crossing points have no foe near them: only a foe needs the full rule.
    const net::Cross& cross = m_net->crosses[lc.cross.index()];
    double foe_distance;
    const Slot foe = foe_at(cross, 1 - lc.side, foe_distance);
    if (foe != kNoVehicle && !can_pass(cross, lc, v, foe, foe_distance, to_start)) {
      s = mn(s, stop_before_speed(v, lc.distance - to_start - t.yield_distance));
      m_next[v].new_blocker = foe;
      break;
    }
  }
  return s;
}

double Engine::yield_speed(Slot v) const {
  Slot src = m_aux[v].signal_recv;
  if (src == kNoVehicle) return 100;
  if (v == m_aux[src].target_leader) return 100;
  Slot follower = m_aux[src].target_follower;
  double safe = follower != kNoVehicle ? min_brake_distance(follower) : 0;
  double gap = m_aux[src].follower_gap - safe;
  double s = no_collision_speed(m_veh[src].speed, m_demand->types[m_veh[src].type].max_neg_acc,
                                m_veh[v].speed, m_type_consts[m_veh[v].type].max_neg, gap, 0);
  return s < 0 ? 100 : s;
}

// Imported cities (lane_change.cpp): a vehicle with no link onward waits at the end of its lane
// for a gap into a lane that leads on; a vehicle asked to leave room for one changing into its
// lane keeps behind it.
double Engine::route_lane_speed(Slot v) const {
  const demand::VehicleType& t = m_demand->types[m_veh[v].type];
  const double speed = m_veh[v].speed;
  double s = t.max_speed;
  if (!on_valid_lane(v) && !gave_up_lane(v)) {
    // No link onward: wait at the end of the lane for a gap into a lane that leads on.
    const double to_end = m_drv_length[m_veh[v].drv] - m_veh[v].dis;
    s = mn(s, no_collision_speed(0, 1, speed, m_type_consts[m_veh[v].type].max_neg, to_end, 0.5));
  }
  const Slot c = m_lane_view[v].coop;
  if (c != kNoVehicle) {
    // Room for a vehicle beside that must change into this lane.
    const demand::VehicleType& ct = m_demand->types[m_veh[c].type];
    const double gap = m_veh[c].dis - ct.length - m_veh[v].dis;
    s = mn(s, no_collision_speed(m_veh[c].speed, ct.usual_neg_acc, speed,
                                 m_type_consts[m_veh[v].type].usual_neg, gap, t.min_gap));
  }
  return s;
}

template <bool LaneChange>
[[gnu::always_inline]] inline double Engine::next_speed(Slot v) {
  const demand::VehicleType& t = m_demand->types[m_veh[v].type];
  const double dt = m_config.interval;
  const double speed = m_veh[v].speed;
  m_next[v].new_blocker = kNoVehicle;
  double s = t.max_speed;
  s = mn(s, speed + t.max_pos_acc * dt);
  s = mn(s, m_drv_max_speed[m_veh[v].drv]);
  s = mn(s, car_follow_speed(v));
  if (is_intersection_related(v)) s = mn(s, intersection_speed(v));
  if constexpr (LaneChange) {
    s = mn(s, yield_speed(v));
    if (!on_valid_lane(v)) {
      double to_end = m_drv_length[m_veh[v].drv] - m_veh[v].dis;
      s = mn(s, no_collision_speed(0, 1, speed, m_type_consts[m_veh[v].type].max_neg, to_end,
                                   t.min_gap));
    }
  } else if (m_route_lanes) {
    s = mn(s, route_lane_speed(v));
  }
  return mx(s, speed - t.max_neg_acc * dt);
}

[[gnu::always_inline]] inline void Engine::set_delta_distance(Slot v, double delta) {
  double dis = delta + m_veh[v].dis;
  DrivableId d = m_veh[v].drv;
  m_next[v].moved = 0;
  m_next[v].ended = 0;
  m_next[v].new_drv = kNoDrivable;
  for (int i = 0; d != kNoDrivable && dis > m_drv_length[d]; ++i) {
    dis -= m_drv_length[d];
    DrivableId next = planned(v, i);
    if (next == kNoDrivable) m_next[v].ended = 1;
    d = next;
    m_next[v].new_drv = next;
    m_next[v].moved = 1;
  }
  m_next[v].new_dis = dis;
}

void Engine::compute_speeds() {
  // With lane changes a vehicle and its shadow move at the slower of their two speeds, so every
  // speed is computed before any move; without them the two passes fuse.
  if (!m_config.lane_change) return;
  m_pool->parallel_pieces(
      m_active_split, kPieces,
      [&](std::size_t begin, std::size_t end, std::size_t) {
        for (std::size_t i = begin; i < end; ++i) {
          for (Slot v : m_lists[m_active[i]]) m_next[v].raw_speed = next_speed<true>(v);
        }
      },
      m_running, *m_config.parallel_threshold);
}

template <bool LaneChange>
[[gnu::always_inline]] inline void Engine::move_vehicle(Slot v, double next) {
  const double dt = m_config.interval;
  const demand::VehicleType& t = m_demand->types[m_veh[v].type];
  double speed = m_veh[v].speed;
  double delta;
  if (next < 0) {
    delta = 0.5 * speed * speed / t.max_neg_acc;
    next = 0;
  } else {
    delta = (speed + next) * dt / 2;
  }
  m_next[v].new_speed = next;
  set_delta_distance(v, delta);
  if constexpr (!LaneChange) return;
  if (m_veh[v].partner_type == 2 && m_next[v].moved && !m_next[v].ended) {
    m_next[v].aborted = 1;
    m_next[v].ended = 1;
  }
  if (m_veh[v].changing) {
    int dir = m_aux[v].signal_dir;
    DrivableId target = m_aux[v].signal_target;
    double max_offset = (m_drv_width[target] + m_drv_width[m_veh[v].drv]) / 2;
    double offset = std::fabs(m_aux[v].offset + std::max(0.2 * next, 1.0) * dt * dir);
    offset = std::min(offset, max_offset);
    m_aux[v].offset = offset * dir;
    if (offset >= max_offset) {
      m_next[v].finished_change = 1;
      m_next[v].ended = 1;
    }
  }
}

void Engine::compute_moves() {
  m_leaving.resize(m_pool->size() * kPieces);
  for (auto& leaving : m_leaving) leaving.clear();
  auto moves = [&]<bool LaneChange>(std::size_t begin, std::size_t end, std::size_t piece) {
    auto& leaving = m_leaving[piece];
    for (std::size_t i = begin; i < end; ++i) {
      for (Slot v : m_lists[m_active[i]]) {
        double next;
        if constexpr (LaneChange) {
          next = m_next[v].raw_speed;
          if (m_aux[v].partner != kNoVehicle) {
            next = std::min(next, m_next[m_aux[v].partner].raw_speed);
          }
        } else {
          next = next_speed<false>(v);
        }
        move_vehicle<LaneChange>(v, next);
        if (m_next[v].ended || m_next[v].moved || m_next[v].finished_change) {
          leaving.push_back(v);
        }
      }
    }
  };
  const bool lane_change = m_config.lane_change;
  m_pool->parallel_pieces(
      m_active_split, kPieces,
      [&, lane_change](std::size_t begin, std::size_t end, std::size_t piece) {
        if (lane_change) {
          moves.template operator()<true>(begin, end, piece);
        } else {
          moves.template operator()<false>(begin, end, piece);
        }
      },
      m_running, *m_config.parallel_threshold);
}

void Engine::update_vehicles() {
  // Applies every vehicle's buffered move and, in the same pass, finds the leaders that sit on the
  // same drivable; the front vehicles look ahead once all positions are final.
  m_pool->parallel_pieces(
      m_active_split, kPieces,
      [&](std::size_t begin, std::size_t end, std::size_t) {
        // Locals, not members: the loop's byte stores would make the compiler reload members.
        const auto n_lanes = static_cast<std::uint32_t>(m_net->lanes.size());
        const bool changes = m_config.lane_change;
        const demand::VehicleType* const types = m_demand->types.data();
        for (std::size_t i = begin; i < end; ++i) {
          Slot leader = kNoVehicle;
          for (Slot v : m_lists[m_active[i]]) {
            m_veh[v].speed = m_next[v].new_speed;
            m_veh[v].dis = m_next[v].new_dis;
            if (m_next[v].moved) {
              m_veh[v].prev_drv = m_veh[v].drv;
              m_veh[v].drv = m_next[v].new_drv;
              if (m_veh[v].drv < n_lanes) {
                auto route = route_of(m_veh[v].route);
                RoadId road = m_net->lanes[m_veh[v].drv].road;
                while (m_veh[v].route_pos < route.size() && route[m_veh[v].route_pos] != road)
                  ++m_veh[v].route_pos;
              }
              refresh_plan(v);
              m_next[v].moved = 0;
            }
            Slot b = m_next[v].new_blocker;
            m_veh[v].blocker = (b != kNoVehicle && !m_next[b].ended) ? b : kNoVehicle;
            m_veh[v].has_custom_speed = 0;
            if (changes) {
              // End of the step for lane-change signals (CityFlow's clearSignal).
              m_aux[v].target_leader = m_aux[v].target_follower = kNoVehicle;
              m_aux[v].last_dir = m_aux[v].has_signal ? m_aux[v].signal_dir : 0;
              if (!m_veh[v].changing) {
                m_aux[v].has_signal = 0;
                m_aux[v].signal_recv = kNoVehicle;
                m_aux[v].signal_target = kNoDrivable;
                m_aux[v].signal_dir = 0;
              }
            }
            if (leader != kNoVehicle) {
              m_veh[v].leader = leader;
              m_veh[v].gap = m_veh[leader].dis - types[m_veh[leader].type].length - m_veh[v].dis;
            }
            leader = v;
          }
        }
      },
      m_running, *m_config.parallel_threshold);
  m_pool->parallel_pieces(
      m_active_split, kPieces,
      [&](std::size_t begin, std::size_t end, std::size_t) {
        for (std::size_t i = begin; i < end; ++i) {
          update_leader_and_gap(m_lists[m_active[i]].front(), kNoVehicle);
        }
      },
      m_running, *m_config.parallel_threshold);
}

}  // namespace citybrain::sim
