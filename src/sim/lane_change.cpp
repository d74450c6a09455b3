// Lane changing as CityFlow does it: a vehicle that sees a better gap beside it signals, the
// neighbours it would cut in front of yield, and a shadow copy occupies the target lane until the
// lateral move completes; then the shadow carries on as the vehicle.
#include <algorithm>
#include <cmath>
#include <limits>

#include "citybrain/core/rng.hpp"
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
  m_pool->parallel_pieces(
      m_active_split, kPieces,
      [&](std::size_t begin, std::size_t end, std::size_t) {
        for (std::size_t i = begin; i < end; ++i) {
          for (Slot v : m_lists[m_active[i]]) {
            if (m_veh[v].partner_type != 2) make_signal(v);
          }
        }
      },
      m_running, *m_config.parallel_threshold);
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
  std::int64_t cur_priority = current != kNoVehicle ? m_aux[current].priority : -1;
  std::int64_t new_priority = m_aux[sender].priority;
  if ((current == kNoVehicle || cur_priority < new_priority) &&
      (!m_aux[receiver].has_signal || m_aux[receiver].priority < new_priority)) {
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
  Slot s = start_trip(0, 0, m_trip[v]);
  m_veh[s].dis = m_veh[v].dis;
  m_veh[s].speed = m_veh[v].speed;
  m_veh[s].gap = m_veh[v].gap;
  m_aux[s].gen_time = m_aux[v].gen_time;
  m_veh[s].type = m_veh[v].type;
  m_veh[s].route = m_veh[v].route;
  m_veh[s].route_pos = m_veh[v].route_pos;
  m_veh[s].prev_drv = m_veh[v].prev_drv;
  m_veh[s].enter_link_step = m_veh[v].enter_link_step;
  m_aux[s].custom_speed = m_aux[v].custom_speed;
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

// ---------------------------------------------------------------------------------------------
// Imported cities (NetworkOptions::lane_balance without CityFlow lane changes): SUMO's strategic
// lanes, a simplified form of its bestLanes and LC2013 lane-change model. A lane is worth how far,
// in metres, the vehicle can follow its route from it by links alone (SUMO's 3,000 m lookahead;
// reaching the destination counts as the whole lookahead). A vehicle changes lanes, one lane a
// step and in an instant (SUMO's default lane change takes one step), into a safe gap:
// - towards a lane that leads further, once the way its own lane still leads is short: ten seconds
//   at the lane's speed (twice that to the left) per lane to cross, plus the queue standing ahead
//   of it (SUMO's urgency); the vehicle on the target lane beside or behind it then leaves it room
//   (SUMO's cooperative changes), and with no link onward it waits at the end of its lane;
// - to a neighbouring lane that leads at least as far, when it is slowed down and the gap ahead
//   there is 15 m longer (SUMO's speed gain, which never works against the route).
// A vehicle that has waited 60 s at the end of a lane with no link onward takes a neighbouring
// lane's link (SUMO would teleport it after 300 s). CityFlow files never get here.

namespace {
constexpr double kLookahead = 3000;    // m: SUMO's best-lane lookahead
constexpr double kLookForward = 10;    // s: how far ahead a needed lane change becomes urgent
constexpr double kLeftFactor = 2;      // changes to the left are planned twice as far ahead
constexpr double kChangeMargin = 1.0;  // m kept to the new leader and follower beyond braking
constexpr double kGiveUpTime = 60;    // s waiting at the lane's end before using a neighbour's link
constexpr double kStopLineZone = 10;  // m before the lane's end where waiting counts
constexpr double kGainCooldown = 5;   // s between a lane change and one for speed
constexpr double kGainGap = 15;       // m more gap ahead that a change for speed needs
constexpr double kHalting = 0.1;      // m/s: SUMO's halting speed
constexpr std::uint32_t kMaxLanes = 16;
}  // namespace

void Engine::init_route_lookahead() {
  const net::Network& net = *m_net;
  m_look_roads.resize(net.roads.size());
  for (std::size_t r = 0; r < net.roads.size(); ++r) {
    const net::Road& road = net.roads[r];
    m_look_roads[r] = {road.first_lane.value, std::min(road.lane_count, kMaxLanes),
                       road.lane_count > 0 ? net.lanes[road.first_lane.index()].length : 0.0};
  }
  m_look_begin.assign(net.lanes.size() + 1, 0);
  m_look_links.clear();
  m_look_lane_length.resize(net.lanes.size());
  for (std::size_t l = 0; l < net.lanes.size(); ++l) {
    for (LaneLinkId k : net.lane_links(LaneId(static_cast<std::uint32_t>(l)))) {
      const net::Lane& to = net.lanes[net.lanelinks[k.index()].to.index()];
      m_look_links.push_back({to.road.value, to.index});
    }
    m_look_begin[l + 1] = static_cast<std::uint32_t>(m_look_links.size());
    m_look_lane_length[l] = static_cast<float>(net.lanes[l].length);
  }
}

std::uint32_t Engine::canonical_route(std::uint32_t route_id) {
  const bool local = (route_id & kLocalRoute) != 0;
  std::vector<std::uint32_t>& canon = local ? m_canon_local : m_canon_demand;
  const std::uint32_t index = route_id & ~kLocalRoute;
  if (index >= canon.size()) {
    canon.resize(local ? m_local_routes.size() : m_demand->routes.size(), kUnknownRoute);
  }
  if (canon[index] != kUnknownRoute) return canon[index];
  const auto route = route_of(route_id);
  std::uint64_t hash = 0;
  for (RoadId r : route) hash = mix64(hash ^ r.value);
  if (2 * (m_route_table_entries + 1) > m_route_table.size()) {  // at most half full
    std::vector<std::pair<std::uint64_t, std::uint32_t>> old(
        std::max<std::size_t>(1024, 2 * m_route_table.size()), {0, kUnknownRoute});
    old.swap(m_route_table);
    const std::size_t mask = m_route_table.size() - 1;
    for (const auto& entry : old) {
      if (entry.second == kUnknownRoute) continue;
      std::size_t i = entry.first & mask;
      while (m_route_table[i].second != kUnknownRoute) i = (i + 1) & mask;
      m_route_table[i] = entry;
    }
  }
  const std::size_t mask = m_route_table.size() - 1;
  std::size_t i = hash & mask;
  for (; m_route_table[i].second != kUnknownRoute; i = (i + 1) & mask) {
    if (m_route_table[i].first != hash) continue;
    const auto other = route_of(m_route_table[i].second);
    if (std::equal(route.begin(), route.end(), other.begin(), other.end())) {
      return canon[index] = m_route_table[i].second;
    }
  }
  m_route_table[i] = {hash, route_id};
  ++m_route_table_entries;
  return canon[index] = route_id;
}

const float* Engine::route_continuations_kept(std::uint32_t route_id, std::uint32_t p) {
  // Vehicles on equal routes look ahead from each route position once.
  const std::uint32_t c = canonical_route(route_id);
  const bool local = (c & kLocalRoute) != 0;
  std::vector<std::uint32_t>& at = local ? m_cont_local_at : m_cont_demand_at;
  const std::size_t key =
      p + (local ? m_local_routes[c & ~kLocalRoute].begin : m_demand->routes[c].begin);
  if (key >= at.size()) at.resize(local ? m_local_roads.size() : m_demand->route_roads.size(), 0);
  if (at[key] == 0) {
    const auto route = route_of(c);
    const std::size_t offset = m_cont_values.size();
    m_cont_values.resize(offset + m_look_roads[route[p].index()].lanes);
    route_continuations(route, p, 0xffffffffu, m_cont_values.data() + offset);
    at[key] = static_cast<std::uint32_t>(offset + 1);
  }
  return m_cont_values.data() + at[key] - 1;
}

std::uint32_t Engine::route_continuations(std::span<const RoadId> route, std::uint32_t p,
                                          std::uint32_t max_roads, float* out) const {
  // The window: the roads after route[p] until their lengths add up to the lookahead.
  std::uint32_t last = p;
  double sum = 0;
  while (last + 1 < route.size() && sum < kLookahead && last - p < max_roads) {
    ++last;
    sum += m_look_roads[route[last].index()].length;
  }
  // Backwards from the window's last road: a lane leads as far as its own length plus the best of
  // the lanes its links reach on the next road of the route.
  float next[kMaxLanes];
  float cur[kMaxLanes];
  const bool horizon_full = last + 1 == route.size() || sum >= kLookahead;
  {
    const LookaheadRoad& r = m_look_roads[route[last].index()];
    for (std::uint32_t i = 0; i < r.lanes; ++i) {
      next[i] =
          horizon_full ? static_cast<float>(kLookahead) : m_look_lane_length[r.first_lane + i];
    }
  }
  for (std::uint32_t q = last; q-- > p;) {
    const LookaheadRoad& r = m_look_roads[route[q].index()];
    const std::uint32_t to_road = route[q + 1].value;
    for (std::uint32_t i = 0; i < r.lanes; ++i) {
      const std::uint32_t lane = r.first_lane + i;
      float best = 0;
      for (std::uint32_t k = m_look_begin[lane]; k < m_look_begin[lane + 1]; ++k) {
        const LookaheadLink& link = m_look_links[k];
        if (link.to_road != to_road || link.to_index >= kMaxLanes) continue;
        best = std::max(best, next[link.to_index]);
      }
      cur[i] = std::min(static_cast<float>(kLookahead), m_look_lane_length[lane] + best);
    }
    std::copy(cur, cur + r.lanes, next);
  }
  const std::uint32_t n = m_look_roads[route[p].index()].lanes;
  std::copy(next, next + n, out);
  return n;
}

DrivableId Engine::next_drivable_balanced(const net::Lane& lane, DrivableId from,
                                          std::span<const RoadId> route, std::uint32_t p,
                                          Slot v) const {
  const net::Network& net = *m_net;
  const std::uint32_t n_lanes = static_cast<std::uint32_t>(net.lanes.size());
  const RoadId next_road = route[p + 1];
  float cont[kMaxLanes];
  bool have_cont = false;
  DrivableId pick = kNoDrivable;
  std::uint64_t pick_cost = std::numeric_limits<std::uint64_t>::max();
  // The end lane that leads furthest along the route (in steps of 50 m, looking four roads
  // ahead), then a link from the vehicle's own lane (or the nearest one), then the emptier end
  // lane, then the nearest lane index.
  auto consider = [&](LaneId src, std::uint64_t src_diff) {
    for (LaneLinkId k : net.lane_links(src)) {
      const net::LaneLink& link = net.lanelinks[k.index()];
      const net::Lane& to = net.lanes[link.to.index()];
      if (to.road != next_road) continue;
      if (!have_cont) {
        route_continuations(route, p + 1, 4, cont);
        have_cont = true;
      }
      const float c = to.index < kMaxLanes ? cont[to.index] : 0.0f;
      const std::uint64_t shortfall =
          static_cast<std::uint64_t>((kLookahead - std::min<double>(c, kLookahead)) / 50);
      const std::uint64_t load = std::min<std::size_t>(m_lists[link.to.index()].size(), 4095);
      const std::uint64_t diff =
          to.index > lane.index ? to.index - lane.index : lane.index - to.index;
      const std::uint64_t cost = (shortfall << 48) | (src_diff << 40) | (load << 16) |
                                 std::min<std::uint64_t>(diff, 0xffff);
      if (cost < pick_cost) {
        pick_cost = cost;
        pick = n_lanes + k.value;
      }
    }
  };
  // Most lanes have a single link towards a given road: it needs no ranking.
  DrivableId only = kNoDrivable;
  std::uint32_t count = 0;
  for (LaneLinkId k : net.lane_links(LaneId(from))) {
    if (net.lanes[net.lanelinks[k.index()].to.index()].road != next_road) continue;
    only = n_lanes + k.value;
    ++count;
  }
  if (count == 1) return only;
  consider(LaneId(from), 0);
  if (pick != kNoDrivable || v == kNoVehicle || m_veh[v].drv != from || !gave_up_lane(v)) {
    return pick;
  }
  const net::Road& road = net.roads[lane.road.index()];
  for (std::uint32_t i = 0; i < road.lane_count; ++i) {
    if (i == lane.index) continue;
    consider(LaneId(road.first_lane.value + i), i > lane.index ? i - lane.index : lane.index - i);
  }
  return pick;
}

std::uint32_t Engine::first_lane_candidates(std::span<const RoadId> route,
                                            std::uint32_t* candidates) const {
  // SUMO's departLane="best": the lanes that lead furthest (all that lead the whole lookahead),
  // then the ones with the fewest vehicles on them and waiting for them.
  const net::Road& road = m_net->roads[route[0].index()];
  float cont[kMaxLanes];
  const std::uint32_t n = route_continuations(route, 0, 0xffffffffu, cont);
  const float best = *std::max_element(cont, cont + n);
  std::uint32_t k = 0;
  std::size_t fewest = std::numeric_limits<std::size_t>::max();
  for (std::uint32_t i = 0; i < n; ++i) {
    if (cont[i] < best) continue;
    const std::uint32_t lane = road.first_lane.value + i;
    const std::size_t load = m_lists[lane].size() + (m_waiting[lane].size() - m_waiting_head[lane]);
    if (load > fewest) continue;
    if (load < fewest) k = 0;
    fewest = load;
    candidates[k++] = lane;
  }
  return k;
}

bool Engine::gave_up_lane(Slot v) const {
  return m_lane_view[v].lane == m_veh[v].drv && m_aux[v].stuck >= kGiveUpTime;
}

bool Engine::try_route_change(Slot v, DrivableId target, Slot* ask) {
  const demand::VehicleType& t = m_demand->types[m_veh[v].type];
  const double dis = m_veh[v].dis;
  if (dis < t.length) return false;  // its tail is still on the lane link behind
  const Slot leader = vehicle_after(target, dis);
  const Slot follower = vehicle_before(target, dis);
  if (leader != kNoVehicle) {
    const double gap = m_veh[leader].dis - m_demand->types[m_veh[leader].type].length - dis;
    if (gap < kChangeMargin + std::max(0.0, min_brake_distance(v) - min_brake_distance(leader))) {
      if (follower != kNoVehicle && dis - t.length - m_veh[follower].dis > 0) *ask = follower;
      return false;
    }
  }
  if (follower != kNoVehicle) {
    const double gap = dis - t.length - m_veh[follower].dis;
    if (gap < kChangeMargin + std::max(0.0, min_brake_distance(follower) - min_brake_distance(v))) {
      if (gap > 0) *ask = follower;
      return false;
    }
  }
  const DrivableId from = m_veh[v].drv;
  auto& out = m_lists[from];
  // Upstream, look-aheads see both lanes' last vehicles and rank links by the lanes' loads.
  m_changed_tails.push_back(from);
  m_changed_tails.push_back(target);
  m_changed_lanes.push_back(from);
  m_changed_lanes.push_back(target);
  out.erase(std::find(out.begin(), out.end(), v));
  m_occupied[from] = !out.empty();
  auto& in = m_lists[target];
  in.insert(follower != kNoVehicle ? std::find(in.begin(), in.end(), follower) : in.end(), v);
  m_occupied[target] = 1;
  m_veh[v].drv = target;
  m_aux[v].last_change_time = time();
  refresh_plan(v);
  return true;
}

double Engine::queue_ahead(Slot v) const {
  // The standing vehicles between v and the end of its lane, with their gaps.
  double q = 0;
  for (Slot u : m_lists[m_veh[v].drv]) {
    if (u == v) break;
    if (m_veh[u].speed < kHalting) {
      const demand::VehicleType& t = m_demand->types[m_veh[u].type];
      q += t.length + t.min_gap;
    }
  }
  return q;
}

double Engine::space_till_last_standing(DrivableId lane, Slot v, bool* stopped) const {
  // SUMO's MSLane::getSpaceTillLastStanding: the moving vehicles behind the rearmost standing one
  // will queue behind it, packed.
  const auto& list = m_lists[lane];
  double lengths = 0;
  for (auto it = list.rbegin(); it != list.rend(); ++it) {
    const Slot u = *it;
    if (u == v) continue;
    const demand::VehicleType& t = m_demand->types[m_veh[u].type];
    if (m_veh[u].speed < kHalting) {
      *stopped = true;
      return m_veh[u].dis - t.length - lengths;
    }
    lengths += t.length + t.min_gap;
  }
  *stopped = false;
  return m_drv_length[lane] - lengths;
}

bool Engine::sumo_keeps_clear(DrivableId lane, Slot v) const {
  // SUMO's junction keep-clear (MSVehicle::checkRewindLinkLanes): a vehicle enters a link only
  // when the space behind it, counted up to the last standing vehicle and on through green links
  // along the route while no vehicle stands, fits it beside the vehicles on links into the lane.
  const std::uint32_t n_lanes = static_cast<std::uint32_t>(m_net->lanes.size());
  bool stopped = false;
  double room = space_till_last_standing(lane, v, &stopped);
  claim_incoming_room(lane, v, &room);
  const demand::VehicleType& mine = m_demand->types[m_veh[v].type];
  const double need = mine.length + mine.min_gap;
  DrivableId cur = lane;
  for (int depth = 0; depth < 4 && !stopped && room < need; ++depth) {
    const DrivableId k = next_drivable(cur, m_veh[v].route_pos, v);
    if (k == kNoDrivable) {
      // The route ends on this lane: the vehicle leaves the network there.
      if (m_net->lanes[cur].road == route_of(m_veh[v].route).back()) return true;
      break;
    }
    if (!link_available(k - n_lanes)) break;
    for (Slot u : m_lists[k]) {
      const demand::VehicleType& t = m_demand->types[m_veh[u].type];
      room -= t.length + t.min_gap;
    }
    cur = m_net->lanelinks[k - n_lanes].to.value;
    room += space_till_last_standing(cur, v, &stopped);
  }
  // An empty lane shorter than the vehicle takes it when nothing else claims it.
  return room >= need || (m_lists[lane].empty() && room >= 0 && m_drv_length[lane] < need);
}

bool Engine::look_along_route(Slot v, DrivableId d) {
  const net::Network& net = *m_net;
  VehicleAux& a = m_aux[v];
  a.stuck = 0;
  a.lane_target = kNoDrivable;
  a.cont_own = a.cont_left = a.cont_right = -1;
  if (on_last_road(v)) return false;
  const net::Lane& lane = net.lanes[d];
  const net::Road& road = net.roads[lane.road.index()];
  if (road.lane_count < 2) return false;  // no lane to change to
  auto route = route_of(m_veh[v].route);
  std::uint32_t p = m_veh[v].route_pos;
  while (p < route.size() && route[p] != lane.road) ++p;
  if (p >= route.size()) return false;
  const float* cont = route_continuations_kept(m_veh[v].route, p);
  const std::uint32_t n = m_look_roads[lane.road.index()].lanes;
  if (lane.index >= n) return false;
  const float own = cont[lane.index];
  a.cont_own = own;
  if (lane.index > 0) a.cont_left = cont[lane.index - 1];
  if (lane.index + 1 < n) a.cont_right = cont[lane.index + 1];
  // The best lane (ties: the nearest), when it leads further than this one.
  float best = own;
  std::uint32_t best_diff = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    const std::uint32_t diff = i > lane.index ? i - lane.index : lane.index - i;
    if (cont[i] > best || (cont[i] == best && best > own && diff < best_diff)) {
      best = cont[i];
      best_diff = diff;
      a.lane_target = road.first_lane.value + i;
    }
  }
  // It may want a change: to a better lane, or to a neighbour leading as far.
  return own >= 0 && (a.lane_target != kNoDrivable || a.cont_left >= own || a.cont_right >= own);
}

void Engine::change_to_route_lanes() {
  const std::uint32_t n_lanes = static_cast<std::uint32_t>(m_net->lanes.size());
  m_route_changers.clear();
  for (DrivableId d : m_active) {
    if (d >= n_lanes) continue;
    for (Slot v : m_lists[d]) {
      LaneView& view = m_lane_view[v];
      if (view.lane != d) {
        view.lane = d;
        view.changer = look_along_route(v, d);
      }
      if (view.changer) m_route_changers.push_back(v);
    }
  }
  if (m_route_changers.empty()) return;
  m_changed_lanes.clear();
  const double now = time();
  for (Slot v : m_route_changers) {
    const DrivableId d = m_veh[v].drv;
    if (gave_up_lane(v)) continue;
    const demand::VehicleType& t = m_demand->types[m_veh[v].type];
    const double lane_speed = std::min(t.max_speed, m_drv_max_speed[d]);
    const DrivableId target = m_aux[v].lane_target;
    Slot ask = kNoVehicle;
    if (target != kNoDrivable) {
      const std::uint32_t steps = target > d ? target - d : d - target;
      const double urgent = lane_speed * kLookForward * (target < d ? kLeftFactor : 1.0) * steps;
      const double left = m_aux[v].cont_own - m_veh[v].dis;
      if (m_veh[v].next_drv == kNoDrivable || left - queue_ahead(v) < urgent) {
        if (try_route_change(v, target > d ? d + 1 : d - 1, &ask)) continue;
        if (ask != kNoVehicle) {
          m_lane_view[ask].coop = v;
          m_coop_set.push_back(ask);
        }
        if (m_veh[v].next_drv == kNoDrivable && m_lists[d].front() == v &&
            m_drv_length[d] - m_veh[v].dis < kStopLineZone) {
          m_aux[v].stuck += m_config.interval;
          if (gave_up_lane(v)) {
            refresh_plan(v);  // a new next lane link: v's own leader may change
            m_changed_lanes.push_back(d);
          }
        }
        continue;
      }
    }
    // Speed gain: slowed down behind a leader, to a neighbouring lane that leads on as far, with
    // a longer gap ahead.
    if (m_veh[v].speed > 0.8 * lane_speed) continue;
    if (now - m_aux[v].last_change_time < kGainCooldown) continue;
    if (m_veh[v].leader == kNoVehicle) continue;
    DrivableId pick = kNoDrivable;
    double pick_gap = m_veh[v].gap + kGainGap;
    for (int side = 0; side < 2; ++side) {
      const float c = side == 0 ? m_aux[v].cont_left : m_aux[v].cont_right;
      if (c < 0 || c < m_aux[v].cont_own) continue;
      const DrivableId n = side == 0 ? d - 1 : d + 1;
      // The gap there is at most the way to the lane's end.
      if (!(m_drv_length[n] - m_veh[v].dis > pick_gap)) continue;
      const double g = estimate_gap(v, n);
      if (g > pick_gap) {
        pick_gap = g;
        pick = n;
      }
    }
    if (pick != kNoDrivable) try_route_change(v, pick, &ask);
  }
  if (m_changed_lanes.empty()) return;
  // New leaders for every vehicle on a lane that changed (the ones upstream: step()).
  collect_active();
  std::sort(m_changed_lanes.begin(), m_changed_lanes.end());
  m_changed_lanes.erase(std::unique(m_changed_lanes.begin(), m_changed_lanes.end()),
                        m_changed_lanes.end());
  for (DrivableId d : m_changed_lanes) update_leaders_on(d);
}

void Engine::refresh_upstream_fronts() {
  // Lanes whose last vehicle changed this step, by an entry or a lane change: the front vehicles
  // that see them from upstream find their leaders again. A front vehicle looks ahead along its
  // route through empty drivables, up to its approach distance, and stops at the first vehicle:
  // walking back the same way meets every front vehicle whose leader may have changed (and perhaps
  // a few more, which find the same leader again).
  if (m_changed_tails.empty()) return;
  const std::uint32_t n_lanes = static_cast<std::uint32_t>(m_net->lanes.size());
  const std::size_t n = m_lists.size();
  constexpr double kUnseen = std::numeric_limits<double>::infinity();
  if (m_upstream_seen.size() != n) m_upstream_seen.assign(n, kUnseen);
  m_upstream.clear();
  for (DrivableId d : m_changed_tails) {
    // Its own front vehicle too: one that entered looked ahead before the entries after it.
    if (!m_lists[d].empty()) update_leader_and_gap(m_lists[d].front(), kNoVehicle);
    m_upstream.push_back({d, 0.0});
  }
  for (std::size_t i = 0; i < m_upstream.size(); ++i) {
    const DrivableId d = m_upstream[i].first;
    const double between = m_upstream[i].second;  // (a lambda cannot capture a binding in clang 14)
    if (between < 0) continue;                    // a drivable with vehicles: the walk stops there
    // The drivables just before d: the lane links into a lane, the lane a lane link leaves.
    auto visit = [&](DrivableId p) {
      if (!(between < m_upstream_seen[p])) return;
      const bool first = m_upstream_seen[p] == kUnseen;
      m_upstream_seen[p] = between;
      if (m_lists[p].empty() && between + m_drv_length[p] <= m_max_approach) {
        m_upstream.push_back({p, between + m_drv_length[p]});
        return;
      }
      if (!first) return;
      if (!m_lists[p].empty()) update_leader_and_gap(m_lists[p].front(), kNoVehicle);
      m_upstream.push_back({p, -1.0});  // seen, to be forgotten at the end
    };
    if (d < n_lanes) {
      for (std::uint32_t k = m_in_begin[d]; k < m_in_begin[d + 1]; ++k)
        visit(n_lanes + m_in_links[k]);
    } else {
      visit(m_net->lanelinks[d - n_lanes].from.value);
    }
  }
  for (const auto& [d, between] : m_upstream) m_upstream_seen[d] = kUnseen;
  m_changed_tails.clear();
}

}  // namespace citybrain::sim
