// citybrain evaluate: the signal-control scoreboard. Runs controllers under a benchmark protocol
// on the TSC datasets (or a generated grid) and sets each ATT beside the best published figure.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "citybrain/citybrain.hpp"
#include "citybrain/control/protocol.hpp"
#include "citybrain/control/tsc_benchmarks.hpp"
#include "citybrain/core/error.hpp"
#include "citybrain/demand/cityflow_flow.hpp"
#include "citybrain/net/cityflow_roadnet.hpp"
#include "commands.hpp"

namespace citybrain::cli {

namespace {

std::vector<std::string> split(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

std::filesystem::path find_tsc_dir(const std::string& given) {
  namespace fs = std::filesystem;
  if (!given.empty()) {
    if (!fs::is_directory(given))
      throw Error(ErrorCode::kNotFound, given,
                  "the TSC benchmark data directory does not exist (expected the folder holding "
                  "jinan_3x4/, hangzhou_4x4/, newyork_16x3/)");
    return given;
  }
  for (fs::path dir = fs::current_path(); !dir.empty(); dir = dir.parent_path()) {
    const fs::path candidate = dir / "../shared/data/tsc";
    if (fs::is_directory(candidate)) return fs::weakly_canonical(candidate);
    if (dir == dir.parent_path()) break;
  }
  throw Error(ErrorCode::kNotFound, "../shared/data/tsc",
              "the TSC benchmark data was not found beside the working directory or any parent "
              "(give --data-dir)");
}

struct Job {
  std::string dataset;
  std::string controller;
  Scenario scenario;
  double published = 0;
};

struct Row {
  std::string dataset, controller;
  double att = 0, att_cityflow = 0, wall_seconds = 0, ms_per_decision = 0;
  std::size_t intersections = 0, att_vehicles = 0;
  double published = 0;
};

Scenario generated_grid(int size) {
  demand::GridSpec spec;
  spec.rows = spec.cols = size;
  spec.profile = "peak";
  return generated_scenario(spec, "<generated grid>");
}

Row run_job(const Job& job, const control::ProtocolSpec& spec) {
  sim::SimConfig config = job.scenario.sim;
  config.rl_traffic_light = true;
  config.lane_change = true;
  config.seed = 0;
  config.threads = 1;
  sim::Engine engine(job.scenario.network, job.scenario.demand, config);
  auto controller =
      control::make_controller(job.controller, spec.decision_interval, job.scenario.network);
  const auto t0 = std::chrono::steady_clock::now();
  control::ProtocolResult result = control::run_protocol(engine, *controller, spec);
  Row row;
  row.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  row.dataset = job.dataset;
  row.controller = job.controller;
  row.att = result.att;
  row.att_cityflow = result.att_cityflow;
  row.att_vehicles = result.att_vehicles;
  row.ms_per_decision =
      result.decisions ? 1000.0 * result.decide_seconds / static_cast<double>(result.decisions) : 0;
  row.intersections = control::controlled_intersections(*job.scenario.network).size();
  row.published = job.published;
  return row;
}

}  // namespace

void add_evaluate(CLI::App& app, EvaluateArgs& args) {
  auto* e = app.add_subcommand(
      "evaluate", "Run signal controllers under a benchmark protocol beside published results");
  args.evaluate = e;
  e->add_option("--suite", args.suite, "tsc (the CityFlow benchmark datasets) | grid (generated)")
      ->required()
      ->check(CLI::IsMember({"tsc", "grid"}));
  e->add_option("--protocol", args.protocol, "llmlight30 | xlight15")->required();
  e->add_option("--controllers", args.controllers,
                "Comma-separated controller names (default: all)");
  e->add_option("--datasets", args.datasets,
                "Comma-separated dataset keys for --suite tsc (default: J1,J2,J3,H1,H2,NY16x3)");
  e->add_option("--data-dir", args.data_dir,
                "The TSC data folder (default: ../shared/data/tsc beside the working directory "
                "or a parent)");
  e->add_option("--grid-size", args.grid_size, "Rows and columns for --suite grid")
      ->capture_default_str();
  e->add_option("--jobs", args.jobs, "Runs in parallel (default: hardware threads)");
  e->add_option("--horizon", args.horizon,
                "Simulated seconds (default 3600 as the protocols; shorter only for speed checks)")
      ->check(CLI::Range(1, 86400));
  e->add_option("--report", args.report, "Write the JSON rows here");
}

int run_evaluate(const EvaluateArgs& args) {
  const control::Protocol protocol = control::parse_protocol(args.protocol);
  control::ProtocolSpec spec = control::ProtocolSpec::of(protocol);
  spec.horizon = args.horizon;
  std::vector<std::string> controllers =
      args.controllers.empty() ? control::controller_names() : split(args.controllers);

  std::vector<Job> jobs;
  if (args.suite == "tsc") {
    const std::filesystem::path dir = find_tsc_dir(args.data_dir);
    std::vector<std::string> keys = split(args.datasets);
    if (keys.empty())
      for (const control::TscDataset& d : control::tsc_datasets()) keys.emplace_back(d.key);
    for (const std::string& key : keys) {
      const control::TscDataset* found = control::find_tsc_dataset(key);
      if (!found)
        throw Error(ErrorCode::kInvalidArgument, "--datasets",
                    "unknown dataset \"" + key + "\" (expected J1, J2, J3, H1, H2 or NY16x3)");
      Scenario scenario =
          load_scenario((dir / found->roadnet).string(), (dir / found->flow).string());
      for (const std::string& c : controllers)
        jobs.push_back({key, c, scenario, found->best(protocol)});
    }
  } else {
    const std::string key =
        "grid" + std::to_string(args.grid_size) + "x" + std::to_string(args.grid_size);
    Scenario scenario = generated_grid(args.grid_size);
    for (const std::string& c : controllers) jobs.push_back({key, c, scenario, 0});
  }

  // Validates every name before any run (throws an invalid-argument error naming the choices).
  for (const Job& job : jobs)
    control::make_controller(job.controller, spec.decision_interval, job.scenario.network);

  std::vector<Row> rows(jobs.size());
  std::atomic<std::size_t> next{0};
  std::mutex error_mutex;
  std::exception_ptr error;
  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  const std::size_t workers =
      std::min<std::size_t>(jobs.size(), args.jobs > 0 ? static_cast<std::size_t>(args.jobs) : hw);
  std::vector<std::thread> pool;
  for (std::size_t w = 0; w < workers; ++w) {
    pool.emplace_back([&] {
      for (std::size_t k = next++; k < jobs.size(); k = next++) {
        try {
          rows[k] = run_job(jobs[k], spec);
          std::fprintf(stderr, "%s %s: ATT %.2f (%.1f s)\n", rows[k].dataset.c_str(),
                       rows[k].controller.c_str(), rows[k].att, rows[k].wall_seconds);
        } catch (...) {
          std::lock_guard lock(error_mutex);
          if (!error) error = std::current_exception();
        }
      }
    });
  }
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);

  // The table: one line per dataset, one column per controller, then the published best.
  std::vector<std::string> datasets;
  for (const Row& r : rows)
    if (std::find(datasets.begin(), datasets.end(), r.dataset) == datasets.end())
      datasets.push_back(r.dataset);
  std::printf("ATT (s) under %s (PROTOCOL.md 3.1); published best from PUBLISHED.md\n",
              args.protocol.c_str());
  std::printf("%-8s", "dataset");
  for (const std::string& c : controllers) std::printf(" %12.12s", c.c_str());
  std::printf(" %12s\n", "published");
  for (const std::string& d : datasets) {
    std::printf("%-8s", d.c_str());
    double published = 0;
    for (const std::string& c : controllers) {
      for (const Row& r : rows) {
        if (r.dataset == d && r.controller == c) {
          std::printf(" %12.2f", r.att);
          published = r.published;
        }
      }
    }
    if (published > 0) {
      std::printf(" %12.2f\n", published);
    } else {
      std::printf(" %12s\n", "-");
    }
  }
  std::printf("ms per decision (sensing + deciding every intersection once):\n");
  for (const Row& r : rows)
    std::printf("  %s %s (%zu intersections): %.3f ms\n", r.dataset.c_str(), r.controller.c_str(),
                r.intersections, r.ms_per_decision);

  if (!args.report.empty()) {
    nlohmann::json out = nlohmann::json::array();
    for (const Row& r : rows) {
      nlohmann::json j{{"dataset", r.dataset},
                       {"controller", r.controller},
                       {"protocol", args.protocol},
                       {"att", r.att},
                       {"att_cityflow", r.att_cityflow},
                       {"wall_seconds", r.wall_seconds},
                       {"ms_per_decision", r.ms_per_decision},
                       {"intersections", r.intersections},
                       {"att_vehicles", r.att_vehicles}};
      if (r.published > 0) j["published_best"] = r.published;
      // CityFlow's own figures where PROTOCOL.md section 7 has them (fixed, maxpressure).
      if (const control::TscReference* ref =
              control::find_tsc_reference(r.dataset, protocol, r.controller)) {
        j["reference"] = {{"att_low", ref->att_low},
                          {"att_high", ref->att_high},
                          {"att_vehicles", ref->vehicles},
                          {"att_cityflow", ref->att_cityflow}};
      }
      out.push_back(std::move(j));
    }
    std::ofstream file(args.report);
    file << out.dump(2) << "\n";
    if (!file) throw Error(ErrorCode::kIo, args.report, "cannot write the report");
  }
  return 0;
}

}  // namespace citybrain::cli
