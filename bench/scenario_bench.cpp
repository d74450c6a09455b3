// Whole-scenario speed: vehicle-steps per second (the sum over steps of the vehicles running in
// that step, divided by the wall seconds of stepping; loading excluded), simulated seconds per
// wall second and peak memory. One scenario per process so that peak memory is its own.
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>

#include "citybrain/citybrain.hpp"
#include "citybrain/core/error.hpp"
#include "citybrain/demand/cityflow_flow.hpp"
#include "citybrain/demand/generator.hpp"
#include "citybrain/net/cityflow_roadnet.hpp"

int main(int argc, char** argv) {
  CLI::App app{"citybrain scenario benchmark"};
  std::string roadnet, flow, name = "scenario";
  int grid = 0, threads = 1, steps = 3600;
  double volume = 0;
  bool lane_change = false, rl = false;
  app.add_option("--roadnet", roadnet);
  app.add_option("--flow", flow);
  app.add_option("--grid", grid, "Generate an NxN grid instead of reading files");
  app.add_option("--volume", volume, "Generated grid: vehicles per hour per entry road");
  app.add_option("--name", name);
  app.add_option("--threads", threads);
  app.add_option("--steps", steps);
  app.add_flag("--lane-change", lane_change);
  app.add_flag("--rl", rl, "rlTrafficLight true (signals hold phase 0)");
  CLI11_PARSE(app, argc, argv);
  try {
    std::shared_ptr<citybrain::net::Network> net;
    std::shared_ptr<citybrain::demand::Demand> demand;
    if (grid > 0) {
      citybrain::demand::GridSpec spec = citybrain::demand::default_city_spec();
      spec.rows = spec.cols = grid;
      spec.profile = "flat";
      if (volume > 0) spec.volume = volume;
      auto texts = citybrain::demand::generate_grid(spec);  // freed at the end of this block
      net = std::make_shared<citybrain::net::Network>(
          citybrain::net::parse_cityflow_roadnet(texts.roadnet_json, "generated roadnet"));
      demand = std::make_shared<citybrain::demand::Demand>(
          citybrain::demand::parse_cityflow_flow(texts.flow_json, "generated flow", *net));
    } else {
      net =
          std::make_shared<citybrain::net::Network>(citybrain::net::load_cityflow_roadnet(roadnet));
      demand = std::make_shared<citybrain::demand::Demand>(
          citybrain::demand::load_cityflow_flow(flow, *net));
    }
    citybrain::sim::SimConfig config;
    config.threads = threads;
    config.lane_change = lane_change;
    config.rl_traffic_light = rl;
    citybrain::sim::Engine engine(net, demand, config);
    std::size_t max_running = 0;
    double wall = 0;
    double clone_ms = 0;
    std::size_t clone_vehicles = 0;
    for (int s = 0; s < steps; ++s) {
      auto start = std::chrono::steady_clock::now();
      engine.step();
      wall += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      max_running = std::max(max_running, engine.vehicle_count());
      if (s == steps / 2) {
        // A what-if copy in the middle of the run: the whole state, cloned.
        auto t0 = std::chrono::steady_clock::now();
        citybrain::sim::Engine copy = engine;
        clone_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                       .count();
        clone_vehicles = copy.vehicle_count();
      }
    }
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    std::printf(
        "{\"scenario\": \"%s\", \"threads\": %d, \"steps\": %d, \"vehicles_generated\": %zu, "
        "\"max_running\": %zu, \"vehicle_steps\": %llu, \"wall_seconds\": %.4f, "
        "\"vehicle_steps_per_second\": %.0f, \"sim_seconds_per_second\": %.1f, "
        "\"clone_ms\": %.2f, \"clone_vehicles\": %zu, \"peak_rss_mb\": %.1f}\n",
        name.c_str(), threads, steps, engine.vehicles_generated(), max_running,
        static_cast<unsigned long long>(engine.vehicle_steps()), wall,
        static_cast<double>(engine.vehicle_steps()) / wall, engine.time() / wall, clone_ms,
        clone_vehicles, static_cast<double>(usage.ru_maxrss) / 1024.0);
    return 0;
  } catch (const citybrain::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
}
