// libFuzzer target for the OpenStreetMap importer: the bytes are an extract, OSM XML when they
// start with '<' and PBF otherwise. The only acceptable failure is citybrain::Error; whatever the
// importer accepts must also load as a CityFlow roadnet and flow (an importer writing files its own
// loaders reject is a finding, as is any other exception, crash or sanitizer report).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>

#include "citybrain/core/error.hpp"
#include "citybrain/demand/cityflow_flow.hpp"
#include "citybrain/import/osm.hpp"
#include "citybrain/net/cityflow_roadnet.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const std::string format = !bytes.empty() && bytes[0] == '<' ? "osm" : "pbf";
  citybrain::import::OsmOptions options;
  options.trips = 8;
  citybrain::import::ImportedCity city;
  try {
    city = citybrain::import::import_osm_data(bytes, format, "fuzz." + format, options);
  } catch (const citybrain::Error&) {
    return 0;
  }
  try {
    const citybrain::net::Network net =
        citybrain::net::parse_cityflow_roadnet(city.roadnet_json, "imported roadnet");
    citybrain::demand::parse_cityflow_flow(city.flow_json, "generated flow", net);
  } catch (const citybrain::Error& e) {
    std::cerr << "the importer wrote files its loaders reject: " << e.what() << "\n";
    std::abort();
  }
  return 0;
}
