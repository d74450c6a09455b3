#include "citybrain/sim/replay.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/scenario.hpp"

namespace citybrain::sim {
namespace {

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, sep);) out.push_back(item);
  return out;
}

// The replay is what CityFlow's viewer reads: a roadnet log with nodes and edges, then per step
// "x y angle id laneChange length width," for every vehicle, ";", and per road into a signalised
// intersection its id and one of g/r/i per lane.
TEST(Replay, WritesCityFlowsRoadnetLogAndOneLinePerStep) {
  test::GridOptions options{.rows = 2, .cols = 2, .length = 200, .lanes = 2};
  test::Built built = test::build(test::make_grid(options), test::grid_flows(options, 3.0));
  Engine engine(built.net, built.demand, SimConfig{});
  auto dir = std::filesystem::temp_directory_path() / "citybrain_replay_test";
  std::filesystem::create_directories(dir);
  const std::string roadnet_log = (dir / "roadnet_log.json").string();
  const std::string replay_log = (dir / "replay.txt").string();
  {
    ReplayWriter writer(engine, roadnet_log, replay_log);
    for (int i = 0; i < 120; ++i) {
      engine.step();
      writer.write_step(engine);
    }
  }
  std::ifstream roadnet_in(roadnet_log);
  nlohmann::json roadnet = nlohmann::json::parse(roadnet_in);
  const auto& net = *built.net;
  ASSERT_EQ(roadnet["static"]["nodes"].size(), net.intersections.size());
  ASSERT_EQ(roadnet["static"]["edges"].size(), net.roads.size());
  for (const auto& node : roadnet["static"]["nodes"]) {
    EXPECT_GE(node["outline"].size(), 6u) << node["id"];  // at least a triangle, as x,y pairs
    EXPECT_EQ(node["outline"].size() % 2, 0u);
  }
  EXPECT_EQ(roadnet["static"]["edges"][0]["nLane"], 2);

  std::ifstream replay_in(replay_log);
  std::vector<std::string> lines;
  for (std::string line; std::getline(replay_in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 120u);
  std::size_t signalised_roads = 0;
  for (const auto& road : net.roads)
    signalised_roads += !net.intersections[road.to.index()].is_virtual;
  std::size_t vehicles_seen = 0;
  for (const std::string& line : lines) {
    auto halves = split(line, ';');
    ASSERT_EQ(halves.size(), 2u) << line;
    for (const std::string& vehicle : split(halves[0], ',')) {
      auto fields = split(vehicle, ' ');
      ASSERT_EQ(fields.size(), 7u) << vehicle;
      EXPECT_EQ(fields[3].rfind("flow_", 0), 0u) << vehicle;
      EXPECT_EQ(fields[5], "5");
      ++vehicles_seen;
    }
    auto roads = split(halves[1], ',');
    ASSERT_EQ(roads.size(), signalised_roads);
    for (const std::string& road : roads) {
      auto fields = split(road, ' ');
      ASSERT_EQ(fields.size(), 3u) << road;  // id and one state per lane
      for (std::size_t f = 1; f < fields.size(); ++f) {
        EXPECT_TRUE(fields[f] == "g" || fields[f] == "r" || fields[f] == "i") << road;
      }
    }
  }
  EXPECT_GT(vehicles_seen, 100u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace citybrain::sim
