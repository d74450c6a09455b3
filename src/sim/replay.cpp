#include "citybrain/sim/replay.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "citybrain/core/error.hpp"

namespace citybrain::sim {

namespace {

// The intersection's outline: the convex hull of its centre and the corners of its road ends.
std::vector<Point> outline(const net::Network& net, const net::Intersection& inter) {
  std::vector<Point> pts{inter.point};
  for (std::uint32_t k = inter.roads.begin; k < inter.roads.end; ++k) {
    const net::Road& road = net.roads[net.intersection_roads[k].index()];
    Point dir =
        (net.intersections[road.to.index()].point - net.intersections[road.from.index()].point);
    if (dir.length() == 0) continue;
    dir = dir.unit();
    Point side = dir.normal();
    if (&net.intersections[road.from.index()] == &inter) dir = -dir;
    double road_width = 0;
    for (std::uint32_t l = 0; l < road.lane_count; ++l)
      road_width += net.lanes[road.first_lane.index() + l].width;
    double delta = std::max(0.5 * std::min(inter.width, road_width), 5.0);
    Point a = inter.point - dir * inter.width;
    Point b = a - side * road_width;
    pts.push_back(a);
    pts.push_back(b);
    pts.push_back(a - dir * delta);
    pts.push_back(b - dir * delta);
  }
  std::sort(pts.begin(), pts.end(),
            [](Point a, Point b) { return a.x < b.x || (a.x == b.x && a.y < b.y); });
  pts.erase(std::unique(pts.begin(), pts.end()), pts.end());
  if (pts.size() < 3) return pts;
  std::vector<Point> hull(2 * pts.size());
  std::size_t k = 0;
  for (std::size_t i = 0; i < pts.size(); ++i) {
    while (k >= 2 && cross(hull[k - 1] - hull[k - 2], pts[i] - hull[k - 2]) <= 0) --k;
    hull[k++] = pts[i];
  }
  for (std::size_t i = pts.size() - 1, t = k + 1; i > 0; --i) {
    while (k >= t && cross(hull[k - 1] - hull[k - 2], pts[i - 1] - hull[k - 2]) <= 0) --k;
    hull[k++] = pts[i - 1];
  }
  hull.resize(k - 1);
  return hull;
}

void append(std::string& out, double value) {
  char buf[32];
  double rounded = std::round(value * 100) / 100;
  auto res = std::to_chars(buf, buf + sizeof buf, rounded);
  out.append(buf, res.ptr);
}

}  // namespace

ReplayWriter::ReplayWriter(const Engine& engine, const std::string& roadnet_log,
                           const std::string& replay_log) {
  const net::Network& net = engine.network();
  nlohmann::json nodes = nlohmann::json::array();
  for (const auto& inter : net.intersections) {
    nlohmann::json node{
        {"id", inter.id}, {"point", {inter.point.x, inter.point.y}}, {"virtual", inter.is_virtual}};
    if (!inter.is_virtual) node["width"] = inter.width;
    nlohmann::json out = nlohmann::json::array();
    for (Point p : outline(net, inter)) {
      out.push_back(p.x);
      out.push_back(p.y);
    }
    node["outline"] = out;
    nodes.push_back(node);
  }
  nlohmann::json edges = nlohmann::json::array();
  for (std::size_t r = 0; r < net.roads.size(); ++r) {
    const net::Road& road = net.roads[r];
    nlohmann::json pts = nlohmann::json::array();
    for (Point p : net.road_points(RoadId(r))) pts.push_back({p.x, p.y});
    nlohmann::json widths = nlohmann::json::array();
    for (std::uint32_t l = 0; l < road.lane_count; ++l)
      widths.push_back(net.lanes[road.first_lane.index() + l].width);
    edges.push_back({{"id", road.id},
                     {"from", net.intersections[road.from.index()].id},
                     {"to", net.intersections[road.to.index()].id},
                     {"points", pts},
                     {"nLane", road.lane_count},
                     {"laneWidths", widths}});
  }
  nlohmann::json root{{"static", {{"nodes", nodes}, {"edges", edges}}}};
  std::ofstream roadnet(roadnet_log);
  if (!roadnet) throw Error(ErrorCode::kIo, roadnet_log, "cannot write the replay roadnet log");
  roadnet << root.dump();
  m_out.open(replay_log);
  if (!m_out) throw Error(ErrorCode::kIo, replay_log, "cannot write the replay log");
}

void ReplayWriter::write_step(const Engine& engine) {
  const net::Network& net = engine.network();
  const std::size_t n_lanes = net.lanes.size();
  std::string& line = m_line;
  line.clear();
  for (DrivableId d = 0; d < n_lanes + net.lanelinks.size(); ++d) {
    auto points =
        d < n_lanes ? net.lane_points(LaneId(d)) : net.lanelink_points(LaneLinkId(d - n_lanes));
    for (Slot v : engine.drivable_vehicles(d)) {
      if (engine.vehicle_is_shadow(v)) continue;
      double dis = engine.vehicle_distance(v);
      Point pos = point_at(points, dis);
      double offset = engine.vehicle_offset(v);
      if (d < n_lanes && std::fabs(offset) > 1e-8) {
        const net::Lane& lane = net.lanes[d];
        std::uint32_t other = offset > 0 ? d + 1 : d - 1;
        Point next = point_at(net.lane_points(LaneId(other)), dis);
        double share = std::fabs(offset) * 2 / (lane.width + net.lanes[other].width);
        pos = next * share + pos * (1 - share);
      }
      Point dir = direction_at(points, dis);
      const auto& type = engine.vehicle_type(v);
      append(line, pos.x);
      line += ' ';
      append(line, pos.y);
      line += ' ';
      append(line, std::atan2(dir.y, dir.x));
      line += ' ';
      line += engine.vehicle_name(v);
      line += ' ';
      line += std::to_string(engine.vehicle_lane_change_direction(v));
      line += ' ';
      append(line, type.length);
      line += ' ';
      append(line, type.width);
      line += ',';
    }
  }
  line += ';';
  for (std::size_t r = 0; r < net.roads.size(); ++r) {
    const net::Road& road = net.roads[r];
    const net::Intersection& end = net.intersections[road.to.index()];
    if (end.is_virtual) continue;
    line += road.id;
    for (std::uint32_t l = 0; l < road.lane_count; ++l) {
      LaneId lane(road.first_lane.value + l);
      if (end.phases.size() <= 1) {
        line += " i";
        continue;
      }
      bool go = true;
      std::uint32_t phase = end.phases.begin + engine.phase(road.to);
      for (LaneLinkId k : net.lane_links(lane)) {
        const net::RoadLink& rl = net.roadlinks[net.lanelinks[k.index()].roadlink.index()];
        if (!net.phase_allows(phase, rl.index)) {
          go = false;
          break;
        }
      }
      line += go ? " g" : " r";
    }
    line += ',';
  }
  line += '\n';
  m_out << line;
}

}  // namespace citybrain::sim
