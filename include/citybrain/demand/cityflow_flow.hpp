// Loading CityFlow's flow.json against a network.
#pragma once

#include <string>
#include <string_view>

#include "citybrain/demand/demand.hpp"

namespace citybrain::demand {

// Throws citybrain::Error naming the file, the JSON path and what was expected.
Demand load_cityflow_flow(const std::string& file, const net::Network& net);
Demand parse_cityflow_flow(std::string_view json, const std::string& name, const net::Network& net);

}  // namespace citybrain::demand
