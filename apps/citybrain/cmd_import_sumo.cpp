// citybrain import sumo, and simulate --sumo: SUMO scenarios (.sumocfg, or .net.xml with route and
// additional files; each optionally gzipped).
#include <memory>

#include "citybrain/core/error.hpp"
#include "citybrain/import/sumo.hpp"
#include "commands.hpp"

namespace citybrain::cli {

namespace {
struct SumoFiles {
  std::string sumocfg;
  import::SumoInputs inputs;

  import::ImportedCity load() const {
      if (!sumocfg.empty()){if (!inputs.net_file.empty() || !inputs.route_files.empty() ||
                                !inputs.additional_files.empty()){
          throw Error(ErrorCode::kInvalidArgument, "import sumo",
                      "give either --sumocfg, or --net with --routes (and --additional), not both");
} return import::import_sumo_config(sumocfg);
}  // namespace
if (inputs.net_file.empty()) {
  throw Error(ErrorCode::kInvalidArgument, "import sumo", "give --sumocfg, or --net with --routes");
}
return import::import_sumo(inputs);
}  // namespace citybrain::cli
}
;
}  // namespace

void add_import_sumo(CLI::App& import, ImportArgs& args) {
  auto files = std::make_shared<SumoFiles>();
  auto* f = import.add_subcommand(
      "sumo", "A SUMO scenario: .sumocfg, or .net.xml with .rou.xml and additional files");
  f->add_option("--sumocfg", files->sumocfg, "SUMO configuration (.sumocfg)");
  f->add_option("--net", files->inputs.net_file, "SUMO network (.net.xml or .net.xml.gz)");
  f->add_option("--routes", files->inputs.route_files,
                "SUMO route files (.rou.xml[.gz]), any number")
      ->delimiter(',');
  f->add_option("--additional", files->inputs.additional_files,
                "SUMO additional files (tlLogic programs, vTypes), any number")
      ->delimiter(',');
  f->add_option("--begin", files->inputs.begin, "Simulated second the scenario begins at")
      ->capture_default_str();
  add_import_output_options(*f, args);
  args.formats.push_back({f, [files] { return files->load(); }});
}

void add_simulate_sumo(CLI::App& simulate, std::vector<SimulateSource>& sources) {
  auto files = std::make_shared<SumoFiles>();
  simulate.add_option("--sumo", files->sumocfg,
                      "A SUMO scenario (.sumocfg): runs until every vehicle has left and reports "
                      "SUMO's trip statistics");
  SimulateSource source;
  source.name = "--sumo";
  source.given = [files] { return !files->sumocfg.empty(); };
  source.load = [files] { return files->load(); };
  source.trips = true;
  sources.push_back(std::move(source));
}

}  // namespace citybrain::cli
