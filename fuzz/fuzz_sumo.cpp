// libFuzzer target for the SUMO importer: the bytes are a network, optionally followed by a line
// "@@" and a routes file. The only acceptable failure is citybrain::Error; whatever the importer
// accepts must also load as a CityFlow roadnet and flow (an importer writing files its own loaders
// reject is a finding, as is any other exception, crash or sanitizer report).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

#include "citybrain/core/error.hpp"
#include "citybrain/demand/cityflow_flow.hpp"
#include "citybrain/import/sumo.hpp"
#include "citybrain/net/cityflow_roadnet.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const std::size_t cut = bytes.find("\n@@\n");
  const std::string_view net = bytes.substr(0, cut);
  const std::string_view routes =
      cut == std::string_view::npos ? "<routes/>" : bytes.substr(cut + 4);
  citybrain::import::ImportedCity city;
  try {
    city = citybrain::import::parse_sumo({"fuzz.net.xml", net}, {{"fuzz.rou.xml", routes}}, {});
  } catch (const citybrain::Error&) {
    return 0;
  }
  try {
    const citybrain::net::Network network =
        citybrain::net::parse_cityflow_roadnet(city.roadnet_json, "imported roadnet");
    citybrain::demand::parse_cityflow_flow(city.flow_json, "imported flow", network);
  } catch (const citybrain::Error& e) {
    std::cerr << "the importer wrote files its loaders reject: " << e.what() << "\n";
    std::abort();
  }
  return 0;
}
