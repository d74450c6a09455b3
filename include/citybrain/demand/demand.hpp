// Travel demand: vehicle types, routes (full road sequences) and flows that release vehicles.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "citybrain/core/ids.hpp"
#include "citybrain/net/network.hpp"

namespace citybrain::demand {

// CityFlow's vehicle parameters (metres, seconds, m/s, m/s^2). yield_distance and turn_speed are
// fixed in CityFlow (not read from files); we keep its values.
struct VehicleType {
  double length = 5;
  double width = 2;
  double max_pos_acc = 4.5;
  double max_neg_acc = 4.5;
  double usual_pos_acc = 2.5;
  double usual_neg_acc = 2.5;
  double min_gap = 2;
  double max_speed = 16.66667;
  double headway_time = 1;
  double yield_distance = 5;
  double turn_speed = 8.3333;
  bool operator==(const VehicleType&) const = default;
};

struct Flow {
  VehicleTypeId type;
  RouteId route;
  double interval = 1;  // seconds between two vehicles
  int start = 0;        // first release time (s)
  int end = -1;         // last release time (s), -1 for no end
  // citybrain's "routeAtInsertion" (imported SUMO trips): the route gives origin and destination;
  // on networks that ask for it (NetworkOptions::route_trips) each vehicle is routed when
  // released, by the current travel times.
  bool route_at_insertion = false;
};

struct Demand {
  std::vector<VehicleType> types;
  std::vector<net::Range> routes;  // into route_roads
  std::vector<RoadId> route_roads;
  std::vector<Flow> flows;

  std::span<const RoadId> route(RouteId r) const {
    const net::Range& range = routes[r.index()];
    return {route_roads.data() + range.begin, range.size()};
  }
  VehicleTypeId add_type(const VehicleType& type);
  RouteId add_route(std::span<const RoadId> roads);
  // About how many vehicles the flows release by `horizon` seconds (for sizing buffers).
  std::size_t estimate_vehicles(double horizon) const;
};

// Joins consecutive anchor roads by shortest paths (by road length), as CityFlow's router does.
// Returns an empty vector when two anchors are not connected. Unlike CityFlow, which drops vehicles
// whose route has a single road, such a route is kept: the vehicle drives to the road's end.
std::vector<RoadId> expand_route(const net::Network& net, std::span<const RoadId> anchors);

}  // namespace citybrain::demand
