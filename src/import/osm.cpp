// OpenStreetMap -> CityFlow: drivable ways are cut into segments at shared nodes, segments joined
// through plain way joints, junction nodes clustered into intersections, movements derived from
// geometry (turn restrictions removed), the largest strongly connected part kept, lanes assigned
// per movement, signal plans generated, and demand generated on the result.
#include "citybrain/import/osm.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <numbers>
#include <numeric>
#include <unordered_map>

#include "citybrain/core/error.hpp"
#include "import/osm_detail.hpp"
#include "import/osm_network.hpp"

namespace citybrain::import {

namespace {

using namespace osm_detail;

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

void validate(const OsmOptions& o) {
  auto bad = [](const char* option, const std::string& expected, double found) {
    throw Error(ErrorCode::kInvalidArgument, option,
                "expected " + expected + ", found " + std::to_string(found));
  };
  if (!(o.cluster_link >= 0 && o.cluster_link <= 100))
    bad("cluster_link", "0..100 m", o.cluster_link);
  if (!(o.cluster_span >= 0 && o.cluster_span <= 500))
    bad("cluster_span", "0..500 m", o.cluster_span);
  if (!(o.signal_reach >= 0 && o.signal_reach <= 200))
    bad("signal_reach", "0..200 m", o.signal_reach);
  if (!(o.green_through >= 1 && o.green_through <= 300)) {
    bad("green_through", "1..300 s", o.green_through);
  }
  if (!(o.green_left >= 1 && o.green_left <= 300)) bad("green_left", "1..300 s", o.green_left);
  if (!(o.yellow >= 0 && o.yellow <= 30)) bad("yellow", "0..30 s", o.yellow);
  if (o.demand != "random" && o.demand != "gravity" && o.demand != "none") {
    throw Error(ErrorCode::kInvalidArgument, "--demand",
                "expected random, gravity or none, found '" + o.demand + "'");
  }
  if (o.trips > 10'000'000) bad("--trips", "0..10000000", static_cast<double>(o.trips));
  if (!(o.duration >= 1 && o.duration <= 86400)) bad("--duration", "1..86400 s", o.duration);
  if (!(o.vehicle_max_speed > 0 && o.vehicle_max_speed <= 70)) {
    bad("vehicle_max_speed", "(0, 70] m/s", o.vehicle_max_speed);
  }
}

ImportedCity finish(RawData raw, const std::string& name, const OsmOptions& options) {
  ImportedCity city;
  OsmNetwork net = build_network(raw, options, name, city.report);
  city.roadnet_json = net.roadnet_json;
  std::vector<Trip> trips;
  if (options.demand != "none" && options.trips > 0) {
    trips = generate_trips(net.graph, options, city.report);
  }
  nlohmann::json vehicle{{"length", 5.0},      {"width", 2.0},
                         {"maxPosAcc", 2.0},   {"maxNegAcc", 4.5},
                         {"usualPosAcc", 2.0}, {"usualNegAcc", 4.5},
                         {"minGap", 2.5},      {"maxSpeed", options.vehicle_max_speed},
                         {"headwayTime", 1.5}};
  nlohmann::json flows = nlohmann::json::array();
  for (const Trip& trip : trips) {
    nlohmann::json route = nlohmann::json::array();
    for (std::uint32_t r : trip.roads) route.push_back(net.graph.road_ids[r]);
    const int t = static_cast<int>(std::floor(trip.depart));
    flows.push_back({{"vehicle", vehicle},
                     {"route", std::move(route)},
                     {"interval", 1.0},
                     {"startTime", t},
                     {"endTime", t}});
  }
  city.flow_json = flows.dump();
  city.begin = 0;
  city.end = options.duration;
  return city;
}

}  // namespace

ImportedCity import_osm(const std::string& file, const OsmOptions& options) {
  validate(options);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    throw Error(ErrorCode::kFileNotFound, file,
                "no such file (expected an .osm or .osm.pbf extract)");
  }
  const std::string l = lower(file);
  if (!(ends_with(l, ".osm") || ends_with(l, ".osm.pbf") || ends_with(l, ".pbf") ||
        ends_with(l, ".osm.gz") || ends_with(l, ".osm.bz2"))) {
    throw Error(ErrorCode::kInvalidArgument, file,
                "unknown extract type (expected a name ending in .osm, .osm.pbf, .osm.gz or "
                ".osm.bz2)");
  }
  RawData raw = read_osm_file(file, file);
  return finish(std::move(raw), file, options);
}

ImportedCity import_osm_data(std::string_view data, const std::string& format,
                             const std::string& name, const OsmOptions& options) {
  validate(options);
  if (format != "osm" && format != "pbf") {
    throw Error(ErrorCode::kInvalidArgument, "format",
                "expected osm or pbf, found '" + format + "'");
  }
  RawData raw = read_osm_buffer(data.data(), data.size(), format, name);
  return finish(std::move(raw), name, options);
}

}  // namespace citybrain::import
