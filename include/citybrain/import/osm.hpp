// OpenStreetMap importer: an .osm (XML, optionally .gz/.bz2) or .osm.pbf extract read through
// libosmium becomes a CityFlow roadnet (drivable ways, lanes and speeds from tags, junctions
// clustered, turn restrictions, signals with generated phase plans) and generated demand (random
// boundary-to-boundary trips or a gravity model, routed by shortest free-flow time). The policy
// (which highways are drivable, default lanes and speeds, clustering, phase plans) is described in
// README.md, "OpenStreetMap import".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "citybrain/import/import_report.hpp"

namespace citybrain::import {

struct OsmOptions {
  // Junctions: OSM junction nodes joined by a drivable segment at most this long are one
  // intersection, as long as the joined intersection spans at most cluster_span metres.
  double cluster_link = 15;
  double cluster_span = 60;
  // A highway=traffic_signals node at most this far (along the road) from a junction signals it.
  double signal_reach = 30;
  // Generated fixed-time plans (seconds): phase 0 is the yellow/clearance phase.
  double green_through = 30;
  double green_left = 15;
  double yellow = 5;
  // Demand.
  std::string demand = "random";  // random | gravity | none
  std::size_t trips = 2000;       // vehicles departing within [0, duration)
  double duration = 3600;
  std::uint64_t seed = 1;
  double vehicle_max_speed = 22.22;  // m/s (80 km/h); lanes limit it further
};

// Throws citybrain::Error: kFileNotFound for a missing file, kInvalidArgument for an unknown
// suffix or option, kInvalidInput naming the file for a corrupted extract or one with no drivable
// road network.
ImportedCity import_osm(const std::string& file, const OsmOptions& options);
// The same from memory; format is "osm" (XML) or "pbf". name is used in error messages.
ImportedCity import_osm_data(std::string_view data, const std::string& format,
                             const std::string& name, const OsmOptions& options);

}  // namespace citybrain::import
