#include "citybrain/demand/cityflow_flow.hpp"

#include <cmath>

#include "citybrain/core/error.hpp"
#include "citybrain/core/json.hpp"

namespace citybrain::demand {

namespace {

double read_param(const JsonNode& vehicle, const char* key, bool allow_zero) {
  JsonNode node = vehicle.at(key);
  double value = node.as_double();
  if (allow_zero ? !(value >= 0) : !(value > 0)) {
    node.fail(std::string("expected a ") + (allow_zero ? "non-negative" : "positive") +
              " number, found " + std::to_string(value));
  }
  return value;
}

Demand build(const JsonNode& root, const net::Network& net) {
  if (!root.is_array()) root.fail("expected an array of flows");
  Demand demand;
  std::vector<RoadId> anchors;
  const std::vector<JsonNode> items = root.items();
  const std::size_t n = items.size();
  demand.flows.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const JsonNode& node = items[i];
    JsonNode vehicle = node.at("vehicle");
    VehicleType type;
    type.length = read_param(vehicle, "length", false);
    type.width = read_param(vehicle, "width", false);
    type.max_pos_acc = read_param(vehicle, "maxPosAcc", false);
    type.max_neg_acc = read_param(vehicle, "maxNegAcc", false);
    type.usual_pos_acc = read_param(vehicle, "usualPosAcc", false);
    type.usual_neg_acc = read_param(vehicle, "usualNegAcc", false);
    type.min_gap = read_param(vehicle, "minGap", true);
    type.max_speed = read_param(vehicle, "maxSpeed", false);
    type.headway_time = read_param(vehicle, "headwayTime", true);

    JsonNode route = node.at("route");
    anchors.clear();
    for (std::size_t k = 0; k < route.size(); ++k) {
      JsonNode road = route[k];
      std::string id(road.as_string());
      RoadId r = net.find_road(id);
      if (!r) road.fail("unknown road \"" + id + "\" (expected an id from the roadnet's roads)");
      anchors.push_back(r);
    }
    if (anchors.empty()) route.fail("expected at least one road");
    std::vector<RoadId> roads = expand_route(net, anchors);
    if (roads.empty()) {
      for (std::size_t k = 1; k < anchors.size(); ++k) {
        if (anchors[k] == anchors[k - 1]) continue;
        std::vector<RoadId> pair{anchors[k - 1], anchors[k]};
        if (expand_route(net, pair).empty()) {
          route[k].fail("no path from road \"" + net.roads[anchors[k - 1].index()].id +
                        "\" to road \"" + net.roads[anchors[k].index()].id +
                        "\" (expected consecutive route roads to be connected)");
        }
      }
    }

    Flow flow;
    flow.type = demand.add_type(type);
    flow.route = demand.add_route(roads);
    JsonNode interval = node.at("interval");
    flow.interval = interval.as_double();
    if (!(flow.interval > 0)) {
      interval.fail("expected a positive interval (seconds), found " +
                    std::to_string(flow.interval));
    }
    auto start = node.find("startTime");
    auto end = node.find("endTime");
    flow.start = start ? static_cast<int>(start->as_int()) : 0;
    flow.end = end ? static_cast<int>(end->as_int()) : -1;
    if (start && flow.start < 0) start->fail("expected a non-negative start time");
    if (end && flow.end != -1 && flow.end < flow.start) {
      end->fail("end time " + std::to_string(flow.end) + " is before start time " +
                std::to_string(flow.start));
    }
    if (auto reroute = node.find("routeAtInsertion")) flow.route_at_insertion = reroute->as_bool();
    demand.flows.push_back(flow);
  }
  return demand;
}

}  // namespace

Demand load_cityflow_flow(const std::string& file, const net::Network& net) {
  auto doc = JsonDocument::load(file);
  return build(doc->root(), net);
}

Demand parse_cityflow_flow(std::string_view json, const std::string& name,
                           const net::Network& net) {
  auto doc = JsonDocument::parse(json, name);
  return build(doc->root(), net);
}

}  // namespace citybrain::demand
