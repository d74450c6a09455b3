#include "citybrain/sim/cityflow_config.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "citybrain/core/error.hpp"
#include "support/expect_error.hpp"

namespace citybrain::sim {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

json fixture_config() { return json::parse(test::read_text(test::fixture("cross_config.json"))); }

// Writes a config beside copies of nothing: paths point back at the fixtures directory.
std::string write_config(const json& j, const std::string& name) {
  fs::path dir = fs::path(::testing::TempDir()) / "citybrain_config_test";
  fs::create_directories(dir);
  fs::path file = dir / name;
  std::ofstream(file) << j.dump();
  return file.string();
}

TEST(CityFlowConfig, LoadsTheFixtureAndResolvesFilesBesideIt) {
  CityFlowConfig c = load_cityflow_config(test::fixture("cross_config.json"));
  EXPECT_EQ(c.interval, 1.0);
  EXPECT_EQ(c.seed, 0u);
  EXPECT_FALSE(c.rl_traffic_light);
  EXPECT_TRUE(fs::exists(c.roadnet_file)) << c.roadnet_file;
  EXPECT_TRUE(fs::exists(c.flow_file)) << c.flow_file;
}

TEST(CityFlowConfig, ZeroInterval) {
  json j = fixture_config();
  j["interval"] = 0;
  std::string file = write_config(j, "zero_interval.json");
  EXPECT_LOAD_ERROR(load_cityflow_config(file), file + ": /interval", "positive", "0");
}

TEST(CityFlowConfig, NegativeInterval) {
  json j = fixture_config();
  j["interval"] = -1.5;
  std::string file = write_config(j, "negative_interval.json");
  EXPECT_LOAD_ERROR(load_cityflow_config(file), file + ": /interval", "positive", "-1.5");
}

TEST(CityFlowConfig, MissingField) {
  json j = fixture_config();
  j.erase("roadnetFile");
  std::string file = write_config(j, "missing_roadnet.json");
  EXPECT_LOAD_ERROR(load_cityflow_config(file), file, "missing field \"roadnetFile\"");
}

TEST(CityFlowConfig, WrongType) {
  json j = fixture_config();
  j["rlTrafficLight"] = "yes";
  std::string file = write_config(j, "wrong_type.json");
  EXPECT_LOAD_ERROR(load_cityflow_config(file), file + ": /rlTrafficLight", "a string", "yes");
}

TEST(CityFlowConfig, NegativeSeed) {
  json j = fixture_config();
  j["seed"] = -4;
  std::string file = write_config(j, "negative_seed.json");
  EXPECT_LOAD_ERROR(load_cityflow_config(file), file + ": /seed", "non-negative");
}

TEST(CityFlowConfig, MissingFile) {
  auto err = test::catch_error([] { load_cityflow_config("/nonexistent/config.json"); });
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code(), ErrorCode::kFileNotFound);
}

}  // namespace
}  // namespace citybrain::sim
