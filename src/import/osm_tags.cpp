#include "import/osm_tags.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

namespace citybrain::import::osm_detail {

std::optional<RoadClass> road_class(const std::string& h) {
  // Motor roads from motorways down to residential streets, their links, living streets, service
  // roads and unclassified "road"; tracks, paths, footways, cycleways, busways, construction and
  // proposed roads are not driven on by general traffic.
  if (h == "motorway") return RoadClass{2, 110, 3.5};
  if (h == "trunk") return RoadClass{2, 90, 3.5};
  if (h == "primary") return RoadClass{1, 60, 3.5};
  if (h == "secondary") return RoadClass{1, 50, 3.2};
  if (h == "tertiary") return RoadClass{1, 50, 3.2};
  if (h == "motorway_link") return RoadClass{1, 60, 3.5};
  if (h == "trunk_link") return RoadClass{1, 50, 3.5};
  if (h == "primary_link" || h == "secondary_link" || h == "tertiary_link") {
    return RoadClass{1, 40, 3.2};
  }
  if (h == "unclassified" || h == "road") return RoadClass{1, 40, 3.0};
  if (h == "residential") return RoadClass{1, 30, 3.0};
  if (h == "living_street") return RoadClass{1, 10, 3.0};
  if (h == "service") return RoadClass{1, 20, 3.0};
  return std::nullopt;
}

namespace {

// The leading number of a tag value ("2", "2;3" -> 2, "50 mph" -> 50), if any.
std::optional<double> leading_number(const std::string& v, std::size_t& end) {
  double x = 0;
  const char* first = v.data();
  while (first < v.data() + v.size() && *first == ' ') ++first;
  auto [ptr, ec] = std::from_chars(first, v.data() + v.size(), x);
  if (ec != std::errc() || !std::isfinite(x)) return std::nullopt;
  end = static_cast<std::size_t>(ptr - v.data());
  return x;
}

std::optional<int> lane_count(const std::string& v) {
  std::size_t end = 0;
  auto x = leading_number(v, end);
  if (!x || *x < 1 || *x > 16) return std::nullopt;
  return static_cast<int>(*x);
}

// km/h from a maxspeed value: a number with an optional unit (km/h by default, mph, knots), or a
// zone ("FR:urban", "DE:rural", "walk", "none").
std::optional<double> speed_kmh(const std::string& v, double class_default) {
  std::size_t end = 0;
  if (auto x = leading_number(v, end)) {
    if (*x <= 0 || *x > 300) return std::nullopt;
    std::string unit = v.substr(end);
    unit.erase(std::remove(unit.begin(), unit.end(), ' '), unit.end());
    if (unit.empty() || unit == "km/h" || unit == "kmh" || unit == "kph") return *x;
    if (unit == "mph") return *x * 1.609344;
    if (unit == "knots") return *x * 1.852;
    if (unit[0] == ';') return *x;
    return std::nullopt;
  }
  if (v == "walk") return 7.0;
  if (v == "none") return std::max(class_default, 130.0);
  if (v.find("living_street") != std::string::npos) return 20.0;
  if (v.find("urban") != std::string::npos) return 50.0;
  if (v.find("rural") != std::string::npos) return 90.0;
  if (v.find("motorway") != std::string::npos) return 120.0;
  return std::nullopt;
}

bool allows_cars(const std::string& v) {
  return v == "yes" || v == "designated" || v == "permissive" || v == "destination";
}

}  // namespace

WayPolicy way_policy(const WayTags& t) {
  WayPolicy p;
  const std::optional<RoadClass> cls = road_class(t.highway);
  if (!cls) {
    p.drop_reason = "highway=" + t.highway + " is not a road for cars";
    return p;
  }
  if (t.area == "yes") {
    p.drop_reason = "area=yes (a square, not a road)";
    return p;
  }
  if (t.highway == "service" && (t.service == "parking_aisle" || t.service == "driveway" ||
                                 t.service == "drive-through" || t.service == "emergency_access")) {
    p.drop_reason = "service=" + t.service + " (not part of the through network)";
    return p;
  }
  const bool car_yes = allows_cars(t.motor_vehicle) || allows_cars(t.motorcar);
  if (t.motor_vehicle == "no" || t.motorcar == "no") {
    p.drop_reason = "motor vehicles not allowed (motor_vehicle/motorcar=no)";
    return p;
  }
  if ((t.access == "no" || t.access == "private") && !car_yes) {
    p.drop_reason = "access=" + t.access;
    return p;
  }
  // Direction: oneway tags, implied by roundabouts and motorways.
  int dir = 0;  // 0 both, 1 forward only, -1 backward only
  if (t.oneway == "yes" || t.oneway == "true" || t.oneway == "1") {
    dir = 1;
  } else if (t.oneway == "-1" || t.oneway == "reverse") {
    dir = -1;
  } else if (t.oneway == "reversible" || t.oneway == "alternating") {
    p.drop_reason = "oneway=" + t.oneway + " (direction changes over the day)";
    return p;
  } else if (t.oneway.empty() || (t.oneway != "no" && t.oneway != "false" && t.oneway != "0")) {
    if (!t.oneway.empty()) p.tag_problem = "oneway";
    if (t.junction == "roundabout" || t.junction == "circular" || t.highway == "motorway" ||
        t.highway == "motorway_link") {
      dir = 1;
    }
  }
  auto read_lanes = [&](const std::string& value, const char* key) -> std::optional<int> {
    if (value.empty()) return std::nullopt;
    auto n = lane_count(value);
    if (!n) p.tag_problem = key;
    return n;
  };
  const std::optional<int> total = read_lanes(t.lanes, "lanes");
  const std::optional<int> fwd = read_lanes(t.lanes_forward, "lanes:forward");
  const std::optional<int> bwd = read_lanes(t.lanes_backward, "lanes:backward");
  if (dir == 1) {
    p.forward_lanes = fwd.value_or(total.value_or(cls->default_lanes));
  } else if (dir == -1) {
    p.backward_lanes = bwd.value_or(total.value_or(cls->default_lanes));
  } else if (fwd || bwd) {
    p.forward_lanes = fwd.value_or(total ? std::max(1, *total - bwd.value_or(0)) : 1);
    p.backward_lanes = bwd.value_or(total ? std::max(1, *total - fwd.value_or(0)) : 1);
  } else if (total) {
    p.forward_lanes = std::max(1, (*total + 1) / 2);
    p.backward_lanes = std::max(1, *total / 2);
  } else {
    p.forward_lanes = p.backward_lanes = cls->default_lanes;
  }
  p.forward_lanes = std::min(p.forward_lanes, 8);
  p.backward_lanes = std::min(p.backward_lanes, 8);
  double kmh = cls->speed_kmh;
  if (!t.maxspeed.empty()) {
    if (auto s = speed_kmh(t.maxspeed, cls->speed_kmh)) {
      kmh = std::max(5.0, *s);
    } else {
      p.tag_problem = "maxspeed";
    }
  }
  p.speed = kmh / 3.6;
  p.lane_width = cls->lane_width;
  return p;
}

}  // namespace citybrain::import::osm_detail
