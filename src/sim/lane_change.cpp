// Lane changing as CityFlow does it: a vehicle that sees a better gap beside it signals, the
// neighbours it would cut in front of yield, and a shadow copy occupies the target lane until the
// lateral move completes; then the shadow carries on as the vehicle.
#include <algorithm>
#include <cmath>
#include <limits>

#include "citybrain/core/thread_pool.hpp"
#include "citybrain/sim/engine.hpp"

namespace citybrain::sim {

namespace {
constexpr double kCoolingTime = 3;
constexpr double kMaxDouble = std::numeric_limits<double>::max();
}  // namespace

Slot Engine::vehicle_after(DrivableId lane, double dis) const {
  const auto& list = m_lists[lane];
  for (auto it = list.rbegin(); it != list.rend(); ++it) {
    if (m_veh[*it].dis >= dis) return *it;
  }
  return kNoVehicle;
}

Slot Engine::vehicle_before(DrivableId lane, double dis) const {
  for (Slot v : m_lists[lane]) {
    if (m_veh[v].dis < dis) return v;
  }
  return kNoVehicle;
}

double Engine::estimate_gap(Slot v, DrivableId lane) const {
  Slot leader = vehicle_after(lane, m_veh[v].dis);
  if (leader == kNoVehicle) return m_drv_length[lane] - m_veh[v].dis;
  return m_veh[leader].dis - m_veh[v].dis - m_demand->types[m_veh[leader].type].length;
}

void Engine::make_signal(Slot v) {
  if (m_veh[v].changing) return;
  if (time() - m_aux[v].last_change_time < kCoolingTime) return;
  m_aux[v].has_signal = 1;
  m_aux[v].signal_target = kNoDrivable;
  m_aux[v].signal_dir = 0;
  DrivableId d = m_veh[v].drv;
  if (!is_lane(d)) return;
  if (m_drv_length[d] - m_veh[v].dis < 30) return;
  const demand::VehicleType& t = m_demand->types[m_veh[v].type];
  const double cur = m_veh[v].gap;
  const double expected = 2 * t.length + 4 * m_config.interval * t.max_speed;
  if (cur > expected || cur < 1.5 * t.length) return;
  const net::Lane& lane = m_net->lanes[d];
  const net::Road& road = m_net->roads[lane.road.index()];
  const bool last_road = on_last_road(v);
  double outer_est = 0;
  if (lane.index + 1 < road.lane_count) {
    DrivableId outer = d + 1;
    if (last_road || next_drivable(outer, m_veh[v].route_pos, v) != kNoDrivable) {
      outer_est = estimate_gap(v, outer);
      if (outer_est > cur + t.length) {
        m_aux[v].signal_target = outer;
        m_aux[v].signal_dir = 1;
      }
    }
  }
  if (lane.index > 0) {
    DrivableId inner = d - 1;
    if (last_road || next_drivable(inner, m_veh[v].route_pos, v) != kNoDrivable) {
      double inner_est = estimate_gap(v, inner);
      if (inner_est > cur + t.length && inner_est > outer_est) {
        m_aux[v].signal_target = inner;
        m_aux[v].signal_dir = -1;
      }
    }
  }
}

bool Engine::plans_change(Slot v) const {
  return (m_aux[v].has_signal && m_aux[v].signal_target != kNoDrivable &&
          m_aux[v].signal_target != m_veh[v].drv) ||
         m_veh[v].changing;
}

void Engine::plan_lane_changes() {
  // Signals are computed in parallel; candidates are then gathered in drivable order.
  m_pool->parallel_ranges(
      m_active_split,
      [&](std::size_t begin, std::size_t end, int) {
        for (std::size_t i = begin; i < end; ++i) {
          for (Slot v : m_lists[m_active[i]]) {
            if (m_veh[v].partner_type != 2) make_signal(v);
          }
        }
      },
      m_running, m_config.parallel_threshold);
  m_lane_change_candidates.clear();
  for (DrivableId d : m_active) {
    for (Slot v : m_lists[d]) {
      if (m_veh[v].partner_type != 2 && plans_change(v)) m_lane_change_candidates.push_back(v);
    }
  }
}

void Engine::update_lane_change_neighbours(Slot v) {
  DrivableId target = m_aux[v].signal_target;
  DrivableId lane = m_veh[v].drv;
  const std::uint32_t n_lanes = static_cast<std::uint32_t>(m_net->lanes.size());
  Slot leader = vehicle_after(target, m_veh[v].dis);
  m_aux[v].leader_gap = m_aux[v].follower_gap = kMaxDouble;
  if (leader == kNoVehicle) {
    // The nearest tail on the lane links out of the target lane, if it still reaches back.
    double rest = m_drv_length[lane] - m_veh[v].dis;
    m_aux[v].leader_gap = rest;
    double gap = kMaxDouble;
    for (LaneLinkId k : m_net->lane_links(LaneId(target))) {
      const auto& list = m_lists[n_lanes + k.value];
      if (list.empty()) continue;
      Slot l = list.back();
      double len = m_demand->types[m_veh[l].type].length;
      if (m_veh[l].dis + rest < gap) {
        gap = m_veh[l].dis + rest;
        if (gap < len) {
          leader = l;
          m_aux[v].leader_gap = rest - (len - gap);
        }
      }
    }
  } else {
    m_aux[v].leader_gap =
        m_veh[leader].dis - m_veh[v].dis - m_demand->types[m_veh[leader].type].length;
  }
  m_aux[v].target_leader = leader;
  Slot follower = vehicle_before(target, m_veh[v].dis);
  m_aux[v].target_follower = follower;
  m_aux[v].follower_gap = follower != kNoVehicle ? m_veh[v].dis - m_veh[follower].dis -
                                                       m_demand->types[m_veh[v].type].length
                                                 : kMaxDouble;
}

void Engine::receive_signal(Slot receiver, Slot sender) {
  if (m_veh[receiver].changing) return;
  Slot current = m_aux[receiver].signal_recv;
  std::int64_t cur_priority = current != kNoVehicle ? m_veh[current].priority : -1;
  std::int64_t new_priority = m_veh[sender].priority;
  if ((current == kNoVehicle || cur_priority < new_priority) &&
      (!m_aux[receiver].has_signal || m_veh[receiver].priority < new_priority)) {
    m_aux[receiver].signal_recv = sender;
  }
}

void Engine::schedule_lane_changes() {
  for (Slot v : m_lane_change_candidates) {
    update_lane_change_neighbours(v);
    if (m_aux[v].target_leader != kNoVehicle) receive_signal(m_aux[v].target_leader, v);
    if (m_aux[v].target_follower != kNoVehicle) receive_signal(m_aux[v].target_follower, v);
    bool can_change = m_aux[v].has_signal && m_aux[v].signal_recv == kNoVehicle;
    if (plans_change(v) && can_change && !m_veh[v].changing && is_lane(m_veh[v].drv)) {
      Slot follower = m_aux[v].target_follower;
      double safe_before = follower != kNoVehicle ? min_brake_distance(follower) : 0;
      if (m_aux[v].leader_gap >= min_brake_distance(v) && m_aux[v].follower_gap >= safe_before) {
        insert_shadow(v);
      }
    }
  }
}

void Engine::insert_shadow(Slot v) {
  m_veh[v].changing = 1;
  const DrivableId target = m_aux[v].signal_target;
  Slot s = allocate_slot();
  std::uint32_t trip = static_cast<std::uint32_t>(m_trip_flow.size());
  m_trip_flow.push_back(0);
  m_trip_seq.push_back(0);
  m_trip_shadow_of.push_back(m_veh[v].trip);
  m_veh[s].trip = trip;
  m_veh[s].dis = m_veh[v].dis;
  m_veh[s].speed = m_veh[v].speed;
  m_veh[s].gap = m_veh[v].gap;
  m_aux[s].gen_time = m_aux[v].gen_time;
  m_veh[s].type = m_veh[v].type;
  m_veh[s].route = m_veh[v].route;
  m_veh[s].route_pos = m_veh[v].route_pos;
  m_veh[s].prev_drv = m_veh[v].prev_drv;
  m_veh[s].enter_link_step = m_veh[v].enter_link_step;
  m_veh[s].custom_speed = m_veh[v].custom_speed;
  m_veh[s].has_custom_speed = m_veh[v].has_custom_speed;
  m_veh[s].drv = target;
  m_veh[s].partner_type = 2;
  m_aux[s].partner = v;
  m_veh[v].partner_type = 1;
  m_aux[v].partner = s;
  refresh_plan(s);

  auto& list = m_lists[target];
  Slot follower = m_aux[v].target_follower;
  auto pos = follower != kNoVehicle ? std::find(list.begin(), list.end(), follower) : list.end();
  list.insert(pos, s);
  m_occupied[target] = 1;
  update_leader_and_gap(s, m_aux[v].target_leader);
  if (follower != kNoVehicle) update_leader_and_gap(follower, s);
  ++m_running;
  ++m_pool_size;
  m_pool_gen_time_sum += m_aux[s].gen_time;
}

}  // namespace citybrain::sim
