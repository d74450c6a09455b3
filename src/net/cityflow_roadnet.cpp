#include "citybrain/net/cityflow_roadnet.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <unordered_map>

#include "citybrain/core/error.hpp"
#include "citybrain/core/json.hpp"

namespace citybrain::net {

namespace {

// CityFlow's tolerant sign: |x| < 1e-8 counts as zero.
int sign(double x) {
  constexpr double kEps = 1e-8;
  return (x + kEps > 0) - (x < kEps);
}

Point intersect(Point a, Point b, Point c, Point d) {
  Point u = b - a;
  Point v = d - c;
  return a + u * (cross(c - a, v) / cross(u, v));
}

bool on_segment(Point a, Point b, Point p) {
  return sign(cross(b - a, p - a)) == 0 && sign(dot(p - a, p - b)) <= 0;
}

Point read_point(const JsonNode& node) {
  return {node.get_double("x"), node.get_double("y")};
}

double positive(const JsonNode& node, const char* what) {
  double value = node.as_double();
  if (!(value > 0))
    node.fail(std::string("expected a positive ") + what + ", found " + std::to_string(value));
  return value;
}

// Lane centre-lines: the road's polyline, trimmed by the width of non-virtual end intersections
// and offset to the right by the lanes' cumulative widths (CityFlow's layout).
void lay_out_lanes(Network& net, RoadId road_id) {
  const Road& road = net.roads[road_id.index()];
  std::vector<Point> pts(net.road_points(road_id).begin(), net.road_points(road_id).end());
  const Intersection& from = net.intersections[road.from.index()];
  const Intersection& to = net.intersections[road.to.index()];
  if (!from.is_virtual) pts.front() = pts[0] + (pts[1] - pts[0]).unit() * from.width;
  if (!to.is_virtual) {
    std::size_t n = pts.size();
    pts.back() = pts[n - 1] - (pts[n - 1] - pts[n - 2]).unit() * to.width;
  }
  double dsum = 0;
  for (std::uint32_t i = 0; i < road.lane_count; ++i) {
    Lane& lane = net.lanes[road.first_lane.index() + i];
    double offset = dsum + lane.width / 2.0;
    lane.points.begin = static_cast<std::uint32_t>(net.points.size());
    for (std::size_t j = 0; j < pts.size(); ++j) {
      Point u;
      if (j == 0) {
        u = (pts[1] - pts[0]).unit();
      } else if (j + 1 == pts.size()) {
        u = (pts[j] - pts[j - 1]).unit();
      } else {
        u = ((pts[j + 1] - pts[j]).unit() + (pts[j] - pts[j - 1]).unit()).unit();
      }
      net.points.push_back(pts[j] + (-u.normal()) * offset);
    }
    lane.points.end = static_cast<std::uint32_t>(net.points.size());
    lane.length = polyline_length(net.lane_points(LaneId(road.first_lane.value + i)));
    dsum += lane.width;
  }
}

// A lane link without points in the file gets CityFlow's cubic Bezier between the lane ends.
void default_lanelink_points(Network& net, const LaneLink& link, double width,
                             std::vector<Point>& out) {
  auto from = net.lane_points(link.from);
  auto to = net.lane_points(link.to);
  // Lanes are already trimmed by the intersection width, so their ends are the link's ends.
  double from_len = net.lanes[link.from.index()].length;
  Point start = point_at(from, from_len);
  Point end = point_at(to, 0.0);
  double len = (end - start).length();
  Point start_dir = direction_at(from, from_len);
  Point end_dir = direction_at(to, 0.0);
  Point gap1 = start_dir * (len * 0.5);
  Point gap2 = -end_dir * (len * 0.5);
  constexpr double kMinGap = 5;
  if (dot(gap1, gap1) < 25 && width >= 5) gap1 = start_dir * kMinGap;
  if (dot(gap2, gap2) < 25 && width >= 5) gap2 = end_dir * kMinGap;
  Point mid1 = start + gap1;
  Point mid2 = end + gap2;
  auto lerp = [](Point a, Point b, double t) { return a + (b - a) * t; };
  constexpr int kSegments = 10;
  for (int i = 0; i <= kSegments; ++i) {
    double t = i / double(kSegments);
    Point p1 = lerp(start, mid1, t), p2 = lerp(mid1, mid2, t), p3 = lerp(mid2, end, t);
    out.push_back(lerp(lerp(p1, p2, t), lerp(p2, p3, t), t));
  }
}

struct Box {
  double x0, y0, x1, y1;
  bool overlaps(const Box& o) const {
    constexpr double kMargin = 1e-6;
    return x0 <= o.x1 + kMargin && o.x0 <= x1 + kMargin && y0 <= o.y1 + kMargin &&
           o.y0 <= y1 + kMargin;
  }
};

Box box_of(Point a, Point b) {
  return {std::min(a.x, b.x), std::min(a.y, b.y), std::max(a.x, b.x), std::max(a.y, b.y)};
}

// Crossing points between every pair of this intersection's lane links: the first intersection of
// their polylines, as CityFlow finds them. Bounding boxes only skip pairs that cannot meet.
void find_crosses(Network& net, Intersection& inter) {
  inter.crosses.begin = static_cast<std::uint32_t>(net.crosses.size());
  std::vector<Box> link_boxes;
  for (std::uint32_t i = inter.lanelinks.begin; i < inter.lanelinks.end; ++i) {
    auto pts = net.lanelink_points(LaneLinkId(i));
    Box b = box_of(pts[0], pts[0]);
    for (Point p : pts)
      b = {std::min(b.x0, p.x), std::min(b.y0, p.y), std::max(b.x1, p.x), std::max(b.y1, p.y)};
    link_boxes.push_back(b);
  }
  for (std::uint32_t i = inter.lanelinks.begin; i < inter.lanelinks.end; ++i) {
    auto va = net.lanelink_points(LaneLinkId(i));
    for (std::uint32_t j = i + 1; j < inter.lanelinks.end; ++j) {
      if (!link_boxes[i - inter.lanelinks.begin].overlaps(link_boxes[j - inter.lanelinks.begin]))
        continue;
      auto vb = net.lanelink_points(LaneLinkId(j));
      double disa = 0;
      bool found = false;
      for (std::size_t ia = 0; ia + 1 < va.size() && !found; ++ia) {
        Point a1 = va[ia], a2 = va[ia + 1];
        Box ba = box_of(a1, a2);
        double disb = 0;
        for (std::size_t ib = 0; ib + 1 < vb.size(); ++ib) {
          Point b1 = vb[ib], b2 = vb[ib + 1];
          if (ba.overlaps(box_of(b1, b2)) && sign(cross(a2 - a1, b2 - b1)) != 0) {
            Point p = intersect(a1, a2, b1, b2);
            if (on_segment(a1, a2, p) && on_segment(b1, b2, p)) {
              Cross c;
              c.links[0] = LaneLinkId(i);
              c.links[1] = LaneLinkId(j);
              c.distance[0] = disa + (p - a1).length();
              c.distance[1] = disb + (p - b1).length();
              net.crosses.push_back(c);
              found = true;
              break;
            }
          }
          disb += (b2 - b1).length();
        }
        disa += (a2 - a1).length();
      }
    }
  }
  inter.crosses.end = static_cast<std::uint32_t>(net.crosses.size());
}

void index_link_crosses(Network& net) {
  std::vector<std::vector<LinkCross>> per_link(net.lanelinks.size());
  for (std::uint32_t c = 0; c < net.crosses.size(); ++c) {
    const Cross& cr = net.crosses[c];
    for (std::uint8_t side = 0; side < 2; ++side) {
      per_link[cr.links[side].index()].push_back({CrossId(c), side, cr.distance[side]});
    }
  }
  for (std::size_t k = 0; k < per_link.size(); ++k) {
    auto& list = per_link[k];
    std::stable_sort(list.begin(), list.end(), [](const LinkCross& a, const LinkCross& b) {
      return a.distance < b.distance;
    });
    net.lanelinks[k].crosses.begin = static_cast<std::uint32_t>(net.link_crosses.size());
    net.link_crosses.insert(net.link_crosses.end(), list.begin(), list.end());
    net.lanelinks[k].crosses.end = static_cast<std::uint32_t>(net.link_crosses.size());
  }
}

// Road links' stated right of way ("foes" and "yieldTo": indices into the intersection's
// roadLinks), per road link id; empty when the file states none.
struct RightOfWay {
  bool stated = false;
  std::vector<std::uint32_t> foes, yield_to;
};

bool contains(const std::vector<std::uint32_t>& v, std::uint32_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// Keeps the crossings between links that the file says conflict, and records who yields there.
void apply_right_of_way(Network& net, Intersection& inter, const std::vector<RightOfWay>& row) {
  std::uint32_t kept = inter.crosses.begin;
  for (std::uint32_t c = inter.crosses.begin; c < inter.crosses.end; ++c) {
    Cross cross = net.crosses[c];
    const RoadLink& a = net.roadlinks[net.lanelinks[cross.links[0].index()].roadlink.index()];
    const RoadLink& b = net.roadlinks[net.lanelinks[cross.links[1].index()].roadlink.index()];
    const RightOfWay& ra = row[net.lanelinks[cross.links[0].index()].roadlink.index()];
    const RightOfWay& rb = row[net.lanelinks[cross.links[1].index()].roadlink.index()];
    if (ra.stated && rb.stated && &a != &b) {
      bool foes = contains(ra.foes, b.index) || contains(rb.foes, a.index);
      if (!foes) continue;
      bool a_yields = contains(ra.yield_to, b.index);
      bool b_yields = contains(rb.yield_to, a.index);
      cross.yielder = a_yields == b_yields ? 0 : a_yields ? 1 : 2;
    }
    net.crosses[kept++] = cross;
  }
  net.crosses.resize(kept);
  inter.crosses.end = kept;
}

Network build(const JsonNode& root) {
  Network net;
  if (!root.is_object()) root.fail("expected an object with \"intersections\" and \"roads\"");
  if (auto ext = root.find("citybrain")) {
    if (!ext->is_object()) ext->fail("expected an object of citybrain options");
    net.options.keep_clear = ext->get_bool("keepClear", false);
    net.options.lane_balance = ext->get_bool("laneBalance", false);
    net.options.route_trips = ext->get_bool("routeTrips", false);
  }
  std::vector<RightOfWay> row;
  std::unordered_map<std::string, std::uint32_t> group_first;
  const std::vector<JsonNode> inters = root.at("intersections").items();
  const std::vector<JsonNode> roads = root.at("roads").items();
  const std::size_t n_inter = inters.size();
  const std::size_t n_roads = roads.size();

  net.intersections.resize(n_inter);
  for (std::size_t i = 0; i < n_inter; ++i) {
    JsonNode node = inters[i];
    JsonNode id_node = node.at("id");
    std::string id(id_node.as_string());
    if (!net.intersection_index.emplace(id, IntersectionId(i)).second) {
      id_node.fail("duplicate intersection id \"" + id + "\"");
    }
    net.intersections[i].id = std::move(id);
  }
  net.roads.resize(n_roads);
  for (std::size_t r = 0; r < n_roads; ++r) {
    JsonNode node = roads[r];
    JsonNode id_node = node.at("id");
    std::string id(id_node.as_string());
    if (!net.road_index.emplace(id, RoadId(r)).second) {
      id_node.fail("duplicate road id \"" + id + "\"");
    }
    net.roads[r].id = std::move(id);
  }

  auto intersection_ref = [&](const JsonNode& node) {
    std::string id(node.as_string());
    IntersectionId found = net.find_intersection(id);
    if (!found)
      node.fail("unknown intersection \"" + id + "\" (expected an id from /intersections)");
    return found;
  };
  auto road_ref = [&](const JsonNode& node) {
    std::string id(node.as_string());
    RoadId found = net.find_road(id);
    if (!found) node.fail("unknown road \"" + id + "\" (expected an id from /roads)");
    return found;
  };

  // Roads and their lanes.
  for (std::size_t r = 0; r < n_roads; ++r) {
    JsonNode node = roads[r];
    Road& road = net.roads[r];
    road.from = intersection_ref(node.at("startIntersection"));
    road.to = intersection_ref(node.at("endIntersection"));
    JsonNode pts = node.at("points");
    if (pts.size() < 2) pts.fail("expected at least 2 points");
    road.points.begin = static_cast<std::uint32_t>(net.points.size());
    for (std::size_t p = 0; p < pts.size(); ++p) net.points.push_back(read_point(pts[p]));
    road.points.end = static_cast<std::uint32_t>(net.points.size());
    for (std::size_t p = road.points.begin + 1; p < road.points.end; ++p) {
      if (net.points[p] == net.points[p - 1]) {
        pts[p - road.points.begin].fail("repeated point (expected distinct consecutive points)");
      }
    }
    JsonNode lanes = node.at("lanes");
    if (lanes.size() == 0) lanes.fail("expected at least one lane");
    road.first_lane = LaneId(net.lanes.size());
    road.lane_count = static_cast<std::uint32_t>(lanes.size());
    for (std::size_t l = 0; l < lanes.size(); ++l) {
      JsonNode lane_node = lanes[l];
      Lane lane;
      lane.road = RoadId(r);
      lane.index = static_cast<std::uint32_t>(l);
      lane.width = positive(lane_node.at("width"), "lane width");
      lane.max_speed = positive(lane_node.at("maxSpeed"), "maxSpeed");
      net.lanes.push_back(lane);
    }
  }

  // Intersections: roads, widths, road links, lane links and phases.
  std::vector<std::vector<LaneLinkId>> lane_out(net.lanes.size());
  std::vector<Point> link_points;
  std::vector<JsonNode> link_point_nodes;
  for (std::size_t i = 0; i < n_inter; ++i) {
    JsonNode node = inters[i];
    Intersection& inter = net.intersections[i];
    inter.point = read_point(node.at("point"));
    inter.is_virtual = node.get_bool("virtual");
    inter.signal_group = static_cast<std::uint32_t>(i);
    JsonNode rnodes = node.at("roads");
    inter.roads.begin = static_cast<std::uint32_t>(net.intersection_roads.size());
    for (std::size_t k = 0; k < rnodes.size(); ++k) {
      net.intersection_roads.push_back(road_ref(rnodes[k]));
    }
    inter.roads.end = static_cast<std::uint32_t>(net.intersection_roads.size());
    inter.roadlinks = {static_cast<std::uint32_t>(net.roadlinks.size()),
                       static_cast<std::uint32_t>(net.roadlinks.size())};
    inter.lanelinks = {static_cast<std::uint32_t>(net.lanelinks.size()),
                       static_cast<std::uint32_t>(net.lanelinks.size())};
    inter.phases = {static_cast<std::uint32_t>(net.phases.size()),
                    static_cast<std::uint32_t>(net.phases.size())};
    if (inter.is_virtual) continue;

    JsonNode width = node.at("width");
    inter.width = width.as_double();
    if (!(inter.width >= 0)) width.fail("expected a non-negative width");

    JsonNode rls = node.at("roadLinks");
    for (std::size_t k = 0; k < rls.size(); ++k) {
      JsonNode rl_node = rls[k];
      RoadLink rl;
      rl.intersection = IntersectionId(i);
      rl.index = static_cast<std::uint32_t>(k);
      JsonNode type = rl_node.at("type");
      std::string_view t = type.as_string();
      if (t == "go_straight") {
        rl.type = TurnType::kStraight;
      } else if (t == "turn_left") {
        rl.type = TurnType::kLeft;
      } else if (t == "turn_right") {
        rl.type = TurnType::kRight;
      } else {
        type.fail("unknown road link type \"" + std::string(t) +
                  "\" (expected go_straight, turn_left or turn_right)");
      }
      JsonNode start_node = rl_node.at("startRoad");
      JsonNode end_node = rl_node.at("endRoad");
      rl.from = road_ref(start_node);
      rl.to = road_ref(end_node);
      if (net.roads[rl.from.index()].to != IntersectionId(i)) {
        start_node.fail("road \"" + net.roads[rl.from.index()].id + "\" does not end at \"" +
                        inter.id + "\" (expected a road entering this intersection)");
      }
      if (net.roads[rl.to.index()].from != IntersectionId(i)) {
        end_node.fail("road \"" + net.roads[rl.to.index()].id + "\" does not start at \"" +
                      inter.id + "\" (expected a road leaving this intersection)");
      }
      const Road& from_road = net.roads[rl.from.index()];
      const Road& to_road = net.roads[rl.to.index()];
      JsonNode lls = rl_node.at("laneLinks");
      rl.lanelinks.begin = static_cast<std::uint32_t>(net.lanelinks.size());
      for (std::size_t m = 0; m < lls.size(); ++m) {
        JsonNode ll_node = lls[m];
        JsonNode s = ll_node.at("startLaneIndex");
        JsonNode e = ll_node.at("endLaneIndex");
        std::int64_t si = s.as_int();
        std::int64_t ei = e.as_int();
        if (si < 0 || si >= from_road.lane_count) {
          s.fail("lane index " + std::to_string(si) + " does not exist on road \"" + from_road.id +
                 "\" (expected 0.." + std::to_string(from_road.lane_count - 1) + ")");
        }
        if (ei < 0 || ei >= to_road.lane_count) {
          e.fail("lane index " + std::to_string(ei) + " does not exist on road \"" + to_road.id +
                 "\" (expected 0.." + std::to_string(to_road.lane_count - 1) + ")");
        }
        LaneLink link;
        link.roadlink = RoadLinkId(net.roadlinks.size());
        link.from = LaneId(from_road.first_lane.value + static_cast<std::uint32_t>(si));
        link.to = LaneId(to_road.first_lane.value + static_cast<std::uint32_t>(ei));
        lane_out[link.from.index()].push_back(LaneLinkId(net.lanelinks.size()));
        net.lanelinks.push_back(link);
        link_point_nodes.push_back(ll_node);
      }
      rl.lanelinks.end = static_cast<std::uint32_t>(net.lanelinks.size());
      RightOfWay rw;
      for (const char* key : {"foes", "yieldTo"}) {
        auto list = rl_node.find(key);
        if (!list) continue;
        rw.stated = true;
        for (std::size_t m = 0; m < list->size(); ++m) {
          JsonNode idx = (*list)[m];
          std::int64_t v = idx.as_int();
          if (v < 0 || v >= static_cast<std::int64_t>(rls.size())) {
            idx.fail("road link index " + std::to_string(v) + " does not exist (expected 0.." +
                     std::to_string(static_cast<std::int64_t>(rls.size()) - 1) + ")");
          }
          (key[0] == 'f' ? rw.foes : rw.yield_to).push_back(static_cast<std::uint32_t>(v));
        }
      }
      row.push_back(std::move(rw));
      net.roadlinks.push_back(rl);
    }
    inter.roadlinks.end = static_cast<std::uint32_t>(net.roadlinks.size());
    inter.lanelinks.end = static_cast<std::uint32_t>(net.lanelinks.size());

    JsonNode light = node.at("trafficLight");
    inter.actuated = light.get_bool("actuated", false);
    if (auto group = light.find("group")) {
      auto [it, fresh] =
          group_first.emplace(std::string(group->as_string()), static_cast<std::uint32_t>(i));
      inter.signal_group = it->second;
      (void)fresh;
    }
    JsonNode phases = light.at("lightphases");
    const std::uint32_t n_links = inter.roadlinks.size();
    if (phases.size() == 0 && n_links > 0) {
      phases.fail("expected at least one light phase for an intersection with road links");
    }
    for (std::size_t p = 0; p < phases.size(); ++p) {
      JsonNode ph = phases[p];
      Phase phase;
      JsonNode time = ph.at("time");
      phase.time = time.as_double();
      if (!(phase.time >= 0)) time.fail("expected a non-negative phase time");
      phase.min_time = ph.get_double("minTime", phase.time);
      phase.max_time = ph.get_double("maxTime", phase.time);
      if (!(phase.min_time >= 0 && phase.min_time <= phase.max_time)) {
        ph.fail("expected 0 <= minTime <= maxTime, found " + std::to_string(phase.min_time) +
                " and " + std::to_string(phase.max_time));
      }
      phase.available = static_cast<std::uint32_t>(net.phase_available.size());
      net.phase_available.resize(net.phase_available.size() + n_links, 0);
      JsonNode avail = ph.at("availableRoadLinks");
      for (std::size_t a = 0; a < avail.size(); ++a) {
        JsonNode idx = avail[a];
        std::int64_t v = idx.as_int();
        if (v < 0 || v >= n_links) {
          idx.fail("road link index " + std::to_string(v) + " does not exist (expected 0.." +
                   std::to_string(static_cast<std::int64_t>(n_links) - 1) + ")");
        }
        net.phase_available[phase.available + static_cast<std::uint32_t>(v)] =
            Network::kLinkAvailable;
      }
      std::uint8_t* flags = net.phase_available.data() + phase.available;
      if (auto act = ph.find("actuatingRoadLinks")) {
        for (std::size_t a = 0; a < act->size(); ++a) {
          JsonNode idx = (*act)[a];
          std::int64_t v = idx.as_int();
          if (v < 0 || v >= n_links || !(flags[v] & Network::kLinkAvailable)) {
            idx.fail("road link index " + std::to_string(v) +
                     " is not in this phase's availableRoadLinks");
          }
          flags[v] |= Network::kLinkActuating;
        }
      } else {
        for (std::uint32_t k = 0; k < n_links; ++k) {
          if (flags[k] & Network::kLinkAvailable) flags[k] |= Network::kLinkActuating;
        }
      }
      net.phases.push_back(phase);
    }
    inter.phases.end = static_cast<std::uint32_t>(net.phases.size());
  }

  for (std::size_t r = 0; r < n_roads; ++r) lay_out_lanes(net, RoadId(r));

  // Outgoing lane links per lane, in file order.
  for (std::size_t l = 0; l < net.lanes.size(); ++l) {
    net.lanes[l].links.begin = static_cast<std::uint32_t>(net.lane_out_links.size());
    net.lane_out_links.insert(net.lane_out_links.end(), lane_out[l].begin(), lane_out[l].end());
    net.lanes[l].links.end = static_cast<std::uint32_t>(net.lane_out_links.size());
  }

  // Lane link shapes: from the file, or CityFlow's default curve.
  for (std::size_t k = 0; k < net.lanelinks.size(); ++k) {
    LaneLink& link = net.lanelinks[k];
    link_points.clear();
    const JsonNode& ll_node = link_point_nodes[k];
    auto pts = ll_node.find("points");
    if (pts && !pts->is_null() && pts->size() > 0) {
      if (pts->size() < 2) pts->fail("expected at least 2 points");
      for (std::size_t p = 0; p < pts->size(); ++p) link_points.push_back(read_point((*pts)[p]));
    } else {
      const Intersection& inter =
          net.intersections[net.roadlinks[link.roadlink.index()].intersection.index()];
      default_lanelink_points(net, link, inter.width, link_points);
    }
    link.points.begin = static_cast<std::uint32_t>(net.points.size());
    net.points.insert(net.points.end(), link_points.begin(), link_points.end());
    link.points.end = static_cast<std::uint32_t>(net.points.size());
    link.length = polyline_length(net.lanelink_points(LaneLinkId(k)));
  }

  for (auto& inter : net.intersections) {
    if (inter.is_virtual) {
      inter.crosses = {static_cast<std::uint32_t>(net.crosses.size()),
                       static_cast<std::uint32_t>(net.crosses.size())};
    } else {
      find_crosses(net, inter);
      bool stated = false;
      for (std::uint32_t k = inter.roadlinks.begin; k < inter.roadlinks.end; ++k)
        stated |= row[k].stated;
      if (stated) apply_right_of_way(net, inter, row);
    }
  }
  index_link_crosses(net);
  return net;
}

}  // namespace

Network load_cityflow_roadnet(const std::string& file) {
  auto doc = JsonDocument::load(file);
  return build(doc->root());
}

Network parse_cityflow_roadnet(std::string_view json, const std::string& name) {
  auto doc = JsonDocument::parse(json, name);
  return build(doc->root());
}

}  // namespace citybrain::net
