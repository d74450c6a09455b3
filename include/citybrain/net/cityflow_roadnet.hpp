// Loading CityFlow's roadnet.json into a Network, validating every field on the way.
#pragma once

#include <string>
#include <string_view>

#include "citybrain/net/network.hpp"

namespace citybrain::net {

// Throws citybrain::Error naming the file, the JSON path and what was expected.
Network load_cityflow_roadnet(const std::string& file);
Network parse_cityflow_roadnet(std::string_view json, const std::string& name);

}  // namespace citybrain::net
