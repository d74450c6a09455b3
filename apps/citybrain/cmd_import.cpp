// citybrain import <format>: the part every format shares (output files, report), and the
// CityFlow files writer generate uses too.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "citybrain/core/error.hpp"
#include "commands.hpp"

namespace citybrain::cli {

namespace {
void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  if (!out) throw Error(ErrorCode::kIo, path.string(), "cannot write the file");
  out << text;
  if (!out) throw Error(ErrorCode::kIo, path.string(), "cannot write the file");
}
}  // namespace

void add_import(CLI::App& app, ImportArgs& args) {
  args.import = app.add_subcommand(
      "import",
      "Import a city from another format as CityFlow files (and report what was dropped)");
  args.import->require_subcommand(1);
  add_import_cbengine(*args.import, args);
  add_import_osm(*args.import, args);
  add_import_sumo(*args.import, args);
}

void add_import_output_options(CLI::App& format, ImportArgs& args) {
  format
      .add_option("--out-dir", args.out_dir, "Directory for roadnet.json, flow.json, config.json")
      ->required();
  format.add_flag("--details", args.details, "List every dropped element and why");
}

std::string write_city_files(const std::string& out_dir, const std::string& roadnet_json,
                             const std::string& flow_json, std::uint64_t seed, int signal_actions) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) throw Error(ErrorCode::kIo, out_dir, "cannot create the directory: " + ec.message());
  fs::path dir = fs::absolute(out_dir, ec);
  if (ec) dir = out_dir;
  write_file(dir / "roadnet.json", roadnet_json);
  write_file(dir / "flow.json", flow_json);
  nlohmann::json config{{"interval", 1.0},
                        {"seed", seed},
                        {"dir", (dir / "").string()},
                        {"roadnetFile", "roadnet.json"},
                        {"flowFile", "flow.json"},
                        {"rlTrafficLight", false},
                        {"laneChange", false},
                        {"saveReplay", false},
                        {"roadnetLogFile", "replay_roadnet.json"},
                        {"replayLogFile", "replay.txt"}};
  if (signal_actions >= 0) config["signalActions"] = signal_actions;
  write_file(dir / "config.json", config.dump(2) + "\n");
  return (dir / "config.json").string();
}

int run_import(const ImportArgs& args) {
  for (const ImportFormat& f : args.formats) {
    if (!f.app->parsed()) continue;
    import::ImportedCity city = f.load();
    const std::string config = write_city_files(args.out_dir, city.roadnet_json, city.flow_json,
                                                /*seed=*/0, /*signal_actions=*/0);
    std::cout << city.report.summary();
    if (args.details) {
      for (const import::Dropped& d : city.report.dropped())
        std::cout << "dropped " << d.kind << " " << d.id << ": " << d.reason << "\n";
    }
    std::cout << "wrote " << config << std::endl;
    return 0;
  }
  throw Error(ErrorCode::kInvalidArgument, "import", "expected a format subcommand");
}

}  // namespace citybrain::cli
