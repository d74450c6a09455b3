// Subcommands other than simulate, each in its own file.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "citybrain/citybrain.hpp"
#include "citybrain/demand/generator.hpp"
#include "citybrain/import/import_report.hpp"
#include "citybrain/import/osm.hpp"
#include "citybrain/sense/matcher.hpp"

namespace citybrain::cli {

struct GenerateArgs {
  CLI::App* grid = nullptr;
  demand::GridSpec spec;
  double road_length = 300;
  std::string out_dir;
};
void add_generate(CLI::App& app, GenerateArgs& args);
// A generated grid city as a Scenario (through the CityFlow loaders), seeded with spec.seed.
Scenario generated_scenario(const demand::GridSpec& spec, const std::string& name);
// The embedded default city (demand::default_city_spec()); says on stderr that it runs it because
// `missing` (the options that name a city) were not given.
Scenario default_city(const std::string& missing);
// Returns the exit code; called when the generate subcommand was parsed.
int run_generate(CLI::App& app, const GenerateArgs& args);

struct MatchArgs {
  CLI::App* match = nullptr;
  CLI::App* eval = nullptr;
  std::string network, points, out;
  bool lonlat = false;
  sense::MatchParams params;
  std::string data = "../shared/data/mapmatch/kubicka";
  int first = 0;
  int count = 100;
  bool per_track = false;
  sense::MatchParams eval_params;
};
void add_match(CLI::App& app, MatchArgs& args);
int run_match(const MatchArgs& args);
int run_match_eval(const MatchArgs& args);

struct EvaluateArgs {
  CLI::App* evaluate = nullptr;
  std::string suite, protocol, controllers, datasets, data_dir, report;
  int grid_size = 4;
  int jobs = 0;
  int horizon = 3600;  // simulated seconds (the protocols' 3600; shorter for speed checks)
};
void add_evaluate(CLI::App& app, EvaluateArgs& args);
int run_evaluate(const EvaluateArgs& args);

// citybrain import <format> ... --out-dir DIR [--details]: each format is a subcommand of import
// (its own add_import_* in its own file) that turns its files into an ImportedCity; the shared
// part writes roadnet.json, flow.json and config.json and prints the report.
struct ImportFormat {
  CLI::App* app = nullptr;
  std::function<import::ImportedCity()> load;
};
struct ImportArgs {
  CLI::App* import = nullptr;
  std::string out_dir;
  bool details = false;
  std::vector<ImportFormat> formats;
};
void add_import(CLI::App& app, ImportArgs& args);
// Adds --out-dir and --details to a format's subcommand.
void add_import_output_options(CLI::App& format, ImportArgs& args);
int run_import(const ImportArgs& args);
// Writes roadnet.json, flow.json and a config.json naming them into out_dir (created if missing),
// for generate and import. signal_actions >= 0 is written as config signalActions (0: every phase
// is an action); below 0 it is left out (the benchmark layout). Returns config.json's path.
std::string write_city_files(const std::string& out_dir, const std::string& roadnet_json,
                             const std::string& flow_json, std::uint64_t seed, int signal_actions);

// The formats (one file each).
void add_import_cbengine(CLI::App& import, ImportArgs& args);
void add_import_sumo(CLI::App& import, ImportArgs& args);
// import osm FILE [--trips --demand --seed --duration] (cmd_import_osm.cpp).
void add_import_osm(CLI::App& import, ImportArgs& args);
// The demand options shared by import osm and simulate --osm.
void add_osm_options(CLI::App& cmd, import::OsmOptions& options);

// simulate's inputs from other formats: each format adds its options to simulate and says
// whether they were given and how to load them.
struct SimulateSource {
  std::string name;                            // "--cbengine-roadnet/--cbengine-flow"
  std::function<bool()> given;                 // any of its options was given
  std::function<import::ImportedCity()> load;  // validates that all needed options were given
  // SUMO's semantics: run until every vehicle has left, at most --duration (default: the
  // scenario's end, else a day), and report SUMO's trip statistics (mean_travel_time, arrived).
  bool trips = false;
};
void add_simulate_cbengine(CLI::App& simulate, std::vector<SimulateSource>& sources);
void add_simulate_sumo(CLI::App& simulate, std::vector<SimulateSource>& sources);

struct RunArgs {
  CLI::App* run = nullptr;
  std::string city, host = "127.0.0.1", controller = "maxpressure", data_dir = "citybrain-data",
                    web_dir;
  double speed = 1.0;
  int port = 8080;
  int threads = 1;
};
void add_run(CLI::App& app, RunArgs& args);
int run_run(const RunArgs& args);

}  // namespace citybrain::cli
