// The KDD Cup CBEngine importer on a tiny hand-written city (tests/fixtures/cbengine): a
// signalised crossing C (10) with four legs, an unsignalised bend E (12) east of it and a dead end
// beyond (15).
#include "citybrain/import/cbengine.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "citybrain/citybrain.hpp"
#include "citybrain/control/protocol.hpp"
#include "citybrain/core/error.hpp"
#include "support/expect_error.hpp"

namespace citybrain::import {
namespace {

using nlohmann::json;

std::string roadnet_text() {
  return test::read_text(test::fixture("cbengine/tiny_roadnet.txt"));
}
std::string flow_text() {
  return test::read_text(test::fixture("cbengine/tiny_flow.txt"));
}

// The text with its 1-based line `line` replaced.
std::string with_line(const std::string& text, int line, const std::string& replacement) {
  std::istringstream in(text);
  std::string out, l;
  for (int i = 1; std::getline(in, l); ++i) out += (i == line ? replacement : l) + "\n";
  return out;
}

ImportedCity parse(const std::string& roadnet, const std::string& flow) {
  return parse_cbengine(roadnet, flow, "r.txt", "f.txt");
}

const json* find_id(const json& array, const std::string& id) {
  for (const json& x : array) {
    if (x["id"] == id) return &x;
  }
  return nullptr;
}

TEST(CbengineImport, BuildsIntersectionsRoadsLinksAndPhases) {
  ImportedCity city = parse(roadnet_text(), flow_text());
  json net = json::parse(city.roadnet_json);
  ASSERT_EQ(net["intersections"].size(), 6u);
  ASSERT_EQ(net["roads"].size(), 10u);
  // Dead ends are boundaries; the bend and the crossing are real intersections.
  for (const char* id : {"11", "13", "14", "15"})
    EXPECT_TRUE((*find_id(net["intersections"], id))["virtual"]) << id;
  const json& c = *find_id(net["intersections"], "10");
  const json& e = *find_id(net["intersections"], "12");
  EXPECT_FALSE(c["virtual"]);
  EXPECT_FALSE(e["virtual"]);
  // Four approaches x three turns, and all red plus CBEngine's eight phases.
  ASSERT_EQ(c["roadLinks"].size(), 12u);
  ASSERT_EQ(c["trafficLight"]["lightphases"].size(), 9u);
  EXPECT_TRUE(c["trafficLight"]["lightphases"][0]["availableRoadLinks"].empty());
  // Turns from the approaches' clockwise order: from the west (road 8) east is straight on, from
  // the north (road 2) west is a right turn, from the south (road 6) west is a left turn.
  auto turn = [&](const std::string& from, const std::string& to) -> std::string {
    for (const json& rl : c["roadLinks"]) {
      if (rl["startRoad"] == from && rl["endRoad"] == to) return rl["type"];
    }
    return "none";
  };
  EXPECT_EQ(turn("8", "3"), "go_straight");
  EXPECT_EQ(turn("2", "7"), "turn_right");
  EXPECT_EQ(turn("6", "7"), "turn_left");
  EXPECT_EQ(turn("2", "1"), "none");  // no U-turns
  // Phase 1 greens the north and south left turns and every right turn (and nothing else).
  const json& p1 = c["trafficLight"]["lightphases"][1]["availableRoadLinks"];
  std::vector<std::string> green;
  for (const json& idx : p1) {
    const json& rl = c["roadLinks"][idx.get<std::size_t>()];
    green.push_back(rl["startRoad"].get<std::string>() + ">" + rl["endRoad"].get<std::string>() +
                    ":" + rl["type"].get<std::string>());
  }
  std::sort(green.begin(), green.end());
  EXPECT_EQ(green, (std::vector<std::string>{"2>3:turn_left", "2>7:turn_right", "4>1:turn_right",
                                             "6>3:turn_right", "6>7:turn_left", "8>5:turn_right"}));
  // Lane masks: the left turn leaves from lane 0 only, to every lane of the exit road.
  for (const json& rl : c["roadLinks"]) {
    for (const json& ll : rl["laneLinks"]) {
      const int want = rl["type"] == "turn_left" ? 0 : rl["type"] == "go_straight" ? 1 : 2;
      EXPECT_EQ(ll["startLaneIndex"].get<int>(), want);
    }
    EXPECT_EQ(rl["laneLinks"].size(), 3u);
  }
  // The bend: one phase, both directions straight on (it is a straight line east-west).
  ASSERT_EQ(e["roadLinks"].size(), 2u);
  EXPECT_EQ(e["trafficLight"]["lightphases"].size(), 1u);
  EXPECT_EQ(e["roadLinks"][0]["type"], "go_straight");
  // Two-lane road 9: lanes 0 and 1 both permit straight on (masks "1 1 0" and "0 1 1").
  EXPECT_EQ(e["roadLinks"][0]["laneLinks"].size() + e["roadLinks"][1]["laneLinks"].size(), 8u);
  EXPECT_EQ(city.report.kept("road"), 10u);
  EXPECT_EQ(city.report.kept("signal"), 1u);
  EXPECT_EQ(city.report.kept("flow"), 4u);
  EXPECT_TRUE(city.report.dropped().empty());
}

TEST(CbengineImport, LoadsAndRunsUnderMaxPressureOnEightPhases) {
  ImportedCity city = parse(roadnet_text(), flow_text());
  Scenario s = scenario_from(city, "tiny");
  EXPECT_EQ(s.signal_actions, control::ProtocolSpec::kAllPhases);
  // Lanes about as long as the file says: the road bends to fit between its intersections (lanes
  // on the inside of the bend come out a little shorter), unless the intersections lie farther
  // apart than the stated length (road 9: 80 m stated, ~96 m between the points; road 5: 100 m
  // stated, ~111 m).
  const auto& net = *s.network;
  const RoadId r1 = net.find_road("1");
  ASSERT_TRUE(r1);
  EXPECT_NEAR(net.lanes[net.lane_of(r1, 1).index()].length, 120.0, 0.06 * 120);
  EXPECT_NEAR(net.lanes[net.lane_of(net.find_road("2"), 1).index()].length, 120.0, 0.06 * 120);
  EXPECT_GT(net.lanes[net.lane_of(net.find_road("9"), 0).index()].length, 85.0);
  EXPECT_EQ(city.report.kept("segment longer than stated (its intersections lie farther apart)"),
            2u);
  EXPECT_DOUBLE_EQ(net.lanes[net.lane_of(r1, 0).index()].max_speed, 13.9);

  auto inters = control::controlled_intersections(net, control::ProtocolSpec::kAllPhases);
  ASSERT_EQ(inters.size(), 1u);  // the bend has a single phase: nothing to decide
  EXPECT_EQ(inters[0].action_phases, (std::vector<std::uint32_t>{1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(inters[0].yellow_phase, 0u);
  // Phase 5: the north approach's left and through lanes.
  ASSERT_EQ(inters[0].action_movements[4].size(), 2u);
  for (const auto& m : inters[0].action_movements[4]) {
    EXPECT_EQ(net.roads[net.lanes[m.lane.index()].road.index()].id, "2");
  }
  // The benchmark layout needs phases 0..4 with 4 actions; this city has them but 8 actions are
  // what the importer means (the default of the facade for imports).
  EXPECT_THROW(control::controlled_intersections(net, 3), Error);

  RunOptions options;
  options.duration = 400;
  options.controller = "maxpressure";
  Report r = run(s, options);
  // 31 + 21 + 15 + 3 vehicles are due by t=300 (start, start+interval, ... <= end).
  EXPECT_EQ(r.vehicles_generated, 70u);
  EXPECT_GT(r.vehicles_finished, 55u);
  options.controller = "fixed";
  EXPECT_GT(run(s, options).vehicles_finished, 40u);
  options.controller = "brain";
  EXPECT_GT(run(s, options).vehicles_finished, 40u);
}

TEST(CbengineImport, DelayIndexUnderTheKddCupProtocol) {
  Scenario s = scenario_from(parse(roadnet_text(), flow_text()), "tiny");
  RunOptions options;
  options.duration = 400;
  options.controller = "maxpressure";
  options.protocol = "kddcup";
  options.delay_index = true;
  Report r = run(s, options);
  ASSERT_TRUE(r.delay_index);
  // Every vehicle due has entered the empty city; trips take at least their free-flow time and,
  // in a city this quiet, not many times more.
  EXPECT_EQ(r.vehicles_served, r.vehicles_generated);
  EXPECT_GT(*r.delay_index, 1.0);
  EXPECT_LT(*r.delay_index, 3.0);
  EXPECT_GE(r.peak_vehicles_running, r.vehicles_running);
  EXPECT_GT(r.peak_vehicles_running, 0u);
  const json j = to_json(r);
  EXPECT_EQ(j["delay_index"].get<double>(), *r.delay_index);
  options.delay_index = false;
  EXPECT_FALSE(run(s, options).delay_index);
  EXPECT_EQ(control::ProtocolSpec::of(control::parse_protocol("kddcup")).decision_interval, 10);
}

TEST(CbengineImport, DropsFlowsItCannotRoute) {
  const std::string flows =
      "3\n0 10 5\n2\n8 99\n"  // unknown road
      "0 10 5\n2\n8 9\n"      // 8 ends at C, 9 starts at E: not connected
      "0 10 5\n2\n8 7\n";     // a U-turn
  ImportedCity city = parse(roadnet_text(), flows);
  EXPECT_EQ(city.report.kept("flow"), 0u);
  ASSERT_EQ(city.report.dropped_count("flow"), 3u);
  EXPECT_NE(city.report.dropped()[0].reason.find("unknown road 99"), std::string::npos);
  EXPECT_NE(city.report.dropped()[1].reason.find("no movement from road 8 to road 9"),
            std::string::npos);
  EXPECT_NE(city.report.dropped()[2].reason.find("no movement from road 8 to road 7"),
            std::string::npos);
  EXPECT_EQ(json::parse(city.flow_json).size(), 0u);
}

TEST(CbengineImport, ReportsUnmarkedTurnsAndMissingSignalLines) {
  // Road 2 (north approach) without a left-turn lane; intersection 12 flagged but not listed.
  std::string r = with_line(roadnet_text(), 11, "0 1 0 0 1 0 0 0 1");
  r = with_line(r, 4, "30.0 120.001 12 1");
  ImportedCity city = parse(r, flow_text());
  EXPECT_EQ(city.report.dropped_count("movement"), 1u);
  EXPECT_EQ(city.report.dropped_count("signal"), 1u);
  for (const Dropped& d : city.report.dropped()) {
    if (d.kind == "movement") {
      EXPECT_EQ(d.id, "2->3");
      EXPECT_NE(d.reason.find("no lane of road 2 permits the left turn"), std::string::npos);
    } else {
      EXPECT_EQ(d.id, "12");
    }
  }
  EXPECT_NE(city.report.summary().find("movement"), std::string::npos);
}

TEST(CbengineImport, CommentsAndBlankLinesAreIgnored) {
  std::string r = with_line(roadnet_text(), 1, "6 // intersections");
  r = "\n" + r + "\n\n";
  EXPECT_NO_THROW(parse(r, flow_text()));
}

struct BadCase {
  const char* name;
  int line;                 // line of the tiny roadnet to replace (0: the flow file instead)
  const char* replacement;  // new text of that line
  const char* where;        // expected in where()
  const char* what;         // expected in what()
};

class CbengineErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(CbengineErrors, NamesFileLineFieldAndValue) {
  const BadCase& c = GetParam();
  std::string r = roadnet_text(), f = flow_text();
  if (c.line > 0) r = with_line(r, c.line, c.replacement);
  if (c.line < 0) f = with_line(f, -c.line, c.replacement);
  EXPECT_LOAD_ERROR(parse(r, f), c.where, c.what);
}

INSTANTIATE_TEST_SUITE_P(
    Roadnet, CbengineErrors,
    ::testing::Values(
        BadCase{"count", 1, "six", "r.txt:1", "number of intersections: value 'six'"},
        BadCase{"count_zero", 1, "0", "r.txt:1", "expected an integer in 1..10000000"},
        BadCase{"latitude", 2, "north 120.0 10 1", "r.txt:2", "latitude: value 'north'"},
        BadCase{"latitude_range", 2, "95 120.0 10 1", "r.txt:2", "a number in -90..90"},
        BadCase{"longitude", 2, "30.0 200 10 1", "r.txt:2", "longitude: value '200'"},
        BadCase{"fields", 2, "30.0 120.0 10", "r.txt:2", "expected 4 fields"},
        BadCase{"inter_id", 2, "30.0 120.0 ten 1", "r.txt:2", "inter_id: value 'ten'"},
        BadCase{"signalized", 2, "30.0 120.0 10 2", "r.txt:2",
                "signalized: value '2', expected 0 or 1"},
        BadCase{"duplicate_inter", 3, "30.001 120.0 10 0", "r.txt:3", "not used by an earlier"},
        BadCase{"segment_count", 8, "-5", "r.txt:8", "number of road segments: value '-5'"},
        BadCase{"from_inter", 9, "77 11 120 13.9 3 3 1 2", "r.txt:9", "from_inter: value '77'"},
        BadCase{"to_inter", 9, "10 77 120 13.9 3 3 1 2", "r.txt:9", "to_inter: value '77'"},
        BadCase{"loop", 9, "10 10 120 13.9 3 3 1 2", "r.txt:9", "other than from_inter"},
        BadCase{"length", 9, "10 11 -120 13.9 3 3 1 2", "r.txt:9", "length: value '-120'"},
        BadCase{"speed", 9, "10 11 120 0 3 3 1 2", "r.txt:9", "speed_limit: value '0'"},
        BadCase{"lanes", 9, "10 11 120 13.9 17 3 1 2", "r.txt:9", "dir1_num_lanes: value '17'"},
        BadCase{"no_lanes", 9, "10 11 120 13.9 0 0 1 2", "r.txt:9", "at least one lane"},
        BadCase{"same_ids", 9, "10 11 120 13.9 3 3 1 1", "r.txt:9", "dir2_id: value '1'"},
        BadCase{"duplicate_road", 12, "10 12 110 13.9 3 3 1 4", "r.txt:12", "dir1_id: value '1'"},
        BadCase{"segment_fields", 9, "10 11 120 13.9 3 3 1", "r.txt:9", "expected 8 fields"},
        BadCase{"mask_count", 10, "1 0 0 0 1 0 0 0", "r.txt:10", "dir1_mov: expected 9 fields"},
        BadCase{"mask_digit", 11, "1 0 0 0 2 0 0 0 1", "r.txt:11", "dir2_mov: value '2'"},
        BadCase{"signal_count", 24, "9", "r.txt:24",
                "number of signalized intersections: value '9'"},
        BadCase{"signal_inter", 25, "77 1 3 5 7", "r.txt:25", "inter_id: value '77'"},
        BadCase{"signal_road", 25, "10 1 3 5 99", "r.txt:25", "approach_W: value '99'"},
        BadCase{"signal_elsewhere", 25, "10 1 3 5 9", "r.txt:25",
                "starts or ends at intersection 10"},
        BadCase{"signal_twice", 25, "10 1 2 5 7", "r.txt:25", "approach_E: value '2'"},
        BadCase{"signal_fields", 25, "10 1 3 5", "r.txt:25", "expected 5 fields"},
        BadCase{"trailing", 25, "10 1 3 5 7\nextra", "r.txt:26", "found more data"}),
    [](const ::testing::TestParamInfo<BadCase>& p) { return std::string(p.param.name); });

INSTANTIATE_TEST_SUITE_P(
    Flow, CbengineErrors,
    ::testing::Values(BadCase{"flow_count", -1, "many", "f.txt:1", "number of flows: value 'many'"},
                      BadCase{"start", -2, "x 300 10", "f.txt:2", "start_time: value 'x'"},
                      BadCase{"end", -2, "100 50 10", "f.txt:2",
                              "end_time: value '50', expected a time not before"},
                      BadCase{"interval", -2, "0 300 0", "f.txt:2", "vehicle_interval: value '0'"},
                      BadCase{"times_fields", -2, "0 300", "f.txt:2", "expected 3 fields"},
                      BadCase{"route_length", -3, "0", "f.txt:3", "route length: value '0'"},
                      BadCase{"route_mismatch", -4, "8 3", "f.txt:4", "expected 3 road ids"},
                      BadCase{"route_id", -4, "8 3 nine", "f.txt:4", "route road id: value 'nine'"},
                      BadCase{"flow_truncated", -13, "", "f.txt:", "the route of flow 4"},
                      BadCase{"flow_trailing", -13, "10 4\n1 2 3", "f.txt:14", "found more data"}),
    [](const ::testing::TestParamInfo<BadCase>& p) { return std::string(p.param.name); });

TEST(CbengineImport, TruncatedRoadnetNamesWhatIsMissing) {
  const std::string r = roadnet_text();
  std::size_t cut = 0;
  for (int i = 0; i < 21; ++i) cut = r.find('\n', cut) + 1;  // keep lines 1..21
  EXPECT_LOAD_ERROR(parse(r.substr(0, cut), flow_text()), "r.txt:21",
                    "expected dir1_mov of road segment 5", "found the end of the file");
}

TEST(CbengineImport, MissingFileIsFileNotFound) {
  auto e = test::catch_error([] { import_cbengine("/nonexistent/roadnet.txt", "x.txt"); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code(), ErrorCode::kFileNotFound);
  EXPECT_NE(std::string(e->what()).find("/nonexistent/roadnet.txt"), std::string::npos);
}

}  // namespace
}  // namespace citybrain::import
