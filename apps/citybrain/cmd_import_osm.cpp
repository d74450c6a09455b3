// citybrain import osm: an OpenStreetMap extract as CityFlow files with generated demand, and the
// importer's report (summary on stderr, every dropped element in import_report.json).
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "citybrain/core/error.hpp"
#include "commands.hpp"

namespace citybrain::cli {

namespace {
void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  if (!out) throw Error(ErrorCode::kIo, path.string(), "cannot write the file");
  out << text;
  if (!out) throw Error(ErrorCode::kIo, path.string(), "cannot write the file");
}
}  // namespace

void add_osm_options(CLI::App& cmd, import::OsmOptions& o) {
  cmd.add_option("--trips", o.trips, "Vehicles to generate")->capture_default_str();
  cmd.add_option("--demand", o.demand,
                 "random (boundary to boundary) | gravity (all roads, distance decay) | none")
      ->capture_default_str();
}

void add_import_osm(CLI::App& import_cmd, ImportOsmArgs& args) {
  auto* c = import_cmd.add_subcommand(
      "osm", "An OpenStreetMap extract (.osm, .osm.gz, .osm.bz2, .osm.pbf) as CityFlow files");
  args.cmd = c;
  c->add_option("file", args.file, "The extract")->required();
  c->add_option("--out-dir", args.out_dir,
                "Directory for roadnet.json, flow.json, config.json, import_report.json")
      ->required();
  add_osm_options(*c, args.options);
  c->add_option("--seed", args.options.seed, "Random seed of the demand")->capture_default_str();
  // --duration is the demand period here, as for generate grid.
  c->add_option("--duration", args.options.duration, "Seconds over which trips depart")
      ->capture_default_str();
}

int run_import_osm(const ImportOsmArgs& args) {
  namespace fs = std::filesystem;
  const auto t0 = std::chrono::steady_clock::now();
  import::ImportedCity city = import::import_osm(args.file, args.options);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::error_code ec;
  fs::create_directories(args.out_dir, ec);
  if (ec) throw Error(ErrorCode::kIo, args.out_dir, "cannot create the directory: " + ec.message());
  fs::path dir = fs::absolute(args.out_dir, ec);
  if (ec) dir = args.out_dir;
  write_text(dir / "roadnet.json", city.roadnet_json);
  write_text(dir / "flow.json", city.flow_json);
  nlohmann::json config{{"interval", 1.0},
                        {"seed", args.options.seed},
                        {"dir", (dir / "").string()},
                        {"roadnetFile", "roadnet.json"},
                        {"flowFile", "flow.json"},
                        {"rlTrafficLight", false},
                        {"signalActions", 0},
                        {"laneChange", false},
                        {"saveReplay", false},
                        {"roadnetLogFile", "replay_roadnet.json"},
                        {"replayLogFile", "replay.txt"}};
  write_text(dir / "config.json", config.dump(2) + "\n");
  nlohmann::json report = city.report.to_json(true);
  report["import_seconds"] = secs;
  write_text(dir / "import_report.json", report.dump(2) + "\n");
  std::fprintf(stderr, "%s", city.report.summary().c_str());
  std::fprintf(stderr, "imported %s in %.2f s -> %s\n", args.file.c_str(), secs,
               (dir / "config.json").string().c_str());
  return 0;
}

}  // namespace citybrain::cli
