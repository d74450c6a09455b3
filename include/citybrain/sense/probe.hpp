// Probe points (GPS fixes from vehicles) and the CSV reader for them:
// `id,time,lon,lat[,speed,heading]`, an optional header line, `#` comments.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace citybrain::sense {

struct ProbePoint {
  std::uint32_t vehicle = 0;  // dense index into ProbeSet::vehicle_names
  double time = 0;            // seconds
  double x = 0;               // longitude (or planar x in metres)
  double y = 0;               // latitude (or planar y in metres)
  float speed = -1;           // m/s, negative when absent
  float heading = -1;         // degrees clockwise from north, negative when absent
};

struct ProbeSet {
  std::vector<ProbePoint> points;  // in file order
  std::vector<std::string> vehicle_names;
};

// Throws citybrain::Error with where = "name:line" and a message naming the field, the offending
// value and what was expected.
ProbeSet parse_probe_csv(std::string_view text, const std::string& name);
ProbeSet load_probe_csv(const std::string& file);

}  // namespace citybrain::sense
