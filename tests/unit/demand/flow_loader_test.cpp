#include "citybrain/demand/cityflow_flow.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "citybrain/core/error.hpp"
#include "citybrain/net/cityflow_roadnet.hpp"
#include "support/expect_error.hpp"

namespace citybrain::demand {
namespace {

using nlohmann::json;

class FlowLoader : public ::testing::Test {
 protected:
  net::Network net = net::load_cityflow_roadnet(test::fixture("cross_roadnet.json"));
  json flows = json::parse(test::read_text(test::fixture("cross_flow.json")));
  Demand parse(const json& j) { return parse_cityflow_flow(j.dump(), "flow.json", net); }
};

TEST_F(FlowLoader, LoadsTheFixture) {
  Demand d = load_cityflow_flow(test::fixture("cross_flow.json"), net);
  EXPECT_EQ(d.flows.size(), 4u);
  EXPECT_EQ(d.flows[0].interval, 6.0);
  EXPECT_EQ(d.flows[2].start, 10);
  EXPECT_EQ(d.flows[2].end, 600);
}

TEST_F(FlowLoader, MissingField) {
  flows[1]["vehicle"].erase("maxSpeed");
  EXPECT_LOAD_ERROR(parse(flows), "flow.json: /1/vehicle", "missing field \"maxSpeed\"");
}

TEST_F(FlowLoader, WrongType) {
  flows[0]["vehicle"]["length"] = json::array({5});
  EXPECT_LOAD_ERROR(parse(flows), "flow.json: /0/vehicle/length", "an array", "[5]");
}

TEST_F(FlowLoader, NonPositiveVehicleParameter) {
  flows[2]["vehicle"]["maxNegAcc"] = 0;
  EXPECT_LOAD_ERROR(parse(flows), "flow.json: /2/vehicle/maxNegAcc", "positive", "0");
}

TEST_F(FlowLoader, UnknownRoad) {
  flows[3]["route"][1] = "C_Atlantis";
  EXPECT_LOAD_ERROR(parse(flows), "flow.json: /3/route/1", "C_Atlantis");
}

TEST_F(FlowLoader, RouteWhoseRoadsDoNotConnect) {
  // C_E leads to the virtual end E: nothing continues from it to W_C.
  flows[0]["route"] = {"C_E", "W_C"};
  EXPECT_LOAD_ERROR(parse(flows), "flow.json: /0/route/1", "C_E", "W_C");
}

TEST_F(FlowLoader, EmptyRoute) {
  flows[0]["route"] = json::array();
  EXPECT_LOAD_ERROR(parse(flows), "flow.json: /0/route", "at least one road");
}

TEST_F(FlowLoader, ZeroIntervalNamesThePath) {
  flows[1]["interval"] = 0;
  EXPECT_LOAD_ERROR(parse(flows), "flow.json: /1/interval", "positive");
}

TEST_F(FlowLoader, NegativeIntervalNamesThePath) {
  flows[2]["interval"] = -2.5;
  EXPECT_LOAD_ERROR(parse(flows), "flow.json: /2/interval", "positive");
}

TEST_F(FlowLoader, NonPositiveIntervalNamesTheValue) {
  flows[2]["interval"] = -2.5;
  EXPECT_LOAD_ERROR(parse(flows), "flow.json: /2/interval", "-2.5");
}

TEST_F(FlowLoader, EndBeforeStart) {
  flows[0]["startTime"] = 100;
  flows[0]["endTime"] = 50;
  EXPECT_LOAD_ERROR(parse(flows), "flow.json: /0/endTime", "50", "100");
}

TEST_F(FlowLoader, RootNotAnArray) {
  EXPECT_LOAD_ERROR(parse_cityflow_flow("{}", "flow.json", net), "flow.json", "array");
}

TEST_F(FlowLoader, MalformedJson) {
  auto err = test::catch_error([&] { parse_cityflow_flow("[{\"vehicle\": ", "bad.json", net); });
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code(), ErrorCode::kInvalidInput);
  EXPECT_NE(std::string(err->what()).find("bad.json"), std::string::npos);
}

TEST_F(FlowLoader, MissingFile) {
  auto err = test::catch_error([&] { load_cityflow_flow("/nonexistent/flow.json", net); });
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code(), ErrorCode::kFileNotFound);
  EXPECT_NE(std::string(err->what()).find("/nonexistent/flow.json"), std::string::npos);
}

}  // namespace
}  // namespace citybrain::demand
