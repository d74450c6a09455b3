// citybrain generate grid: a synthetic grid city in the TSC benchmark layout, as CityFlow files.
#include <chrono>
#include <cstdio>

#include "commands.hpp"

namespace citybrain::cli {

Scenario generated_scenario(const demand::GridSpec& spec, const std::string& name) {
  const demand::GeneratedCity city = demand::generate_grid(spec);
  Scenario scenario = scenario_from_json(city.roadnet_json, city.flow_json, name);
  scenario.sim.seed = spec.seed;
  return scenario;
}

Scenario default_city(const std::string& missing) {
  const demand::GridSpec spec = demand::default_city_spec();
  std::fprintf(stderr,
               "note: no %s given; running the embedded default city (%dx%d grid, %.0f m roads, "
               "%s demand, seed %llu)\n",
               missing.c_str(), spec.rows, spec.cols, spec.road_length_x, spec.profile.c_str(),
               static_cast<unsigned long long>(spec.seed));
  return generated_scenario(spec, "<default city>");
}

void add_generate(CLI::App& app, GenerateArgs& args) {
  auto* gen = app.add_subcommand("generate", "Generate a city (grid network and demand)");
  gen->require_subcommand(1);
  auto* g = gen->add_subcommand(
      "grid",
      "A rows x cols grid of signalised intersections with boundary demand (CityFlow files)");
  args.grid = g;
  demand::GridSpec& s = args.spec;
  g->add_option("--rows", s.rows, "Signalised intersections north-south (1..200)")->required();
  g->add_option("--cols", s.cols, "Signalised intersections east-west (1..200)")->required();
  g->add_option("--road-length", args.road_length, "Metres between intersections (50..10000)")
      ->capture_default_str();
  g->add_option("--volume", s.volume, "Vehicles/hour entering per boundary road (mean, 0..3600]")
      ->capture_default_str();
  g->add_option("--profile", s.profile, "flat | peak (morning peak, same mean)")
      ->capture_default_str();
  g->add_option("--duration", s.duration, "Seconds of demand (1..86400)")->capture_default_str();
  g->add_option("--left", s.left, "Left-turn share (0..1)")->capture_default_str();
  g->add_option("--straight", s.straight, "Straight share (0..1)")->capture_default_str();
  g->add_option("--right", s.right, "Right-turn share (0..1)")->capture_default_str();
  g->add_option("--seed", s.seed, "Random seed")->capture_default_str();
  g->add_option("--out-dir", args.out_dir, "Directory for roadnet.json, flow.json, config.json")
      ->required();
}

int run_generate(CLI::App&, const GenerateArgs& args) {
  demand::GridSpec spec = args.spec;
  spec.road_length_x = spec.road_length_y = args.road_length;
  auto t0 = std::chrono::steady_clock::now();
  demand::GeneratedCity city = demand::generate_grid(spec);
  const std::string config = write_city_files(args.out_dir, city.roadnet_json, city.flow_json,
                                              spec.seed, /*signal_actions=*/-1);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::fprintf(stderr, "generated %dx%d grid, %zu vehicles in %.2f s -> %s\n", spec.rows, spec.cols,
               city.vehicles, secs, config.c_str());
  return 0;
}

}  // namespace citybrain::cli
