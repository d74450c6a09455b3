// Synthetic cities: a rows x cols grid of signalised intersections in the layout of the TSC
// benchmark roadnets (PROTOCOL.md 1.1-1.2) and vehicle demand entering from its boundary, written
// as CityFlow roadnet.json / flow.json text so every loader and tool reads them like real files.
#pragma once

#include <cstdint>
#include <string>

namespace citybrain::demand {

struct GridSpec {
  int rows = 4;                    // signalised intersections north-south (Y = 1..rows)
  int cols = 4;                    // signalised intersections east-west (X = 1..cols)
  double road_length_x = 300;      // metres between intersection centres, east-west
  double road_length_y = 300;      // metres between intersection centres, north-south
  int lanes = 3;                   // per road: 0 left, 1 straight, 2 right (the benchmark layout)
  double lane_width = 4;           // metres
  double max_speed = 11.111;       // m/s
  double intersection_width = 15;  // metres
  double volume = 300;             // vehicles/hour entering per boundary entry road (mean)
  std::string profile = "flat";    // flat | peak (a morning-peak shape with the same mean)
  double duration = 3600;          // seconds of demand
  double left = 0.1;               // turn shares at each intersection (normalised)
  double straight = 0.6;
  double right = 0.3;
  std::uint64_t seed = 1;
};

struct GeneratedCity {
  std::string roadnet_json;  // CityFlow roadnet.json
  std::string flow_json;     // CityFlow flow.json, one entry per vehicle
  std::size_t vehicles = 0;
};

// Throws citybrain::Error (kInvalidArgument) naming the option (as the CLI spells it) and the
// expected range.
void validate(const GridSpec& spec);
// Deterministic in the spec (seed included).
GeneratedCity generate_grid(const GridSpec& spec);

// The embedded default city `citybrain simulate` runs without inputs: 6 x 6, 300 m, morning peak,
// one hour, seed 1.
GridSpec default_city_spec();

}  // namespace citybrain::demand
