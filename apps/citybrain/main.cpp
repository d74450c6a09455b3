// citybrain: the command-line front end. Thin: it parses arguments and calls the facade.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "citybrain/citybrain.hpp"
#include "citybrain/core/error.hpp"
#include "citybrain/demand/cityflow_flow.hpp"
#include "citybrain/demand/generator.hpp"
#include "citybrain/net/cityflow_roadnet.hpp"
#include "commands.hpp"

namespace {

struct SimulateArgs {
  std::string config, roadnet, flow, report, controller = "none", protocol;
  double duration = 3600;
  bool duration_given = false;
  int threads = 1;
  std::int64_t seed = -1;
  bool quiet = false;
  bool delay_index = false;
  std::string lane_change;
  std::string osm;  // an OpenStreetMap extract, imported in memory
  citybrain::import::OsmOptions osm_options;
};

int simulate(const SimulateArgs& a, const std::vector<citybrain::cli::SimulateSource>& sources) {
  using citybrain::Error;
  using citybrain::ErrorCode;
  // Exactly one kind of input (or none: the default city).
  std::vector<std::string> kinds;
  if (!a.config.empty()) kinds.push_back("--config");
  if (!a.roadnet.empty() || !a.flow.empty()) kinds.push_back("--roadnet/--flow");
  if (!a.osm.empty()) kinds.push_back("--osm");
  const citybrain::cli::SimulateSource* source = nullptr;
  for (const auto& src : sources) {
    if (src.given()) {
      kinds.push_back(src.name);
      source = &src;
    }
  }
  if (kinds.size() > 1) {
    std::string given;
    for (const auto& k : kinds) given += (given.empty() ? "" : ", ") + k;
    throw Error(ErrorCode::kInvalidArgument, "simulate", "give one kind of input, found " + given);
  }
  if (a.config.empty() && (!a.roadnet.empty() || !a.flow.empty()) &&
      (a.roadnet.empty() || a.flow.empty())) {
    throw Error(ErrorCode::kInvalidArgument, "simulate",
                "give either --config, or both --roadnet and --flow (or neither for the default "
                "city)");
  }
  citybrain::Scenario scenario;
  double source_seconds = -1;  // an imported source's own length (SUMO's end - begin)
  if (kinds.empty()) {
    scenario = citybrain::cli::default_city("--config or --roadnet/--flow");
  } else if (!a.osm.empty()) {
    citybrain::import::OsmOptions o = a.osm_options;
    o.duration = a.duration;
    if (a.seed >= 0) o.seed = static_cast<std::uint64_t>(a.seed);
    citybrain::import::ImportedCity city = citybrain::import::import_osm(a.osm, o);
    if (!a.quiet) std::fprintf(stderr, "%s", city.report.summary().c_str());
    scenario = citybrain::scenario_from(city, a.osm);
  } else if (source) {
    const citybrain::import::ImportedCity city = source->load();
    if (city.end >= 0) source_seconds = city.end - city.begin;
    scenario = citybrain::scenario_from(city, source->name);
  } else {
    scenario = a.config.empty() ? citybrain::load_scenario(a.roadnet, a.flow)
                                : citybrain::load_scenario(a.config);
  }
  citybrain::RunOptions options;
  options.duration = a.duration;
  if (source && source->trips) {
    options.until_empty = true;
    options.trip_statistics = true;
    if (!a.duration_given) options.duration = source_seconds > 0 ? source_seconds : 86400;
  }
  options.controller = a.controller;
  if (!a.protocol.empty()) options.protocol = a.protocol;
  options.threads = a.threads;
  options.delay_index = a.delay_index;
  if (a.seed >= 0) options.seed = static_cast<std::uint64_t>(a.seed);
  if (a.lane_change == "on") options.lane_change = true;
  if (a.lane_change == "off") options.lane_change = false;
  if (!a.quiet) {
    options.progress = [&](double t, const citybrain::sim::Engine& engine) {
      std::fprintf(stderr, "\r  t=%6.0f s  running=%zu  finished=%zu", t, engine.vehicle_count(),
                   engine.vehicles_finished());
    };
  }
  citybrain::Report report = citybrain::run(scenario, options);
  if (!a.quiet) std::fprintf(stderr, "\n");
  nlohmann::json j = citybrain::to_json(report);
  if (!a.report.empty()) {
    std::ofstream out(a.report);
    if (!out) throw Error(ErrorCode::kIo, a.report, "cannot write the report");
    out << j.dump(2) << "\n";
  }
  std::cout << j.dump(2) << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"citybrain: a city's traffic brain and its digital twin"};
  app.require_subcommand(1);

  SimulateArgs sim;
  auto* s = app.add_subcommand(
      "simulate", "Run the digital twin on a scenario (CityFlow files or an imported format)");
  s->add_option("--config", sim.config, "CityFlow config.json");
  s->add_option("--roadnet", sim.roadnet, "CityFlow roadnet.json");
  s->add_option("--flow", sim.flow, "CityFlow flow.json");
  s->add_option("--duration", sim.duration,
                "Simulated seconds (default 3600; --sumo: at most, default the scenario's end)");
  s->add_option(
       "--controller", sim.controller,
       "none (the file's signal plans) | fixed | maxpressure | sotl | efficient | advanced | brain")
      ->capture_default_str();
  s->add_option("--protocol", sim.protocol,
                "llmlight30 | xlight15 | kddcup (10 s decisions; with a controller)");
  s->add_flag("--delay-index", sim.delay_index,
              "Also report the KDD Cup 2021 delay index and the vehicles served");
  s->add_option("--threads", sim.threads, "Worker threads")->capture_default_str();
  s->add_option("--seed", sim.seed, "Random seed (default: the config's)");
  s->add_option("--lane-change", sim.lane_change, "on | off (default: the config's)")
      ->check(CLI::IsMember({"on", "off"}));
  s->add_option("--report", sim.report, "Write the JSON report here");
  s->add_flag("--quiet", sim.quiet, "No progress line");
  s->add_option("--osm", sim.osm, "An OpenStreetMap extract, imported with generated demand");
  citybrain::cli::add_osm_options(*s, sim.osm_options);
  std::vector<citybrain::cli::SimulateSource> sources;
  citybrain::cli::add_simulate_cbengine(*s, sources);
  citybrain::cli::add_simulate_sumo(*s, sources);

  citybrain::cli::GenerateArgs gen;
  citybrain::cli::add_generate(app, gen);
  citybrain::cli::MatchArgs match;
  citybrain::cli::add_match(app, match);
  citybrain::cli::EvaluateArgs evaluate;
  citybrain::cli::add_evaluate(app, evaluate);
  citybrain::cli::RunArgs run;
  citybrain::cli::add_run(app, run);
  citybrain::cli::ImportArgs import_args;
  citybrain::cli::add_import(app, import_args);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  try {
    if (s->parsed()) {
      sim.duration_given = s->get_option("--duration")->count() > 0;
      return simulate(sim, sources);
    }
    if (import_args.import->parsed()) return citybrain::cli::run_import(import_args);
    if (match.match->parsed()) return citybrain::cli::run_match(match);
    if (match.eval->parsed()) return citybrain::cli::run_match_eval(match);
    if (evaluate.evaluate->parsed()) return citybrain::cli::run_evaluate(evaluate);
    if (run.run->parsed()) return citybrain::cli::run_run(run);
    return citybrain::cli::run_generate(app, gen);
  } catch (const citybrain::Error& e) {
    std::cerr << "error: " << e.what() << std::endl;
    return citybrain::exit_code(e.code());
  } catch (const std::exception& e) {
    std::cerr << "internal error: " << e.what() << std::endl;
    return 70;
  }
}
