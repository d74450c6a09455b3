// Replay output in CityFlow's format, so existing CityFlow viewers play citybrain runs: a roadnet
// log (JSON: nodes with outlines, edges with lanes) and one text line per step with vehicle
// positions and per-lane signal states.
#pragma once

#include <fstream>
#include <string>

#include "citybrain/sim/engine.hpp"

namespace citybrain::sim {

class ReplayWriter {
 public:
  // Writes the roadnet log now; opens the replay file for write_step.
  ReplayWriter(const Engine& engine, const std::string& roadnet_log, const std::string& replay_log);
  void write_step(const Engine& engine);
  void flush() { m_out.flush(); }

 private:
  std::ofstream m_out;
  std::string m_line;
};

}  // namespace citybrain::sim
