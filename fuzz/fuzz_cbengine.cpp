// libFuzzer target for the KDD Cup CBEngine importer. The input is a roadnet, optionally followed
// by a line "%%" and a flow file. Any input either imports or throws citybrain::Error, and whatever
// imports must load through the CityFlow loaders (the importer writes only valid CityFlow).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "citybrain/core/error.hpp"
#include "citybrain/demand/cityflow_flow.hpp"
#include "citybrain/import/cbengine.hpp"
#include "citybrain/net/cityflow_roadnet.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::size_t split = text.find("\n%%\n");
  const std::string_view roadnet = text.substr(0, split);
  const std::string_view flow =
      split == std::string_view::npos ? std::string_view("0\n") : text.substr(split + 4);
  citybrain::import::ImportedCity city;
  try {
    city = citybrain::import::parse_cbengine(roadnet, flow, "fuzz_roadnet.txt", "fuzz_flow.txt");
  } catch (const citybrain::Error&) {
    return 0;
  }
  try {
    const auto net = citybrain::net::parse_cityflow_roadnet(city.roadnet_json, "imported roadnet");
    (void)citybrain::demand::parse_cityflow_flow(city.flow_json, "imported flow", net);
  } catch (const citybrain::Error&) {
    __builtin_trap();  // the importer wrote something its own loader rejects
  }
  return 0;
}
