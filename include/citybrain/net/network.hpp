// The road network: intersections, roads, lanes, road links (movements), lane links and their
// crossing points, and signal phases. Static after load; every element is addressed by a dense id
// and related elements are kept as contiguous ranges (compressed adjacency).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "citybrain/core/geometry.hpp"
#include "citybrain/core/ids.hpp"

namespace citybrain::net {

// CityFlow's ordering is also the priority at a crossing: straight before left before right.
enum class TurnType : std::uint8_t { kRight = 1, kLeft = 2, kStraight = 3 };

struct Range {
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
  std::uint32_t size() const { return end - begin; }
  bool empty() const { return begin == end; }
};

struct Intersection {
  std::string id;
  Point point;
  bool is_virtual = false;
  double width = 0;
  Range roads;            // into Network::intersection_roads, in file order
  Range roadlinks;        // road links of this intersection (ids are contiguous)
  Range lanelinks;        // lane links of this intersection (ids are contiguous)
  Range phases;           // into Network::phases
  Range crosses;          // crossing points between this intersection's lane links
  bool actuated = false;  // phases extend while vehicles approach (citybrain's extension)
  // Intersections driven by one controller (citybrain's "group") switch together: the index of
  // the group's first intersection, or this intersection's own index.
  std::uint32_t signal_group = 0;
};

struct Road {
  std::string id;
  IntersectionId from;
  IntersectionId to;
  Range points;  // into Network::points: the road's centre-line as given in the file
  LaneId first_lane;
  std::uint32_t lane_count = 0;
};

struct Lane {
  RoadId road;
  std::uint32_t index = 0;  // 0 is the innermost lane
  double width = 0;
  double max_speed = 0;
  double length = 0;
  Range points;  // into Network::points
  Range links;   // outgoing lane links, into Network::lane_out_links, in file order
};

struct RoadLink {
  IntersectionId intersection;
  RoadId from;
  RoadId to;
  TurnType type = TurnType::kStraight;
  std::uint32_t index = 0;  // position in its intersection's roadLinks (phases refer to it)
  Range lanelinks;          // lane link ids
};

struct LaneLink {
  RoadLinkId roadlink;
  LaneId from;
  LaneId to;
  double length = 0;
  Range points;   // into Network::points
  Range crosses;  // into Network::link_crosses, ordered by distance along this link
};

struct Cross {
  LaneLinkId links[2];
  double distance[2] = {0, 0};  // distance from the start of each link to the crossing point
  // Who gives way when the file states the right of way (citybrain's "yieldTo" extension, e.g. a
  // SUMO junction's response): 0 decides by turn type as CityFlow does, 1 + side: that side's link
  // yields.
  std::uint8_t yielder = 0;
};

// A crossing seen from one lane link.
struct LinkCross {
  CrossId cross;
  std::uint8_t side = 0;  // which of the cross's two links this is
  double distance = 0;    // along this link
};

struct Phase {
  double time = 0;
  // Actuated phases (citybrain's "minTime"/"maxTime" extension): the green may end after min_time
  // once no vehicle approaches, and ends at max_time. Both equal time for a fixed phase.
  double min_time = 0, max_time = 0;
  std::uint32_t available = 0;  // offset into Network::phase_available (flags per road link)
};

// Behaviour switches an imported city asks for (the roadnet's "citybrain" object); CityFlow files
// leave them off, so the benchmark scenarios run with CityFlow's semantics.
struct NetworkOptions {
  // A vehicle enters a lane link only when its end lane has room for it beyond the vehicles
  // already on links into that lane (SUMO's drivers do not block junctions).
  bool keep_clear = false;
  // At a junction, vehicles pick among the lanes that continue their route the one holding the
  // fewest vehicles (SUMO's drivers change lanes to use every lane); CityFlow keeps the lane index.
  bool lane_balance = false;
  // Flows marked routeAtInsertion are routed when each vehicle is released, by the roads' mean
  // speeds over the last 180 s (SUMO routes trips at insertion with its routing device).
  bool route_trips = false;
};

struct Network {
  NetworkOptions options;
  std::vector<Intersection> intersections;
  std::vector<Road> roads;
  std::vector<Lane> lanes;
  std::vector<RoadLink> roadlinks;
  std::vector<LaneLink> lanelinks;
  std::vector<Cross> crosses;
  std::vector<Phase> phases;

  std::vector<Point> points;
  std::vector<RoadId> intersection_roads;
  std::vector<LaneLinkId> lane_out_links;
  std::vector<LinkCross> link_crosses;
  static constexpr std::uint8_t kLinkAvailable = 1, kLinkActuating = 2;
  std::vector<std::uint8_t> phase_available;  // per phase and road link: kLink* flags

  std::unordered_map<std::string, IntersectionId> intersection_index;
  std::unordered_map<std::string, RoadId> road_index;

  std::span<const Point> road_points(RoadId r) const { return span(roads[r.index()].points); }
  std::span<const Point> lane_points(LaneId l) const { return span(lanes[l.index()].points); }
  std::span<const Point> lanelink_points(LaneLinkId k) const {
    return span(lanelinks[k.index()].points);
  }
  std::span<const LaneLinkId> lane_links(LaneId l) const {
    const Range& r = lanes[l.index()].links;
    return {lane_out_links.data() + r.begin, r.size()};
  }
  std::span<const LinkCross> crosses_of(LaneLinkId k) const {
    const Range& r = lanelinks[k.index()].crosses;
    return {link_crosses.data() + r.begin, r.size()};
  }
  bool phase_allows(std::uint32_t phase, std::uint32_t roadlink_index) const {
    return (phase_available[phases[phase].available + roadlink_index] & kLinkAvailable) != 0;
  }
  // An actuated phase: the link's lane has a loop detector that may hold this green (citybrain's
  // "actuatingRoadLinks" extension; by default every available link).
  bool phase_actuates(std::uint32_t phase, std::uint32_t roadlink_index) const {
    return (phase_available[phases[phase].available + roadlink_index] & kLinkActuating) != 0;
  }
  LaneId lane_of(RoadId road, std::uint32_t index) const {
    return LaneId(roads[road.index()].first_lane.value + index);
  }

  std::string lane_name(LaneId l) const;
  std::string lanelink_name(LaneLinkId k) const;
  // Lookups by external id; return an invalid id when absent.
  IntersectionId find_intersection(const std::string& id) const;
  RoadId find_road(const std::string& id) const;

  // Whether some lane of `from` has a lane link into `to`.
  bool connected(RoadId from, RoadId to) const;

 private:
  std::span<const Point> span(const Range& r) const { return {points.data() + r.begin, r.size()}; }
};

}  // namespace citybrain::net
