// The vehicle-level API of the engine for front ends (Python, server): vehicles by CityFlow's ids,
// their leaders and routes, and per-vehicle control. Lookups scan the drivables and the entry
// queues; the step never calls into this file.
#include <algorithm>
#include <charconv>

#include "citybrain/core/error.hpp"
#include "citybrain/sim/engine.hpp"

namespace citybrain::sim {

namespace {

// A pushed vehicle gets a flow of its own that never releases anything: it starts after any
// horizon and ends before it starts.
constexpr int kPushedFlowStart = std::numeric_limits<int>::max();
constexpr int kPushedFlowEnd = -2;
constexpr std::string_view kPushedPrefix = "manually_pushed_";

// "flow_<flow>_<seq>" with an optional "_shadow".
struct ParsedId {
  std::uint32_t flow = 0;
  std::uint32_t seq = 0;
  bool shadow = false;
};

bool parse_number(std::string_view text, std::uint32_t& out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

bool parse_vehicle_id(std::string_view id, ParsedId& out, std::uint32_t file_flows) {
  if (id.starts_with(kPushedPrefix)) {
    id.remove_prefix(kPushedPrefix.size());
    out.shadow = id.ends_with("_shadow");
    if (out.shadow) id.remove_suffix(std::string_view("_shadow").size());
    std::uint32_t n = 0;
    if (!parse_number(id, n)) return false;
    out.flow = file_flows + n;
    out.seq = 0;
    return true;
  }
  constexpr std::string_view kPrefix = "flow_";
  constexpr std::string_view kShadow = "_shadow";
  if (!id.starts_with(kPrefix)) return false;
  id.remove_prefix(kPrefix.size());
  out.shadow = id.ends_with(kShadow);
  if (out.shadow) id.remove_suffix(kShadow.size());
  std::size_t sep = id.find('_');
  if (sep == std::string_view::npos) return false;
  return parse_number(id.substr(0, sep), out.flow) && out.flow < file_flows &&
         parse_number(id.substr(sep + 1), out.seq);
}

}  // namespace

std::vector<Slot> Engine::vehicles(bool include_waiting) const {
  std::vector<Slot> out;
  out.reserve(m_running + (include_waiting ? m_waiting_total : 0));
  for (const auto& list : m_lists) {
    for (Slot v : list) {
      if (m_veh[v].partner_type != 2) out.push_back(v);
    }
  }
  if (include_waiting) {
    for (std::size_t lane = 0; lane < m_waiting.size(); ++lane) {
      for (std::size_t i = m_waiting_head[lane]; i < m_waiting[lane].size(); ++i) {
        out.push_back(m_waiting[lane][i]);
      }
    }
  }
  std::sort(out.begin(), out.end(),
            [&](Slot a, Slot b) { return m_aux[a].priority < m_aux[b].priority; });
  return out;
}

Slot Engine::find_vehicle(const std::string& id, bool* running) const {
  ParsedId want;
  if (!parse_vehicle_id(id, want, static_cast<std::uint32_t>(m_flow_state.size()))) {
    return kNoVehicle;
  }
  auto matches = [&](Slot v) {
    std::uint32_t trip = m_trip[v];
    bool shadow = m_trip_shadow_of[trip] != kNoTrip;
    if (shadow != want.shadow) return false;
    std::uint32_t base = shadow ? m_trip_shadow_of[trip] : trip;
    return m_trip_flow[base] == want.flow && m_trip_seq[base] == want.seq;
  };
  for (DrivableId d : m_active) {
    for (Slot v : m_lists[d]) {
      if (matches(v)) {
        if (running) *running = true;
        return v;
      }
    }
  }
  if (!want.shadow) {
    for (std::uint32_t lane : m_waiting_lanes) {
      for (std::size_t i = m_waiting_head[lane]; i < m_waiting[lane].size(); ++i) {
        if (matches(m_waiting[lane][i])) {
          if (running) *running = false;
          return m_waiting[lane][i];
        }
      }
    }
  }
  return kNoVehicle;
}

Slot Engine::vehicle_leader(Slot v) const {
  if (m_config.lane_change && m_veh[v].partner_type == 2) v = m_aux[v].partner;
  return m_veh[v].leader;
}

std::span<const RoadId> Engine::vehicle_route_ahead(Slot v) const {
  auto route = route_of(m_veh[v].route);
  return route.subspan(std::min<std::size_t>(m_veh[v].route_pos, route.size()));
}

void Engine::set_vehicle_speed(Slot v, double speed) {
  m_aux[v].custom_speed = speed;
  m_veh[v].has_custom_speed = 1;
}

bool Engine::set_vehicle_route(Slot v, std::span<const RoadId> anchors) {
  DrivableId d = m_veh[v].drv;
  if (d == kNoDrivable || !is_lane(d)) return false;
  RoadId current = m_net->lanes[d].road;
  std::vector<RoadId> wanted;
  wanted.reserve(anchors.size() + 1);
  wanted.push_back(current);
  for (RoadId r : anchors) {
    if (!r.valid() || r.index() >= m_net->roads.size()) return false;
    wanted.push_back(r);
  }
  std::vector<RoadId> roads = demand::expand_route(*m_net, wanted);
  if (roads.empty()) return false;

  // Routes live in the shared demand; a rerouted vehicle gets a new route in this engine's own
  // copy, so other engines (clones) sharing the old demand are unaffected.
  auto demand = std::make_shared<demand::Demand>(*m_demand);
  RouteId route = demand->add_route(roads);
  const std::uint32_t old_route = m_veh[v].route, old_pos = m_veh[v].route_pos;
  const DrivableId old_next = m_veh[v].next_drv;
  std::shared_ptr<const demand::Demand> old_demand = m_demand;
  m_demand = std::move(demand);
  m_veh[v].route = route.value;
  m_veh[v].route_pos = 0;
  refresh_plan(v);
  if (!on_valid_lane(v)) {
    m_demand = std::move(old_demand);
    m_veh[v].route = old_route;
    m_veh[v].route_pos = old_pos;
    m_veh[v].next_drv = old_next;
    return false;
  }
  if (m_veh[v].partner_type != 0) {
    Slot p = m_aux[v].partner;
    if (p != kNoVehicle) {
      m_veh[p].route = route.value;
      m_veh[p].route_pos = 0;
      refresh_plan(p);
    }
  }
  return true;
}

std::string Engine::vehicle_name(Slot v) const {
  std::uint32_t trip = m_trip[v];
  bool shadow = m_trip_shadow_of[trip] != kNoTrip;
  std::uint32_t base = shadow ? m_trip_shadow_of[trip] : trip;
  std::uint32_t flow = m_trip_flow[base];
  std::string id;
  // Flows from the file come first (m_flow_state has one entry each); pushed ones follow.
  if (flow < m_flow_state.size()) {
    id = "flow_" + std::to_string(flow) + "_" + std::to_string(m_trip_seq[base]);
  } else {
    id = std::string(kPushedPrefix) + std::to_string(flow - m_flow_state.size());
  }
  if (shadow) id += "_shadow";
  return id;
}

Slot Engine::push_vehicle(const demand::VehicleType& type, std::span<const RoadId> anchors) {
  for (RoadId r : anchors) {
    if (!r.valid() || r.index() >= m_net->roads.size()) {
      throw Error(ErrorCode::kNotFound, "push_vehicle", "unknown road in the route");
    }
  }
  std::vector<RoadId> roads = demand::expand_route(*m_net, anchors);
  if (roads.empty()) {
    throw Error(ErrorCode::kInvalidArgument, "push_vehicle",
                "the route's roads are not connected (expected consecutive anchors joined by "
                "roads)");
  }
  if (!(type.max_speed > 0) || !(type.max_neg_acc > 0) || !(type.usual_neg_acc > 0) ||
      !(type.length > 0)) {
    throw Error(ErrorCode::kInvalidArgument, "push_vehicle",
                "expected positive length, maxSpeed, maxNegAcc and usualNegAcc");
  }
  // The demand is shared with clones of this engine: the pushed vehicle goes into this engine's
  // own copy.
  auto demand = std::make_shared<demand::Demand>(*m_demand);
  VehicleTypeId type_id = demand->add_type(type);
  if (type_id.index() == m_type_consts.size()) {
    add_type_consts(type);
  }
  RouteId route = demand->add_route(roads);
  demand::Flow flow;
  flow.type = type_id;
  flow.route = route;
  flow.start = kPushedFlowStart;
  flow.end = kPushedFlowEnd;
  demand->flows.push_back(flow);
  const auto flow_index = static_cast<std::uint32_t>(demand->flows.size() - 1);
  m_demand = std::move(demand);

  return release_vehicle(flow_index, 0, type_id.value, route.value);
}

Slot Engine::place_vehicle(VehicleTypeId type, RouteId route, LaneId lane, double distance,
                           double speed) {
  const net::Network& net = *m_net;
  if (!type.valid() || type.index() >= m_demand->types.size() || !route.valid() ||
      route.index() >= m_demand->routes.size() || !lane.valid() ||
      lane.index() >= net.lanes.size()) {
    throw Error(ErrorCode::kInvalidArgument, "place_vehicle", "unknown type, route or lane");
  }
  auto roads = m_demand->route(route);
  const net::Lane& l = net.lanes[lane.index()];
  if (roads.empty() || roads[0] != l.road) {
    throw Error(ErrorCode::kInvalidArgument, "place_vehicle",
                "lane " + net.lane_name(lane) + " is not on the route's first road");
  }
  if (roads.size() > 1) {
    bool leads_on = false;
    for (LaneLinkId k : net.lane_links(lane))
      leads_on = leads_on || net.lanes[net.lanelinks[k.index()].to.index()].road == roads[1];
    if (!leads_on) {
      throw Error(ErrorCode::kInvalidArgument, "place_vehicle",
                  "lane " + net.lane_name(lane) + " does not lead to the route's second road");
    }
  }
  const demand::VehicleType& t = m_demand->types[type.index()];
  auto& list = m_lists[lane.index()];
  if (!(distance >= t.length && distance <= l.length) ||
      (!list.empty() &&
       distance > m_veh[list.back()].dis - m_demand->types[m_veh[list.back()].type].length)) {
    throw Error(ErrorCode::kInvalidArgument, "place_vehicle",
                "distance " + std::to_string(distance) + " on lane " + net.lane_name(lane) +
                    " overlaps the lane's ends or the vehicle ahead (place front first)");
  }
  if (type.index() >= m_type_consts.size()) {
    for (std::size_t i = m_type_consts.size(); i < m_demand->types.size(); ++i)
      m_type_consts.push_back(type_consts(m_demand->types[i]));
  }
  const Slot v = start_trip(kPlacedFlow, 0, kNoTrip);
  m_veh[v].type = type.value;
  m_veh[v].route = route.value;
  m_veh[v].route_pos = 0;
  m_veh[v].drv = lane.value;
  m_veh[v].dis = distance;
  m_veh[v].speed = std::max(0.0, speed);
  m_aux[v].gen_time = time();
  refresh_plan(v);
  const Slot ahead = list.empty() ? kNoVehicle : list.back();
  list.push_back(v);
  m_occupied[lane.index()] = 1;
  update_leader_and_gap(v, ahead);
  m_refresh_leaders = true;
  ++m_running;
  ++m_generated;
  ++m_pool_size;
  m_pool_gen_time_sum += m_aux[v].gen_time;
  return v;
}

}  // namespace citybrain::sim
