// The OpenStreetMap network builder: raw OSM records -> CityFlow roadnet JSON and the routable
// graph demand is generated on.
#pragma once

#include <string>

#include "citybrain/import/import_report.hpp"
#include "import/osm_detail.hpp"

namespace citybrain::import::osm_detail {

struct OsmNetwork {
  std::string roadnet_json;
  TripGraph graph;
};

// Throws citybrain::Error (kInvalidInput) naming `name` when nothing drivable is left.
OsmNetwork build_network(const RawData& raw, const OsmOptions& options, const std::string& name,
                         ImportReport& report);

}  // namespace citybrain::import::osm_detail
