#include "citybrain/net/network.hpp"

namespace citybrain::net {

std::string Network::lane_name(LaneId l) const {
  const Lane& lane = lanes[l.index()];
  return roads[lane.road.index()].id + "_" + std::to_string(lane.index);
}

std::string Network::lanelink_name(LaneLinkId k) const {
  const LaneLink& link = lanelinks[k.index()];
  return lane_name(link.from) + "_TO_" + lane_name(link.to);
}

IntersectionId Network::find_intersection(const std::string& id) const {
  auto it = intersection_index.find(id);
  return it == intersection_index.end() ? IntersectionId::invalid() : it->second;
}

RoadId Network::find_road(const std::string& id) const {
  auto it = road_index.find(id);
  return it == road_index.end() ? RoadId::invalid() : it->second;
}

bool Network::connected(RoadId from, RoadId to) const {
  const Road& road = roads[from.index()];
  for (std::uint32_t i = 0; i < road.lane_count; ++i) {
    for (LaneLinkId k : lane_links(LaneId(road.first_lane.value + i))) {
      if (lanes[lanelinks[k.index()].to.index()].road == to) return true;
    }
  }
  return false;
}

}  // namespace citybrain::net
