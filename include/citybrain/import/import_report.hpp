// What an importer kept and what it dropped, and why. Every importer (SUMO, OpenStreetMap, KDD Cup
// CBEngine) fills one: the CLI prints its summary and, on request, every dropped element.
#pragma once

#include <cstddef>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

namespace citybrain::import {

struct Dropped {
  std::string kind;    // "edge", "connection", "vehicle", ...
  std::string id;      // the element's id in the source file
  std::string reason;  // why it was left out, naming the offending value
};

class ImportReport {
 public:
  // An element of `kind` made it into the imported city.
  void keep(const std::string& kind, std::size_t n = 1) { m_kept[kind] += n; }
  void drop(std::string kind, std::string id, std::string reason);

  std::size_t kept(const std::string& kind) const;
  std::size_t dropped_count(const std::string& kind) const;
  const std::vector<Dropped>& dropped() const { return m_dropped; }

  // One line per kind: "edge: 812 kept, 41 dropped (internal: 30, no drivable lane: 11)".
  std::string summary() const;
  // {"kept": {kind: n}, "dropped": {kind: {reason: n}}} and, with details, "dropped_elements".
  nlohmann::json to_json(bool details) const;

 private:
  std::map<std::string, std::size_t> m_kept;
  std::vector<Dropped> m_dropped;
};

// An imported city as CityFlow files, so that every loader, tool and viewer reads it like any
// other scenario and the CityFlow loader's validation applies to it too.
struct ImportedCity {
  std::string roadnet_json;
  std::string flow_json;
  double begin = 0;  // the source's first simulated second (flow times are relative to it)
  double end = -1;   // the source's last simulated second, -1 when it runs until all have left
  ImportReport report;
};

}  // namespace citybrain::import
