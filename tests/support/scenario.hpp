// Test scenarios built in code: a rows x cols grid of signalised intersections in CityFlow's
// roadnet format, ringed by virtual intersections, and flows over it. Used by the unit tests; the
// files under tests/fixtures are the hand-written single-intersection case.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "citybrain/demand/cityflow_flow.hpp"
#include "citybrain/net/cityflow_roadnet.hpp"
#include "citybrain/sim/engine.hpp"

namespace citybrain::test {

struct GridOptions {
  int rows = 1;
  int cols = 1;
  double length = 300;   // metres between intersection centres
  int lanes = 2;         // per road
  double max_speed = 11.111;
  double phase_time = 30;  // for the non-RL signal cycle
};

// Intersection id of grid cell (r, c); cells outside [0, rows) x [0, cols) are virtual.
inline std::string inter_id(int r, int c) { return "I_" + std::to_string(r) + "_" + std::to_string(c); }
inline std::string road_id(int r0, int c0, int r1, int c1) {
  return "R_" + std::to_string(r0) + "_" + std::to_string(c0) + "__" + std::to_string(r1) + "_" +
         std::to_string(c1);
}

// Directions: 0 east, 1 north, 2 west, 3 south.
inline constexpr int kDr[4] = {0, 1, 0, -1};
inline constexpr int kDc[4] = {1, 0, -1, 0};

// Light phases: 0 all red (yellow), 1 east-west straight + right, 2 north-south straight + right,
// 3 east-west left, 4 north-south left.
inline nlohmann::json make_grid(const GridOptions& o) {
  using nlohmann::json;
  json inters = json::array();
  json roads = json::array();
  auto inside = [&](int r, int c) { return r >= 0 && r < o.rows && c >= 0 && c < o.cols; };
  auto point = [&](int r, int c) { return json{{"x", c * o.length}, {"y", r * o.length}}; };
  auto add_road = [&](int r0, int c0, int r1, int c1) {
    json lanes = json::array();
    for (int l = 0; l < o.lanes; ++l) lanes.push_back({{"width", 4.0}, {"maxSpeed", o.max_speed}});
    roads.push_back({{"id", road_id(r0, c0, r1, c1)},
                     {"startIntersection", inter_id(r0, c0)},
                     {"endIntersection", inter_id(r1, c1)},
                     {"points", json::array({point(r0, c0), point(r1, c1)})},
                     {"lanes", lanes}});
  };
  for (int r = 0; r < o.rows; ++r) {
    for (int c = 0; c < o.cols; ++c) {
      for (int d = 0; d < 4; ++d) {
        int nr = r + kDr[d], nc = c + kDc[d];
        add_road(r, c, nr, nc);                   // outgoing
        if (!inside(nr, nc)) add_road(nr, nc, r, c);  // incoming from the virtual ring
      }
    }
  }
  // Virtual ring.
  for (int r = -1; r <= o.rows; ++r) {
    for (int c = -1; c <= o.cols; ++c) {
      if (inside(r, c)) continue;
      json rs = json::array();
      for (int d = 0; d < 4; ++d) {
        int nr = r + kDr[d], nc = c + kDc[d];
        if (!inside(nr, nc)) continue;
        rs.push_back(road_id(r, c, nr, nc));
        rs.push_back(road_id(nr, nc, r, c));
      }
      if (rs.empty()) continue;
      inters.push_back({{"id", inter_id(r, c)},
                        {"point", point(r, c)},
                        {"width", 0},
                        {"roads", rs},
                        {"roadLinks", json::array()},
                        {"trafficLight", {{"lightphases", json::array()}}},
                        {"virtual", true}});
    }
  }
  for (int r = 0; r < o.rows; ++r) {
    for (int c = 0; c < o.cols; ++c) {
      json rs = json::array();
      json links = json::array();
      // Phase membership per road link.
      std::vector<std::vector<int>> phase_links(5);
      for (int d = 0; d < 4; ++d) {
        int nr = r + kDr[d], nc = c + kDc[d];
        rs.push_back(road_id(r, c, nr, nc));
        rs.push_back(road_id(nr, nc, r, c));
      }
      for (int from = 0; from < 4; ++from) {
        int heading = (from + 2) % 4;  // a vehicle coming from `from` heads the opposite way
        std::string in = road_id(r + kDr[from], c + kDc[from], r, c);
        bool ew = from == 0 || from == 2;
        for (int t = 0; t < 3; ++t) {  // 0 left, 1 straight, 2 right
          int out_dir = t == 0 ? (heading + 1) % 4 : t == 1 ? heading : (heading + 3) % 4;
          std::string out = road_id(r, c, r + kDr[out_dir], c + kDc[out_dir]);
          json lls = json::array();
          if (t == 0) {
            lls.push_back({{"startLaneIndex", 0}, {"endLaneIndex", 0}});
          } else if (t == 1) {
            for (int l = 0; l < o.lanes; ++l)
              lls.push_back({{"startLaneIndex", l}, {"endLaneIndex", l}});
          } else {
            lls.push_back({{"startLaneIndex", o.lanes - 1}, {"endLaneIndex", o.lanes - 1}});
          }
          int index = static_cast<int>(links.size());
          links.push_back({{"type", t == 0 ? "turn_left" : t == 1 ? "go_straight" : "turn_right"},
                           {"startRoad", in},
                           {"endRoad", out},
                           {"direction", out_dir},
                           {"laneLinks", lls}});
          if (t == 0) phase_links[ew ? 3 : 4].push_back(index);
          else phase_links[ew ? 1 : 2].push_back(index);
        }
      }
      json phases = json::array();
      phases.push_back({{"time", 5}, {"availableRoadLinks", json::array()}});
      for (int p = 1; p <= 4; ++p)
        phases.push_back({{"time", o.phase_time}, {"availableRoadLinks", phase_links[p]}});
      inters.push_back({{"id", inter_id(r, c)},
                        {"point", point(r, c)},
                        {"width", 20},
                        {"roads", rs},
                        {"roadLinks", links},
                        {"trafficLight", {{"roadLinkIndices", json::array()}, {"lightphases", phases}}},
                        {"virtual", false}});
    }
  }
  return {{"intersections", inters}, {"roads", roads}};
}

inline nlohmann::json vehicle_json(double max_speed = 11.111) {
  return {{"length", 5.0},     {"width", 2.0},       {"maxPosAcc", 2.0},
          {"maxNegAcc", 4.5},  {"usualPosAcc", 2.0}, {"usualNegAcc", 4.5},
          {"minGap", 2.5},     {"maxSpeed", max_speed}, {"headwayTime", 2.0}};
}

inline nlohmann::json flow_json(std::vector<std::string> route, double interval, int start = 0,
                                int end = -1, double max_speed = 11.111) {
  return {{"vehicle", vehicle_json(max_speed)},
          {"route", route},
          {"interval", interval},
          {"startTime", start},
          {"endTime", end}};
}

// Every straight-through route across the grid (both directions on every row and column) plus a
// few turning routes, one vehicle every `interval` seconds on each.
inline nlohmann::json grid_flows(const GridOptions& o, double interval) {
  nlohmann::json flows = nlohmann::json::array();
  for (int r = 0; r < o.rows; ++r) {
    flows.push_back(flow_json({road_id(r, -1, r, 0), road_id(r, o.cols - 1, r, o.cols)}, interval));
    flows.push_back(flow_json({road_id(r, o.cols, r, o.cols - 1), road_id(r, 0, r, -1)}, interval));
    // Turn left at the first intersection: west entry, heading east, turns north.
    flows.push_back(flow_json({road_id(r, -1, r, 0), road_id(r, 0, r + 1, 0)}, interval * 2));
  }
  for (int c = 0; c < o.cols; ++c) {
    flows.push_back(flow_json({road_id(-1, c, 0, c), road_id(o.rows - 1, c, o.rows, c)}, interval));
    flows.push_back(flow_json({road_id(o.rows, c, o.rows - 1, c), road_id(0, c, -1, c)}, interval));
  }
  return flows;
}

struct Built {
  std::shared_ptr<const net::Network> net;
  std::shared_ptr<const demand::Demand> demand;
};

inline Built build(const nlohmann::json& roadnet, const nlohmann::json& flows) {
  auto net = std::make_shared<const net::Network>(
      net::parse_cityflow_roadnet(roadnet.dump(), "roadnet.json"));
  auto demand = std::make_shared<const demand::Demand>(
      demand::parse_cityflow_flow(flows.dump(), "flow.json", *net));
  return {net, demand};
}

// Hash of every vehicle's distance, speed and drivable on every drivable, in list order.
inline std::uint64_t state_hash(const sim::Engine& e) {
  std::uint64_t h = 1469598103934665603ull;
  auto mix = [&](std::uint64_t v) {
    h ^= v;
    h *= 1099511628211ull;
  };
  auto bits = [](double d) {
    std::uint64_t u;
    static_assert(sizeof u == sizeof d);
    __builtin_memcpy(&u, &d, sizeof u);
    return u;
  };
  const auto drivables =
      static_cast<sim::DrivableId>(e.network().lanes.size() + e.network().lanelinks.size());
  for (sim::DrivableId d = 0; d < drivables; ++d) {
    mix(0xd00d0000ull + d);
    for (sim::Slot v : e.drivable_vehicles(d)) {
      mix(bits(e.vehicle_distance(v)));
      mix(bits(e.vehicle_speed(v)));
      mix(e.vehicle_drivable(v));
    }
  }
  mix(e.vehicle_count());
  mix(e.vehicles_generated());
  return h;
}

}  // namespace citybrain::test
