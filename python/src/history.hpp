// What the Python API did to an engine since it was built or reset, so that a saved state can be
// written to a file and rebuilt: the twin is deterministic, so re-running the same calls from the
// same scenario reproduces the state exactly (for any thread count). This is how
// Archive.dump / Engine.load_from_file work without serialising the engine's internals.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "citybrain/sim/engine.hpp"

namespace citybrain::python {

struct Command {
  enum class Kind : std::uint8_t { kSteps, kPhase, kSpeed, kRoute, kPush, kSeed };
  Kind kind = Kind::kSteps;
  std::int64_t n = 0;  // steps, phase or seed
  double value = 0;    // speed
  std::string id;      // intersection or vehicle
  std::vector<std::string> roads;
  std::map<std::string, double> info;
};

struct History {
  std::uint64_t base_seed = 0;  // the seed the engine was built or reset with
  std::vector<Command> commands;

  void step() {
    if (commands.empty() || commands.back().kind != Command::Kind::kSteps) {
      commands.push_back(Command{});
    }
    ++commands.back().n;
  }
};

// The archive file: the scenario's roadnet (to refuse another scenario's archive), the state's
// time and vehicle count (checked after rebuilding) and the history.
struct ArchiveFile {
  std::string roadnet_file;
  double time = 0;
  std::size_t vehicles_generated = 0;
  History history;
};

void write_archive(const std::string& path, const ArchiveFile& archive);
ArchiveFile read_archive(const std::string& path);

}  // namespace citybrain::python
