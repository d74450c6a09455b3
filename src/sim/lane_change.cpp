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
    if (m_dis[*it] >= dis) return *it;
  }
  return kNoVehicle;
}

Slot Engine::vehicle_before(DrivableId lane, double dis) const {
  for (Slot v : m_lists[lane]) {
    if (m_dis[v] < dis) return v;
  }
  return kNoVehicle;
}

double Engine::estimate_gap(Slot v, DrivableId lane) const {
  Slot leader = vehicle_after(lane, m_dis[v]);
  if (leader == kNoVehicle) return m_drv_length[lane] - m_dis[v];
  return m_dis[leader] - m_dis[v] - m_demand->types[m_type[leader]].length;
}

void Engine::make_signal(Slot v) {
  if (m_changing[v]) return;
  if (time() - m_last_change_time[v] < kCoolingTime) return;
  m_has_signal[v] = 1;
  m_signal_target[v] = kNoDrivable;
  m_signal_dir[v] = 0;
  DrivableId d = m_drv[v];
  if (!is_lane(d)) return;
  if (m_drv_length[d] - m_dis[v] < 30) return;
  const demand::VehicleType& t = m_demand->types[m_type[v]];
  const double cur = m_gap[v];
  const double expected = 2 * t.length + 4 * m_config.interval * t.max_speed;
  if (cur > expected || cur < 1.5 * t.length) return;
  const net::Lane& lane = m_net->lanes[d];
  const net::Road& road = m_net->roads[lane.road.index()];
  const bool last_road = on_last_road(v);
  double outer_est = 0;
  if (lane.index + 1 < road.lane_count) {
    DrivableId outer = d + 1;
    if (last_road || next_drivable(outer, m_route_pos[v], v) != kNoDrivable) {
      outer_est = estimate_gap(v, outer);
      if (outer_est > cur + t.length) {
        m_signal_target[v] = outer;
        m_signal_dir[v] = 1;
      }
    }
  }
  if (lane.index > 0) {
    DrivableId inner = d - 1;
    if (last_road || next_drivable(inner, m_route_pos[v], v) != kNoDrivable) {
      double inner_est = estimate_gap(v, inner);
      if (inner_est > cur + t.length && inner_est > outer_est) {
        m_signal_target[v] = inner;
        m_signal_dir[v] = -1;
      }
    }
  }
}

bool Engine::plans_change(Slot v) const {
  return (m_has_signal[v] && m_signal_target[v] != kNoDrivable && m_signal_target[v] != m_drv[v]) ||
         m_changing[v];
}

void Engine::plan_lane_changes() {
  // Signals are computed in parallel; candidates are then gathered in drivable order.
  m_pool->parallel_for(m_lists.size(), [&](std::size_t begin, std::size_t end, int) {
    for (std::size_t d = begin; d < end; ++d) {
      for (Slot v : m_lists[d]) {
        if (m_partner_type[v] != 2) make_signal(v);
      }
    }
  });
  m_lane_change_candidates.clear();
  for (const auto& list : m_lists) {
    for (Slot v : list) {
      if (m_partner_type[v] != 2 && plans_change(v)) m_lane_change_candidates.push_back(v);
    }
  }
}

void Engine::update_lane_change_neighbours(Slot v) {
  DrivableId target = m_signal_target[v];
  DrivableId lane = m_drv[v];
  const std::uint32_t n_lanes = static_cast<std::uint32_t>(m_net->lanes.size());
  Slot leader = vehicle_after(target, m_dis[v]);
  m_leader_gap[v] = m_follower_gap[v] = kMaxDouble;
  if (leader == kNoVehicle) {
    // The nearest tail on the lane links out of the target lane, if it still reaches back.
    double rest = m_drv_length[lane] - m_dis[v];
    m_leader_gap[v] = rest;
    double gap = kMaxDouble;
    for (LaneLinkId k : m_net->lane_links(LaneId(target))) {
      const auto& list = m_lists[n_lanes + k.value];
      if (list.empty()) continue;
      Slot l = list.back();
      double len = m_demand->types[m_type[l]].length;
      if (m_dis[l] + rest < gap) {
        gap = m_dis[l] + rest;
        if (gap < len) {
          leader = l;
          m_leader_gap[v] = rest - (len - gap);
        }
      }
    }
  } else {
    m_leader_gap[v] = m_dis[leader] - m_dis[v] - m_demand->types[m_type[leader]].length;
  }
  m_target_leader[v] = leader;
  Slot follower = vehicle_before(target, m_dis[v]);
  m_target_follower[v] = follower;
  m_follower_gap[v] = follower != kNoVehicle
                          ? m_dis[v] - m_dis[follower] - m_demand->types[m_type[v]].length
                          : kMaxDouble;
}

void Engine::receive_signal(Slot receiver, Slot sender) {
  if (m_changing[receiver]) return;
  Slot current = m_signal_recv[receiver];
  std::int64_t cur_priority = current != kNoVehicle ? m_priority[current] : -1;
  std::int64_t new_priority = m_priority[sender];
  if ((current == kNoVehicle || cur_priority < new_priority) &&
      (!m_has_signal[receiver] || m_priority[receiver] < new_priority)) {
    m_signal_recv[receiver] = sender;
  }
}

void Engine::schedule_lane_changes() {
  for (Slot v : m_lane_change_candidates) {
    update_lane_change_neighbours(v);
    if (m_target_leader[v] != kNoVehicle) receive_signal(m_target_leader[v], v);
    if (m_target_follower[v] != kNoVehicle) receive_signal(m_target_follower[v], v);
    bool can_change = m_has_signal[v] && m_signal_recv[v] == kNoVehicle;
    if (plans_change(v) && can_change && !m_changing[v] && is_lane(m_drv[v])) {
      Slot follower = m_target_follower[v];
      double safe_before = follower != kNoVehicle ? min_brake_distance(follower) : 0;
      if (m_leader_gap[v] >= min_brake_distance(v) && m_follower_gap[v] >= safe_before) {
        insert_shadow(v);
      }
    }
  }
}

void Engine::insert_shadow(Slot v) {
  m_changing[v] = 1;
  const DrivableId target = m_signal_target[v];
  Slot s = allocate_slot();
  std::uint32_t trip = static_cast<std::uint32_t>(m_trip_flow.size());
  m_trip_flow.push_back(0);
  m_trip_seq.push_back(0);
  m_trip_shadow_of.push_back(m_trip[v]);
  m_trip[s] = trip;
  m_dis[s] = m_dis[v];
  m_speed[s] = m_speed[v];
  m_gap[s] = m_gap[v];
  m_gen_time[s] = m_gen_time[v];
  m_type[s] = m_type[v];
  m_route[s] = m_route[v];
  m_route_pos[s] = m_route_pos[v];
  m_prev_drv[s] = m_prev_drv[v];
  m_enter_link_step[s] = m_enter_link_step[v];
  m_custom_speed[s] = m_custom_speed[v];
  m_has_custom_speed[s] = m_has_custom_speed[v];
  m_drv[s] = target;
  m_partner_type[s] = 2;
  m_partner[s] = v;
  m_partner_type[v] = 1;
  m_partner[v] = s;
  refresh_plan(s);

  auto& list = m_lists[target];
  Slot follower = m_target_follower[v];
  auto pos = follower != kNoVehicle ? std::find(list.begin(), list.end(), follower) : list.end();
  list.insert(pos, s);
  update_leader_and_gap(s, m_target_leader[v]);
  if (follower != kNoVehicle) update_leader_and_gap(follower, s);
  ++m_running;
  ++m_pool_size;
  m_pool_gen_time_sum += m_gen_time[s];
}

}  // namespace citybrain::sim
