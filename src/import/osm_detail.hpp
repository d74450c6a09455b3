// Internals of the OpenStreetMap importer: the raw elements read from the extract, and the routable
// graph the demand generator works on.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "citybrain/core/geometry.hpp"
#include "citybrain/import/osm.hpp"

namespace citybrain::import::osm_detail {

// The tags of a way the importer reads (empty when absent).
struct WayTags {
  std::string highway, service, access, motor_vehicle, motorcar, area, oneway, junction;
  std::string lanes, lanes_forward, lanes_backward, maxspeed;
};

struct RawWay {
  std::int64_t id = 0;
  std::vector<std::int64_t> nodes;
  WayTags tags;
};

struct RawRestriction {
  std::int64_t id = 0;
  std::string value;  // restriction (or restriction:motorcar) value: no_left_turn, only_..., ...
  std::vector<std::int64_t> from_ways, to_ways, via_nodes;
  std::size_t via_ways = 0;  // via members that are ways (not supported)
  bool except_motorcar = false;
};

struct LonLat {
  double lon = 0, lat = 0;
};

struct RawData {
  std::unordered_map<std::int64_t, LonLat> nodes;
  std::unordered_set<std::int64_t> signals;  // highway=traffic_signals nodes
  std::vector<RawWay> ways;                  // every way with a highway tag
  std::vector<RawRestriction> restrictions;  // type=restriction relations
};

// Reads the extract (libosmium). Throws citybrain::Error (kInvalidInput) naming `name` when the
// data cannot be parsed.
RawData read_osm_file(const std::string& path, const std::string& name);
RawData read_osm_buffer(const char* data, std::size_t size, const std::string& format,
                        const std::string& name);

// The kept network as the demand generator sees it (roads are CityFlow roads).
struct TripGraph {
  std::vector<std::string> road_ids;
  std::vector<double> length;  // metres
  std::vector<double> time;    // free-flow seconds
  std::vector<Point> start, end;
  std::vector<std::uint8_t> source;  // starts at a boundary (virtual) intersection
  std::vector<std::uint8_t> sink;    // ends at a boundary (virtual) intersection
  std::vector<double> lanes;
  std::vector<std::vector<std::uint32_t>> next;  // roads reachable through one road link
};

struct Trip {
  double depart = 0;
  std::vector<std::uint32_t> roads;
};

// Seeded trips as options.demand asks; trips that cannot be routed are redrawn a bounded number of
// times, and the ones given up on are reported (kind "trip").
std::vector<Trip> generate_trips(const TripGraph& graph, const OsmOptions& options,
                                 ImportReport& report);

}  // namespace citybrain::import::osm_detail
