// CityFlow's config.json: step interval, seed, input files, signal and lane-change switches and
// replay output.
#pragma once

#include <cstdint>
#include <string>

namespace citybrain::sim {

struct CityFlowConfig {
  double interval = 1.0;
  std::uint64_t seed = 0;
  std::string roadnet_file;  // resolved paths
  std::string flow_file;
  bool rl_traffic_light = false;
  bool lane_change = false;
  bool save_replay = false;
  std::string roadnet_log_file;
  std::string replay_log_file;
  // citybrain's own key "signalActions" (CityFlow ignores it): 4 = the benchmark phase layout
  // (default), 0 = every phase with a green is an action (imported cities).
  int signal_actions = 4;
};

// Paths are "dir" + file name as CityFlow builds them; a relative "dir" is taken from the working
// directory when the file exists there, else from the config file's folder.
CityFlowConfig load_cityflow_config(const std::string& file);

}  // namespace citybrain::sim
