#include "citybrain/demand/demand.hpp"

#include <cmath>
#include <limits>
#include <queue>

namespace citybrain::demand {

VehicleTypeId Demand::add_type(const VehicleType& type) {
  for (std::size_t i = 0; i < types.size(); ++i) {
    if (types[i] == type) return VehicleTypeId(i);
  }
  types.push_back(type);
  return VehicleTypeId(types.size() - 1);
}

RouteId Demand::add_route(std::span<const RoadId> roads) {
  net::Range range{static_cast<std::uint32_t>(route_roads.size()), 0};
  route_roads.insert(route_roads.end(), roads.begin(), roads.end());
  range.end = static_cast<std::uint32_t>(route_roads.size());
  routes.push_back(range);
  return RouteId(routes.size() - 1);
}

std::size_t Demand::estimate_vehicles(double horizon) const {
  double total = 0;
  for (const Flow& f : flows) {
    double last = f.end == -1 ? horizon : std::min<double>(f.end, horizon);
    if (last < f.start) continue;
    total += std::floor((last - f.start) / f.interval) + 1;
  }
  return static_cast<std::size_t>(total);
}

namespace {

// Dijkstra over roads; the cost of entering a road is its mean lane length.
bool shortest_path(const net::Network& net, RoadId start, RoadId end, std::vector<RoadId>& out) {
  const std::size_t n = net.roads.size();
  std::vector<double> dist(n, std::numeric_limits<double>::infinity());
  std::vector<RoadId> from(n);
  std::vector<char> done(n, 0);
  auto road_length = [&](RoadId r) {
    const net::Road& road = net.roads[r.index()];
    double sum = 0;
    for (std::uint32_t i = 0; i < road.lane_count; ++i) {
      sum += net.lanes[road.first_lane.index() + i].length;
    }
    return sum / road.lane_count;
  };
  using Item = std::pair<double, std::uint32_t>;
  std::priority_queue<Item, std::vector<Item>, std::greater<>> queue;
  dist[start.index()] = 0;
  queue.emplace(0.0, start.value);
  bool found = false;
  while (!queue.empty()) {
    auto [d, r] = queue.top();
    if (r == end.value) {
      found = true;
      break;
    }
    queue.pop();
    if (done[r]) continue;
    done[r] = 1;
    const net::Intersection& inter = net.intersections[net.roads[r].to.index()];
    for (std::uint32_t k = inter.roads.begin; k < inter.roads.end; ++k) {
      RoadId adj = net.intersection_roads[k];
      if (!net.connected(RoadId(r), adj)) continue;
      double nd = d + road_length(adj);
      if (nd < dist[adj.index()]) {
        dist[adj.index()] = nd;
        from[adj.index()] = RoadId(r);
        queue.emplace(nd, adj.value);
      }
    }
  }
  if (!found) return false;
  std::vector<RoadId> path;
  for (RoadId r = end; r != start; r = from[r.index()]) path.push_back(r);
  out.insert(out.end(), path.rbegin(), path.rend());
  return true;
}

}  // namespace

std::vector<RoadId> expand_route(const net::Network& net, std::span<const RoadId> anchors) {
  std::vector<RoadId> route;
  if (anchors.empty()) return route;
  route.push_back(anchors[0]);
  for (std::size_t i = 1; i < anchors.size(); ++i) {
    if (anchors[i - 1] == anchors[i]) continue;
    // A direct connection is always the shortest path between adjacent anchors.
    if (net.roads[anchors[i - 1].index()].to == net.roads[anchors[i].index()].from &&
        net.connected(anchors[i - 1], anchors[i])) {
      route.push_back(anchors[i]);
      continue;
    }
    if (!shortest_path(net, anchors[i - 1], anchors[i], route)) return {};
  }
  return route;
}

}  // namespace citybrain::demand
