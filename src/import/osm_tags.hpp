// The OpenStreetMap tag policy: which highways are drivable, and lanes, direction and speed from
// tags with per-class defaults. Kept apart from the graph code so the policy reads in one place.
#pragma once

#include <optional>
#include <string>

#include "import/osm_detail.hpp"

namespace citybrain::import::osm_detail {

struct RoadClass {
  int default_lanes = 1;  // per direction
  double speed_kmh = 50;  // when maxspeed is absent or unreadable
  double lane_width = 3.2;
};

// The class of a drivable highway value, or nothing for a value cars do not drive on.
std::optional<RoadClass> road_class(const std::string& highway);

struct WayPolicy {
  std::string drop_reason;  // empty: drivable
  int forward_lanes = 0;    // 0: no travel in the way's direction
  int backward_lanes = 0;
  double speed = 0;  // m/s
  double lane_width = 3.2;
  std::string tag_problem;  // a tag that could not be read (the class default was used)
};

WayPolicy way_policy(const WayTags& tags);

}  // namespace citybrain::import::osm_detail
