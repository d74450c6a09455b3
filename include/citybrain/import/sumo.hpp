// SUMO scenarios (.net.xml, .rou.xml, additional files, .sumocfg; each optionally gzipped) imported
// as CityFlow files. What is kept: passenger lanes with their shapes and speeds, connections with
// the shapes of their internal lanes, the junctions' right of way (`request` response/foes),
// traffic-light programs (the last one loaded per controller, phases followed through `next`),
// vehicle types and distributions, vehicles with routes or route distributions, trips (routed by
// free-flow travel time) and flows. Everything left out is in the ImportReport with its reason.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "citybrain/import/import_report.hpp"

namespace citybrain::import {

struct SumoInputs {
  std::string net_file;
  std::vector<std::string> route_files;
  std::vector<std::string> additional_files;  // tlLogic programs and vTypes are read from these
  double begin = 0;
  double end = -1;  // -1: until every vehicle has left
};

// Reads a .sumocfg: net-file, route-files, additional-files (paths relative to the config's
// folder), begin and end. Throws citybrain::Error naming the file and element.
SumoInputs read_sumocfg(const std::string& sumocfg_file);

// Imports the files. Throws citybrain::Error (file, element, attribute, value, what was expected)
// for malformed input; elements that are valid SUMO but cannot be represented are dropped and
// reported.
ImportedCity import_sumo(const SumoInputs& inputs);
ImportedCity import_sumo_config(const std::string& sumocfg_file);

// The same from texts in memory (tests and the fuzz target); names label error messages.
struct SumoText {
  std::string name;
  std::string_view text;
};
ImportedCity parse_sumo(const SumoText& net, const std::vector<SumoText>& routes,
                        const std::vector<SumoText>& additionals, double begin = 0,
                        double end = -1);

// A file's bytes, gunzipped when it starts with the gzip magic. Throws kFileNotFound / kIo.
std::string read_maybe_gzip(const std::string& file);

}  // namespace citybrain::import
