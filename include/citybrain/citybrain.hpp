// The facade every front end (CLI, server, Python) uses: load a scenario, run it under a
// controller or protocol, get a report.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>

#include "citybrain/demand/demand.hpp"
#include "citybrain/import/import_report.hpp"
#include "citybrain/net/network.hpp"
#include "citybrain/sim/engine.hpp"

namespace citybrain {

struct Scenario {
  std::shared_ptr<const net::Network> network;
  std::shared_ptr<const demand::Demand> demand;
  sim::SimConfig sim;
  std::string roadnet_file;
  std::string replay_file;          // empty: no replay
  std::string replay_roadnet_file;  // the roadnet log a CityFlow viewer reads beside the replay
  // Which light phases controllers choose from (control::ProtocolSpec::actions): 4 = the
  // benchmark layout (CityFlow files), 0 = every phase with a green (imported cities).
  int signal_actions = 4;
};

// From a CityFlow config.json (interval, seed, files, rlTrafficLight, laneChange, replay).
Scenario load_scenario(const std::string& config_file);
// From a roadnet and a flow file with default settings (1 s steps, seed 0).
Scenario load_scenario(const std::string& roadnet_file, const std::string& flow_file);
// From CityFlow roadnet and flow JSON text held in memory (a generated or imported city), through
// the CityFlow loaders and their validation; name labels it in error messages.
Scenario scenario_from_json(const std::string& roadnet_json, const std::string& flow_json,
                            const std::string& name);
// From an imported city (SUMO, OpenStreetMap, KDD Cup CBEngine): its CityFlow JSON goes through
// the CityFlow loaders (and their validation); name labels it in error messages. Controllers
// choose among all of its signal phases (signal_actions = 0).
Scenario scenario_from(const import::ImportedCity& city, const std::string& name);

struct RunOptions {
  double duration = 3600;               // simulated seconds
  std::string controller = "none";      // none (the file's signal plans) | fixed | maxpressure
  std::optional<std::string> protocol;  // llmlight30 | xlight15 | kddcup
  std::optional<int> threads;
  std::optional<std::uint64_t> seed;
  std::optional<bool> lane_change;
  std::function<void(double sim_seconds, const sim::Engine&)> progress;
  // Imported SUMO scenarios: end once every vehicle has left (duration still caps the run), and
  // report SUMO's trip statistics (mean_travel_time, arrived).
  bool until_empty = false;
  bool trip_statistics = false;
  // Also measure the KDD Cup 2021 delay index (sim/delay_index.hpp) after every step.
  bool delay_index = false;
};

struct Report {
  std::size_t vehicles_generated = 0;
  std::size_t vehicles_finished = 0;
  std::size_t vehicles_running = 0;
  double att = 0;  // PROTOCOL.md 3.1 (benchmark ATT)
  std::size_t att_vehicles = 0;
  double att_cityflow = 0;  // PROTOCOL.md 3.2
  double throughput = 0;    // finished vehicles per hour of simulated time
  double sim_seconds = 0;
  double wall_seconds = 0;
  std::uint64_t vehicle_steps = 0;
  double vehicle_steps_per_second = 0;
  double sim_seconds_per_second = 0;
  std::string controller;
  std::string protocol;
  int threads = 1;
  // SUMO's trip statistics (RunOptions::trip_statistics): vehicles that arrived and the mean of
  // their arrival minus departure times (seconds queued before entering the network excluded).
  bool trip_statistics = false;
  std::size_t arrived = 0;
  double mean_travel_time = 0;
  std::size_t peak_vehicles_running = 0;  // most vehicles on the road after any step
  // With RunOptions::delay_index: the KDD Cup delay index at the end, the vehicles served
  // (entered the network), and the first 20 s check at which the index exceeded 1.40 (the
  // challenge's stopping rule) with the vehicles served by then; limit time < 0: never.
  std::optional<double> delay_index;
  std::size_t vehicles_served = 0;
  double delay_index_limit_time = -1;
  std::size_t vehicles_served_at_limit = 0;
};

Report run(const Scenario& scenario, const RunOptions& options);
nlohmann::json to_json(const Report& report);

}  // namespace citybrain
