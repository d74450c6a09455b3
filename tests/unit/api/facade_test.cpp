#include "citybrain/citybrain.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "citybrain/core/error.hpp"
#include "support/expect_error.hpp"

namespace citybrain {
namespace {

TEST(Facade, RunsTheFixtureFromItsConfig) {
  Scenario s = load_scenario(test::fixture("cross_config.json"));
  EXPECT_EQ(s.sim.interval, 1.0);
  RunOptions options;
  options.duration = 600;
  Report r = run(s, options);
  EXPECT_EQ(r.sim_seconds, 600.0);
  EXPECT_GT(r.vehicles_generated, 100u);
  EXPECT_GT(r.vehicles_finished, 50u);
  EXPECT_GT(r.att, 0.0);
  nlohmann::json j = to_json(r);
  EXPECT_EQ(j["vehicles_generated"].get<std::size_t>(), r.vehicles_generated);
  EXPECT_EQ(j["controller"], "none");
}

TEST(Facade, SameSeedSameReport) {
  Scenario s = load_scenario(test::fixture("cross_roadnet.json"), test::fixture("cross_flow.json"));
  RunOptions options;
  options.duration = 900;
  options.controller = "maxpressure";
  options.protocol = "xlight15";
  options.lane_change = true;
  Report a = run(s, options);
  options.threads = 2;
  Report b = run(s, options);
  EXPECT_EQ(a.att, b.att);
  EXPECT_EQ(a.vehicles_finished, b.vehicles_finished);
  EXPECT_EQ(a.vehicle_steps, b.vehicle_steps);
}

TEST(Facade, RejectsUnknownController) {
  Scenario s = load_scenario(test::fixture("cross_roadnet.json"), test::fixture("cross_flow.json"));
  RunOptions options;
  options.controller = "psychic";
  auto err = test::catch_error([&] { run(s, options); });
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(std::string(err->what()).find("psychic"), std::string::npos);
}

TEST(Facade, ProtocolNeedsAController) {
  Scenario s = load_scenario(test::fixture("cross_roadnet.json"), test::fixture("cross_flow.json"));
  RunOptions options;
  options.protocol = "llmlight30";
  auto err = test::catch_error([&] { run(s, options); });
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace citybrain
