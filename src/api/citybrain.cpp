#include "citybrain/citybrain.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>

#include "citybrain/control/controllers.hpp"
#include "citybrain/control/protocol.hpp"
#include "citybrain/core/error.hpp"
#include "citybrain/demand/cityflow_flow.hpp"
#include "citybrain/net/cityflow_roadnet.hpp"
#include "citybrain/sim/benchmark_att.hpp"
#include "citybrain/sim/cityflow_config.hpp"
#include "citybrain/sim/delay_index.hpp"
#include "citybrain/sim/replay.hpp"

namespace citybrain {

Scenario load_scenario(const std::string& config_file) {
  sim::CityFlowConfig config = sim::load_cityflow_config(config_file);
  Scenario scenario = load_scenario(config.roadnet_file, config.flow_file);
  scenario.sim.interval = config.interval;
  scenario.sim.seed = config.seed;
  scenario.sim.rl_traffic_light = config.rl_traffic_light;
  scenario.sim.lane_change = config.lane_change;
  scenario.signal_actions = config.signal_actions;
  if (config.save_replay) {
    scenario.replay_file = config.replay_log_file;
    scenario.replay_roadnet_file = config.roadnet_log_file;
  }
  return scenario;
}

Scenario load_scenario(const std::string& roadnet_file, const std::string& flow_file) {
  Scenario scenario;
  auto network = std::make_shared<net::Network>(net::load_cityflow_roadnet(roadnet_file));
  scenario.demand =
      std::make_shared<demand::Demand>(demand::load_cityflow_flow(flow_file, *network));
  scenario.network = std::move(network);
  scenario.roadnet_file = roadnet_file;
  return scenario;
}

Scenario scenario_from_json(const std::string& roadnet_json, const std::string& flow_json,
                            const std::string& name) {
  Scenario scenario;
  auto network =
      std::make_shared<net::Network>(net::parse_cityflow_roadnet(roadnet_json, name + " roadnet"));
  scenario.demand = std::make_shared<demand::Demand>(
      demand::parse_cityflow_flow(flow_json, name + " flow", *network));
  scenario.network = std::move(network);
  return scenario;
}

Scenario scenario_from(const import::ImportedCity& city, const std::string& name) {
  Scenario scenario = scenario_from_json(city.roadnet_json, city.flow_json, name + " (imported)");
  scenario.signal_actions = control::ProtocolSpec::kAllPhases;
  return scenario;
}

Report run(const Scenario& scenario, const RunOptions& options) {
  if (!(options.duration > 0)) {
    throw Error(ErrorCode::kInvalidArgument, "--duration",
                "expected a positive number of seconds, found " + std::to_string(options.duration));
  }
  sim::SimConfig config = scenario.sim;
  if (options.threads) {
    if (*options.threads < 1 || *options.threads > 256) {
      throw Error(ErrorCode::kInvalidArgument, "--threads",
                  "expected 1..256, found " + std::to_string(*options.threads));
    }
    config.threads = *options.threads;
  }
  if (options.seed) config.seed = *options.seed;
  if (options.lane_change) config.lane_change = *options.lane_change;
  const bool controlled = options.controller != "none";
  control::ProtocolSpec spec =
      control::ProtocolSpec::of(control::parse_protocol(options.protocol.value_or("llmlight30")));
  spec.horizon = static_cast<int>(std::ceil(options.duration));
  spec.actions = scenario.signal_actions;
  // Validates the name before any work (throws an invalid-argument error naming the choices).
  std::unique_ptr<control::Controller> controller =
      controlled
          ? control::make_controller(options.controller, spec.decision_interval, scenario.network)
          : nullptr;
  if (options.protocol && !controlled) {
    throw Error(ErrorCode::kInvalidArgument, "--protocol",
                "a protocol needs a controller (expected --controller and one of the controllers)");
  }
  if (controlled) config.rl_traffic_light = true;

  sim::Engine engine(scenario.network, scenario.demand, config);
  std::unique_ptr<sim::ReplayWriter> replay;
  if (!scenario.replay_file.empty()) {
    replay = std::make_unique<sim::ReplayWriter>(engine, scenario.replay_roadnet_file,
                                                 scenario.replay_file);
  }
  Report report;
  report.threads = config.threads;
  std::optional<sim::DelayIndex> delay;
  if (options.delay_index) delay.emplace(engine);
  // After every step: the peak on the road and the delay index (checked against the KDD Cup's
  // 1.40 every 20 s).
  auto observe = [&](const sim::Engine& e) {
    report.peak_vehicles_running = std::max(report.peak_vehicles_running, e.vehicle_count());
    if (!delay) return;
    const bool check = report.delay_index_limit_time < 0 && e.step_count() % 20 == 0;
    delay->observe(e, check);
    if (check && delay->value() > 1.40) {
      report.delay_index_limit_time = e.time();
      report.vehicles_served_at_limit = delay->served();
    }
  };
  report.controller = options.controller;
  auto start = std::chrono::steady_clock::now();
  if (controlled) {
    report.protocol = options.protocol.value_or("llmlight30");
    auto result = control::run_protocol(
        engine, *controller, spec,
        [&](double t) {
          if (replay) replay->flush();
          if (options.progress) options.progress(t, engine);
        },
        [&](const sim::Engine& e) {
          if (replay) replay->write_step(e);
          observe(e);
        });
    report.att = result.att;
    report.att_vehicles = result.att_vehicles;
  } else {
    sim::BenchmarkAtt att(engine);
    double last_progress = 0;
    while (engine.time() < options.duration - 1e-9) {
      if (options.until_empty && engine.step_count() > 0 && engine.demand_exhausted() &&
          engine.vehicle_count() == 0 && engine.waiting_to_enter() == 0)
        break;
      engine.step();
      att.observe(engine);
      if (replay) replay->write_step(engine);
      observe(engine);
      if (options.progress && engine.time() - last_progress >= 300) {
        last_progress = engine.time();
        options.progress(engine.time(), engine);
      }
    }
    report.att = att.att(engine.time());
    report.att_vehicles = att.vehicles();
  }
  auto end = std::chrono::steady_clock::now();
  report.wall_seconds = std::chrono::duration<double>(end - start).count();
  report.sim_seconds = engine.time();
  report.att_cityflow = engine.average_travel_time_cityflow();
  report.vehicles_generated = engine.vehicles_generated();
  report.vehicles_finished = engine.vehicles_finished();
  report.vehicles_running = engine.vehicle_count();
  report.throughput = report.sim_seconds > 0 ? static_cast<double>(report.vehicles_finished) *
                                                   3600.0 / report.sim_seconds
                                             : 0;
  report.vehicle_steps = engine.vehicle_steps();
  report.trip_statistics = options.trip_statistics;
  report.arrived = engine.vehicles_finished();
  report.mean_travel_time = engine.mean_trip_duration();
  if (delay) {
    delay->observe(engine, /*with_rest=*/true);  // the last step again, measuring every route
    report.delay_index = delay->value();
    report.vehicles_served = delay->served();
  }
  if (report.wall_seconds > 0) {
    report.vehicle_steps_per_second =
        static_cast<double>(report.vehicle_steps) / report.wall_seconds;
    report.sim_seconds_per_second = report.sim_seconds / report.wall_seconds;
  }
  return report;
}

nlohmann::json to_json(const Report& r) {
  nlohmann::json j;
  j["vehicles_generated"] = r.vehicles_generated;
  j["vehicles_finished"] = r.vehicles_finished;
  j["vehicles_running"] = r.vehicles_running;
  j["att"] = r.att;
  j["att_vehicles"] = r.att_vehicles;
  j["att_cityflow"] = r.att_cityflow;
  j["throughput"] = r.throughput;
  j["sim_seconds"] = r.sim_seconds;
  j["wall_seconds"] = r.wall_seconds;
  j["vehicle_steps"] = r.vehicle_steps;
  j["vehicle_steps_per_second"] = r.vehicle_steps_per_second;
  j["sim_seconds_per_second"] = r.sim_seconds_per_second;
  j["controller"] = r.controller;
  j["protocol"] = r.protocol;
  j["threads"] = r.threads;
  if (r.trip_statistics) {
    j["arrived"] = r.arrived;
    j["mean_travel_time"] = r.mean_travel_time;
  }
  j["peak_vehicles_running"] = r.peak_vehicles_running;
  if (r.delay_index) {
    j["delay_index"] = *r.delay_index;
    j["vehicles_served"] = r.vehicles_served;
    if (r.delay_index_limit_time >= 0) {
      j["delay_index_limit_time"] = r.delay_index_limit_time;
      j["vehicles_served_at_limit"] = r.vehicles_served_at_limit;
    }
  }
  return j;
}

}  // namespace citybrain
