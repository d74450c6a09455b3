// citybrain import osm: an OpenStreetMap extract as CityFlow files with generated demand. Besides
// the shared output it writes import_report.json (every dropped element, and the import time).
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "citybrain/core/error.hpp"
#include "commands.hpp"

namespace citybrain::cli {

namespace {
struct OsmInput {
  std::string file;
  import::OsmOptions options;
};
}  // namespace

void add_osm_options(CLI::App& cmd, import::OsmOptions& o) {
  cmd.add_option("--trips", o.trips, "Vehicles to generate")->capture_default_str();
  cmd.add_option("--demand", o.demand,
                 "random (boundary to boundary) | gravity (all roads, distance decay) | none")
      ->capture_default_str();
}

void add_import_osm(CLI::App& import, ImportArgs& args) {
  auto in = std::make_shared<OsmInput>();
  auto* f = import.add_subcommand(
      "osm", "An OpenStreetMap extract (.osm, .osm.gz, .osm.bz2, .osm.pbf) with generated demand");
  f->add_option("file", in->file, "The extract")->required();
  add_import_output_options(*f, args);
  add_osm_options(*f, in->options);
  f->add_option("--seed", in->options.seed, "Random seed of the demand")->capture_default_str();
  f->add_option("--duration", in->options.duration, "Seconds over which trips depart")
      ->capture_default_str();
  const ImportArgs* shared = &args;
  args.formats.push_back(
      {f, [in, shared] {
         namespace fs = std::filesystem;
         const auto t0 = std::chrono::steady_clock::now();
         import::ImportedCity city = import::import_osm(in->file, in->options);
         const double secs =
             std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
         std::error_code ec;
         fs::create_directories(shared->out_dir, ec);
         const fs::path path = fs::path(shared->out_dir) / "import_report.json";
         nlohmann::json report = city.report.to_json(true);
         report["import_seconds"] = secs;
         std::ofstream out(path);
         if (!out) throw Error(ErrorCode::kIo, path.string(), "cannot write the file");
         out << report.dump(2) << "\n";
         std::fprintf(stderr, "imported %s in %.2f s\n", in->file.c_str(), secs);
         return city;
       }});
}

}  // namespace citybrain::cli
