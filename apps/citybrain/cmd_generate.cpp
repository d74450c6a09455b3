// citybrain generate grid: a synthetic grid city in the TSC benchmark layout, as CityFlow files.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
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
  namespace fs = std::filesystem;
  demand::GridSpec spec = args.spec;
  spec.road_length_x = spec.road_length_y = args.road_length;
  auto t0 = std::chrono::steady_clock::now();
  demand::GeneratedCity city = demand::generate_grid(spec);
  std::error_code ec;
  fs::create_directories(args.out_dir, ec);
  if (ec) throw Error(ErrorCode::kIo, args.out_dir, "cannot create the directory: " + ec.message());
  fs::path dir = fs::absolute(args.out_dir, ec);
  if (ec) dir = args.out_dir;
  write_file(dir / "roadnet.json", city.roadnet_json);
  write_file(dir / "flow.json", city.flow_json);
  nlohmann::json config{{"interval", 1.0},
                        {"seed", spec.seed},
                        {"dir", (dir / "").string()},
                        {"roadnetFile", "roadnet.json"},
                        {"flowFile", "flow.json"},
                        {"rlTrafficLight", false},
                        {"laneChange", false},
                        {"saveReplay", false},
                        {"roadnetLogFile", "replay_roadnet.json"},
                        {"replayLogFile", "replay.txt"}};
  write_file(dir / "config.json", config.dump(2) + "\n");
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::fprintf(stderr, "generated %dx%d grid, %zu vehicles in %.2f s -> %s\n", spec.rows, spec.cols,
               city.vehicles, secs, (dir / "config.json").string().c_str());
  return 0;
}

}  // namespace citybrain::cli
