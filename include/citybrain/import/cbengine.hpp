// The KDD Cup 2021 City Brain Challenge's CBEngine text format (roadnet and flow files) imported
// as CityFlow files. Each CBEngine intersection with roads becomes a CityFlow intersection; each
// two-way road segment becomes two CityFlow roads; a signalised intersection's 8 CBEngine phases
// become light phases 1..8 after an all-red phase 0 (right turns are never signalled in CBEngine);
// each flow becomes a CityFlow flow with the same route, interval and time window.
#pragma once

#include <string>
#include <string_view>

#include "citybrain/import/import_report.hpp"

namespace citybrain::import {

// Reads and imports the two files. Throws Error (file-not-found, invalid input) naming the file,
// line, field, value found and what was expected.
ImportedCity import_cbengine(const std::string& roadnet_file, const std::string& flow_file);

// The same on texts already in memory; the names label them in error messages.
ImportedCity parse_cbengine(std::string_view roadnet_text, std::string_view flow_text,
                            const std::string& roadnet_name, const std::string& flow_name);

}  // namespace citybrain::import
