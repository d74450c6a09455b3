#include "citybrain/demand/generator.hpp"

#include <array>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "citybrain/core/error.hpp"
#include "citybrain/core/rng.hpp"

namespace citybrain::demand {

namespace {

using nlohmann::json;

// Directions as in the benchmark road ids: 0 east, 1 north, 2 west, 3 south.
constexpr std::array<int, 4> kDx{1, 0, -1, 0};
constexpr std::array<int, 4> kDy{0, 1, 0, -1};

struct Grid {
  int rows, cols;
  // Intersection (x, y) exists: the inner grid plus the virtual ring without corners.
  bool exists(int x, int y) const {
    bool inner_x = x >= 1 && x <= cols, inner_y = y >= 1 && y <= rows;
    return (inner_x && y >= 0 && y <= rows + 1) || (inner_y && x >= 0 && x <= cols + 1);
  }
  bool is_virtual(int x, int y) const { return x < 1 || x > cols || y < 1 || y > rows; }
  // Road from (x, y) in direction d exists: both ends exist and one is signalised.
  bool road(int x, int y, int d) const {
    int ex = x + kDx[d], ey = y + kDy[d];
    return exists(x, y) && exists(ex, ey) && (!is_virtual(x, y) || !is_virtual(ex, ey));
  }
};

std::string inter_id(int x, int y) {
  return "intersection_" + std::to_string(x) + "_" + std::to_string(y);
}
std::string road_id(int x, int y, int d) {
  return "road_" + std::to_string(x) + "_" + std::to_string(y) + "_" + std::to_string(d);
}

// Uniform in [0, 1) from the top 53 bits.
double unit(std::uint64_t r) {
  return static_cast<double>(r >> 11) * 0x1p-53;
}

json point(double x, double y) {
  return json{{"x", x}, {"y", y}};
}

void fail(const std::string& option, const std::string& expected, double found) {
  std::string f = found == std::floor(found) && std::abs(found) < 1e15
                      ? std::to_string(static_cast<long long>(found))
                      : std::to_string(found);
  throw Error(ErrorCode::kInvalidArgument, option, "expected " + expected + ", found " + f);
}

// Mean-one time-of-day shape on u in [0, 1]: a morning peak about twice the mean at 40 % of the
// period over a base of 0.4.
double peak_shape(double u) {
  double z = (u - 0.4) / 0.15;
  return 0.4 + 1.6 * std::exp(-0.5 * z * z);
}

// 11 points of a cubic Bezier from a (heading da) to b (heading db).
json curve(double ax, double ay, int da, double bx, double by, int db) {
  double dist = std::hypot(bx - ax, by - ay);
  double c = dist / 3;
  double p1x = ax + kDx[da] * c, p1y = ay + kDy[da] * c;
  double p2x = bx - kDx[db] * c, p2y = by - kDy[db] * c;
  json pts = json::array();
  for (int i = 0; i <= 10; ++i) {
    double t = i / 10.0, s = 1 - t;
    double x = s * s * s * ax + 3 * s * s * t * p1x + 3 * s * t * t * p2x + t * t * t * bx;
    double y = s * s * s * ay + 3 * s * s * t * p1y + 3 * s * t * t * p2y + t * t * t * by;
    pts.push_back(point(std::round(x * 1000) / 1000, std::round(y * 1000) / 1000));
  }
  return pts;
}

std::string build_roadnet(const GridSpec& s) {
  const Grid g{s.rows, s.cols};
  auto px = [&](int x) { return x * s.road_length_x; };
  auto py = [&](int y) { return y * s.road_length_y; };

  json roads = json::array();
  for (int x = 0; x <= s.cols + 1; ++x) {
    for (int y = 0; y <= s.rows + 1; ++y) {
      for (int d = 0; d < 4; ++d) {
        if (!g.road(x, y, d)) continue;
        json lanes = json::array();
        for (int l = 0; l < s.lanes; ++l) {
          lanes.push_back({{"width", s.lane_width}, {"maxSpeed", s.max_speed}});
        }
        int ex = x + kDx[d], ey = y + kDy[d];
        roads.push_back({{"id", road_id(x, y, d)},
                         {"points", json::array({point(px(x), py(y)), point(px(ex), py(ey))})},
                         {"lanes", std::move(lanes)},
                         {"startIntersection", inter_id(x, y)},
                         {"endIntersection", inter_id(ex, ey)}});
      }
    }
  }

  // Benchmark phases (PROTOCOL.md 1.2) over road links 0 WT, 1 WL, 2 WR, 3 SR, 4 ST, 5 SL, 6 ER,
  // 7 ET, 8 EL, 9 NL, 10 NR, 11 NT.
  static const std::vector<std::vector<int>> kPhases{
      {10, 2, 3, 6},       {0, 2, 3, 6, 7, 10}, {2, 3, 4, 6, 10, 11},
      {1, 2, 3, 6, 8, 10}, {2, 3, 5, 6, 9, 10}, {0, 1, 2, 3, 6, 10},
      {2, 3, 6, 7, 8, 10}, {2, 3, 4, 5, 6, 10}, {2, 3, 6, 9, 10, 11}};
  // Road-link order as (approach heading, turn): turn 0 left, 1 straight, 2 right. Approach
  // heading is the direction of travel of the incoming road: from W = 0 (eastbound), from S = 1,
  // from E = 2, from N = 3.
  static const std::array<std::array<int, 2>, 12> kLinks{{{0, 1},
                                                          {0, 0},
                                                          {0, 2},
                                                          {1, 2},
                                                          {1, 1},
                                                          {1, 0},
                                                          {2, 2},
                                                          {2, 1},
                                                          {2, 0},
                                                          {3, 0},
                                                          {3, 2},
                                                          {3, 1}}};
  static const std::array<const char*, 3> kTurnType{"turn_left", "go_straight", "turn_right"};

  json inters = json::array();
  for (int x = 0; x <= s.cols + 1; ++x) {
    for (int y = 0; y <= s.rows + 1; ++y) {
      if (!g.exists(x, y)) continue;
      const bool virt = g.is_virtual(x, y);
      json road_ids = json::array();
      // Incoming from W, S, E, N, then outgoing east, north, west, south.
      for (int h = 0; h < 4; ++h) {
        int sx = x - kDx[h], sy = y - kDy[h];
        if (g.exists(sx, sy) && g.road(sx, sy, h)) road_ids.push_back(road_id(sx, sy, h));
      }
      for (int d = 0; d < 4; ++d) {
        if (g.road(x, y, d)) road_ids.push_back(road_id(x, y, d));
      }
      json links = json::array();
      json phases = json::array();
      json indices = json::array();
      if (virt) {
        for (int p = 0; p < 9; ++p) {
          phases.push_back({{"time", p == 0 ? 5 : 30}, {"availableRoadLinks", json::array()}});
        }
      } else {
        const double cx = px(x), cy = py(y), w = s.intersection_width, lw = s.lane_width;
        for (int k = 0; k < 12; ++k) {
          const int h = kLinks[k][0], turn = kLinks[k][1];
          const int out = turn == 0 ? (h + 1) % 4 : turn == 1 ? h : (h + 3) % 4;
          // Lane i lies (i + 0.5) lane widths right of the centre line; right of (dx, dy) is
          // (dy, -dx).
          const int in_lane = turn;  // 0 left, 1 straight, 2 right
          const double off_in = (in_lane + 0.5) * lw;
          const double ax = cx - kDx[h] * w + kDy[h] * off_in;
          const double ay = cy - kDy[h] * w - kDx[h] * off_in;
          json lane_links = json::array();
          for (int j = 0; j < s.lanes; ++j) {
            const double off_out = (j + 0.5) * lw;
            const double bx = cx + kDx[out] * w + kDy[out] * off_out;
            const double by = cy + kDy[out] * w - kDx[out] * off_out;
            lane_links.push_back({{"startLaneIndex", in_lane},
                                  {"endLaneIndex", j},
                                  {"points", curve(ax, ay, h, bx, by, out)}});
          }
          links.push_back({{"type", kTurnType[turn]},
                           {"startRoad", road_id(x - kDx[h], y - kDy[h], h)},
                           {"endRoad", road_id(x, y, out)},
                           {"direction", out},
                           {"laneLinks", std::move(lane_links)}});
          indices.push_back(k);
        }
        for (std::size_t p = 0; p < kPhases.size(); ++p) {
          phases.push_back({{"time", p == 0 ? 5 : 30}, {"availableRoadLinks", kPhases[p]}});
        }
      }
      inters.push_back(
          {{"id", inter_id(x, y)},
           {"point", point(px(x), py(y))},
           {"width", virt ? 0.0 : s.intersection_width},
           {"roads", std::move(road_ids)},
           {"roadLinks", std::move(links)},
           {"trafficLight",
            {{"roadLinkIndices", std::move(indices)}, {"lightphases", std::move(phases)}}},
           {"virtual", virt}});
    }
  }
  json net{{"intersections", std::move(inters)}, {"roads", std::move(roads)}};
  return net.dump();
}

std::string build_flow(const GridSpec& s, std::size_t& count) {
  const Grid g{s.rows, s.cols};
  // Entry roads: from the virtual ring into the grid, as (x, y, heading).
  std::vector<std::array<int, 3>> entries;
  for (int y = 1; y <= s.rows; ++y) entries.push_back({0, y, 0});
  for (int x = 1; x <= s.cols; ++x) entries.push_back({x, 0, 1});
  for (int y = 1; y <= s.rows; ++y) entries.push_back({s.cols + 1, y, 2});
  for (int x = 1; x <= s.cols; ++x) entries.push_back({x, s.rows + 1, 3});

  const int seconds = static_cast<int>(std::ceil(s.duration));
  std::vector<double> shape(static_cast<std::size_t>(seconds), 1.0);
  if (s.profile == "peak") {
    double sum = 0;
    for (int t = 0; t < seconds; ++t) sum += shape[t] = peak_shape((t + 0.5) / seconds);
    for (double& v : shape) v *= seconds / sum;
  }
  const double total = s.left + s.straight + s.right;
  const double p_left = s.left / total, p_straight = (s.left + s.straight) / total;
  // A route turns freely for this many roads, then heads straight out of the grid.
  const int free_roads = s.rows + s.cols;

  json vehicle{
      {"length", 5.0},      {"width", 2.0},       {"maxPosAcc", 2.0}, {"maxNegAcc", 4.5},
      {"usualPosAcc", 2.0}, {"usualNegAcc", 4.5}, {"minGap", 2.5},    {"maxSpeed", s.max_speed},
      {"headwayTime", 2}};
  json flows = json::array();
  std::uint64_t n = 0;
  for (int t = 0; t < seconds; ++t) {
    const double p = std::min(1.0, s.volume * shape[t] / 3600.0);
    for (std::size_t e = 0; e < entries.size(); ++e) {
      if (unit(random_u64(s.seed, e, static_cast<std::uint64_t>(t))) >= p) continue;
      auto [x, y, h] = entries[e];
      json route = json::array({road_id(x, y, h)});
      x += kDx[h];
      y += kDy[h];
      std::uint64_t draw = 0;
      while (!g.is_virtual(x, y)) {
        int out = h;
        if (static_cast<int>(route.size()) < free_roads) {
          double u = unit(random_u64(s.seed, (1ULL << 40) + n, draw++));
          out = u < p_left ? (h + 1) % 4 : u < p_straight ? h : (h + 3) % 4;
        }
        route.push_back(road_id(x, y, out));
        h = out;
        x += kDx[h];
        y += kDy[h];
      }
      flows.push_back({{"vehicle", vehicle},
                       {"route", std::move(route)},
                       {"interval", 1.0},
                       {"startTime", t},
                       {"endTime", t}});
      ++n;
    }
  }
  count = static_cast<std::size_t>(n);
  return flows.dump();
}

}  // namespace

void validate(const GridSpec& s) {
  if (s.rows < 1 || s.rows > 200) fail("--rows", "an integer in 1..200", s.rows);
  if (s.cols < 1 || s.cols > 200) fail("--cols", "an integer in 1..200", s.cols);
  if (!(s.road_length_x >= 50 && s.road_length_x <= 10000)) {
    fail("--road-length", "metres in 50..10000", s.road_length_x);
  }
  if (!(s.road_length_y >= 50 && s.road_length_y <= 10000)) {
    fail("--road-length", "metres in 50..10000", s.road_length_y);
  }
  if (s.lanes != 3) fail("lanes", "3 (the benchmark layout: left, straight, right)", s.lanes);
  if (!(s.lane_width >= 2 && s.lane_width <= 6)) fail("lane_width", "metres in 2..6", s.lane_width);
  if (!(s.max_speed > 0 && s.max_speed <= 50)) fail("max_speed", "m/s in (0, 50]", s.max_speed);
  if (!(s.intersection_width >= 3 * s.lane_width && 2 * s.intersection_width < s.road_length_x &&
        2 * s.intersection_width < s.road_length_y)) {
    fail("intersection_width", "at least 3 lane widths and under half a road length",
         s.intersection_width);
  }
  if (!(s.volume > 0 && s.volume <= 3600)) fail("--volume", "vehicles/hour in (0, 3600]", s.volume);
  if (s.profile != "flat" && s.profile != "peak") {
    throw Error(ErrorCode::kInvalidArgument, "--profile",
                "expected flat or peak, found '" + s.profile + "'");
  }
  if (!(s.duration >= 1 && s.duration <= 86400)) {
    fail("--duration", "seconds in 1..86400", s.duration);
  }
  if (!(s.left >= 0 && s.left <= 1)) fail("--left", "a share in 0..1", s.left);
  if (!(s.straight >= 0 && s.straight <= 1)) fail("--straight", "a share in 0..1", s.straight);
  if (!(s.right >= 0 && s.right <= 1)) fail("--right", "a share in 0..1", s.right);
  if (!(s.left + s.straight + s.right > 0)) {
    fail("--left/--straight/--right", "shares with a positive sum", 0);
  }
}

GeneratedCity generate_grid(const GridSpec& spec) {
  validate(spec);
  GeneratedCity city;
  city.roadnet_json = build_roadnet(spec);
  city.flow_json = build_flow(spec, city.vehicles);
  return city;
}

GridSpec default_city_spec() {
  GridSpec s;
  s.rows = 6;
  s.cols = 6;
  s.road_length_x = 300;
  s.road_length_y = 300;
  s.profile = "peak";
  s.duration = 3600;
  s.seed = 1;
  return s;
}

}  // namespace citybrain::demand
