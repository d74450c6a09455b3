#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "citybrain/core/error.hpp"
#include "citybrain/net/cityflow_roadnet.hpp"
#include "support/expect_error.hpp"

namespace citybrain::net {
namespace {

using nlohmann::json;

// The hand-written fixture: one signalised intersection "C", virtual ends E, N, W, S; roads
// "<from>_<to>" with 2 lanes; 12 road links; phases 0 (all red) .. 4.
json fixture_roadnet() {
  return json::parse(test::read_text(test::fixture("cross_roadnet.json")));
}

Network parse(const json& j) {
  return parse_cityflow_roadnet(j.dump(), "roadnet.json");
}

TEST(RoadnetLoader, LoadsTheFixture) {
  Network net = load_cityflow_roadnet(test::fixture("cross_roadnet.json"));
  EXPECT_EQ(net.intersections.size(), 5u);
  EXPECT_EQ(net.roads.size(), 8u);
  EXPECT_EQ(net.lanes.size(), 16u);
  EXPECT_EQ(net.roadlinks.size(), 12u);
  EXPECT_EQ(net.lanelinks.size(), 16u);
  IntersectionId c = net.find_intersection("C");
  ASSERT_TRUE(c);
  EXPECT_FALSE(net.intersections[c.index()].is_virtual);
  EXPECT_EQ(net.intersections[c.index()].phases.size(), 5u);
  EXPECT_TRUE(net.intersections[net.find_intersection("E").index()].is_virtual);
  RoadId w = net.find_road("W_C");
  ASSERT_TRUE(w);
  EXPECT_EQ(net.roads[w.index()].lane_count, 2u);
  EXPECT_FALSE(net.find_road("nope"));
  for (const Lane& lane : net.lanes) EXPECT_GT(lane.length, 100.0);
  for (const LaneLink& link : net.lanelinks) EXPECT_GT(link.length, 0.0);
}

TEST(RoadnetLoader, MissingField) {
  json j = fixture_roadnet();
  j["roads"][1].erase("lanes");
  EXPECT_LOAD_ERROR(parse(j), "roadnet.json: /roads/1", "missing field \"lanes\"");
}

TEST(RoadnetLoader, WrongType) {
  json j = fixture_roadnet();
  j["roads"][0]["lanes"][0]["width"] = "wide";
  EXPECT_LOAD_ERROR(parse(j), "roadnet.json: /roads/0/lanes/0/width", "a string", "wide");
}

TEST(RoadnetLoader, NonPositiveLaneWidth) {
  json j = fixture_roadnet();
  j["roads"][3]["lanes"][1]["width"] = -3.5;
  EXPECT_LOAD_ERROR(parse(j), "/roads/3/lanes/1/width", "-3.5");
}

TEST(RoadnetLoader, RoadToUnknownIntersection) {
  json j = fixture_roadnet();
  j["roads"][2]["endIntersection"] = "Nowhere";
  EXPECT_LOAD_ERROR(parse(j), "roadnet.json: /roads/2/endIntersection", "Nowhere");
}

TEST(RoadnetLoader, IntersectionListsUnknownRoad) {
  json j = fixture_roadnet();
  j["intersections"][0]["roads"][3] = "ghost_road";
  EXPECT_LOAD_ERROR(parse(j), "/intersections/0/roads/3", "ghost_road");
}

TEST(RoadnetLoader, DuplicateRoadId) {
  json j = fixture_roadnet();
  j["roads"][5]["id"] = j["roads"][4]["id"];
  EXPECT_LOAD_ERROR(parse(j), "/roads/5/id", j["roads"][4]["id"].get<std::string>());
}

TEST(RoadnetLoader, LaneLinkToMissingLaneIndex) {
  json j = fixture_roadnet();
  // Road link 1 is a straight movement with lane links 0->0 and 1->1 between 2-lane roads.
  j["intersections"][0]["roadLinks"][1]["laneLinks"][1]["endLaneIndex"] = 7;
  EXPECT_LOAD_ERROR(parse(j), "roadnet.json: /intersections/0/roadLinks/1/laneLinks/1/endLaneIndex",
                    "lane index 7", "expected 0..1");
}

TEST(RoadnetLoader, LaneLinkFromNegativeLaneIndex) {
  json j = fixture_roadnet();
  j["intersections"][0]["roadLinks"][0]["laneLinks"][0]["startLaneIndex"] = -1;
  EXPECT_LOAD_ERROR(parse(j), "/intersections/0/roadLinks/0/laneLinks/0/startLaneIndex",
                    "lane index -1");
}

TEST(RoadnetLoader, RoadLinkBetweenRoadsThatDoNotMeetThere) {
  json j = fixture_roadnet();
  j["intersections"][0]["roadLinks"][0]["startRoad"] = "C_E";  // leaves C instead of entering it
  EXPECT_LOAD_ERROR(parse(j), "/intersections/0/roadLinks/0/startRoad", "C_E");
}

TEST(RoadnetLoader, UnknownRoadLinkType) {
  json j = fixture_roadnet();
  j["intersections"][0]["roadLinks"][2]["type"] = "u_turn";
  EXPECT_LOAD_ERROR(parse(j), "/intersections/0/roadLinks/2/type", "u_turn");
}

TEST(RoadnetLoader, PhaseNamesMissingRoadLink) {
  json j = fixture_roadnet();
  j["intersections"][0]["trafficLight"]["lightphases"][1]["availableRoadLinks"] = {0, 99};
  EXPECT_LOAD_ERROR(
      parse(j), "roadnet.json: /intersections/0/trafficLight/lightphases/1/availableRoadLinks/1",
      "road link index 99", "expected 0..11");
}

TEST(RoadnetLoader, ActuatingLinkMustBeAvailable) {
  json j = fixture_roadnet();
  j["intersections"][0]["trafficLight"]["lightphases"][1]["availableRoadLinks"] = {0, 1};
  j["intersections"][0]["trafficLight"]["lightphases"][1]["actuatingRoadLinks"] = {1, 2};
  EXPECT_LOAD_ERROR(
      parse(j), "roadnet.json: /intersections/0/trafficLight/lightphases/1/actuatingRoadLinks/1",
      "road link index 2", "availableRoadLinks");
  j["intersections"][0]["trafficLight"]["lightphases"][1]["actuatingRoadLinks"] = {1};
  const Network net = parse(j);
  const std::uint32_t p = net.intersections[0].phases.begin + 1;
  EXPECT_TRUE(net.phase_allows(p, 0));
  EXPECT_FALSE(net.phase_actuates(p, 0));  // listed: only the links named
  EXPECT_TRUE(net.phase_actuates(p, 1));
  // Without the field, every available link actuates.
  for (std::uint32_t k = 0; k < net.intersections[0].roadlinks.size(); ++k)
    EXPECT_EQ(net.phase_actuates(p - 1, k), net.phase_allows(p - 1, k)) << k;
}

TEST(RoadnetLoader, NegativePhaseTime) {
  json j = fixture_roadnet();
  j["intersections"][0]["trafficLight"]["lightphases"][2]["time"] = -5;
  EXPECT_LOAD_ERROR(parse(j), "/intersections/0/trafficLight/lightphases/2/time", "non-negative");
}

TEST(RoadnetLoader, TooFewRoadPoints) {
  json j = fixture_roadnet();
  j["roads"][0]["points"] = json::array({j["roads"][0]["points"][0]});
  EXPECT_LOAD_ERROR(parse(j), "/roads/0/points", "at least 2 points");
}

TEST(RoadnetLoader, RootNotAnObject) {
  EXPECT_LOAD_ERROR(parse_cityflow_roadnet("[1, 2]", "roadnet.json"), "roadnet.json", "object");
}

TEST(RoadnetLoader, MalformedJson) {
  std::string text = test::read_text(test::fixture("cross_roadnet.json"));
  text.resize(text.size() / 2);
  auto err = test::catch_error([&] { parse_cityflow_roadnet(text, "half.json"); });
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code(), ErrorCode::kInvalidInput);
  EXPECT_NE(std::string(err->what()).find("half.json"), std::string::npos);
  EXPECT_NE(std::string(err->what()).find("malformed JSON"), std::string::npos);
}

TEST(RoadnetLoader, MissingFile) {
  auto err = test::catch_error([] { load_cityflow_roadnet("/nonexistent/roadnet.json"); });
  ASSERT_TRUE(err);
  EXPECT_EQ(err->code(), ErrorCode::kFileNotFound);
  EXPECT_EQ(exit_code(err->code()), 2);
  EXPECT_NE(std::string(err->what()).find("/nonexistent/roadnet.json"), std::string::npos);
}

}  // namespace
}  // namespace citybrain::net
