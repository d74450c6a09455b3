// The SUMO importer on the hand-made fixture (tests/fixtures/sumo: a signalised cross C and a
// priority junction P) and on small texts written here for each error case.
#include "citybrain/import/sumo.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>

#include "citybrain/citybrain.hpp"
#include "citybrain/core/error.hpp"
#include "citybrain/demand/cityflow_flow.hpp"
#include "citybrain/net/cityflow_roadnet.hpp"
#include "citybrain/sim/engine.hpp"

namespace citybrain::import {
namespace {

const std::string kDir = std::string(CITYBRAIN_FIXTURES_DIR) + "/sumo/";

nlohmann::json find_intersection(const nlohmann::json& roadnet, const std::string& id) {
  for (const auto& i : roadnet["intersections"])
    if (i["id"] == id) return i;
  return {};
}

const nlohmann::json* find_vehicle(const nlohmann::json& flow, const std::string& id) {
  for (const auto& f : flow)
    if (f["id"] == id) return &f;
  return nullptr;
}

class SumoFixture : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    city = new ImportedCity(import_sumo_config(kDir + "cross.sumocfg"));
  }
  static void TearDownTestSuite() { delete city; }
  static ImportedCity* city;
  nlohmann::json roadnet() const { return nlohmann::json::parse(city->roadnet_json); }
  nlohmann::json flow() const { return nlohmann::json::parse(city->flow_json); }
};
ImportedCity* SumoFixture::city = nullptr;

TEST_F(SumoFixture, ReadsTheConfig) {
  SumoInputs in = read_sumocfg(kDir + "cross.sumocfg");
  EXPECT_EQ(in.net_file, kDir + "cross.net.xml");
  ASSERT_EQ(in.route_files.size(), 1u);
  ASSERT_EQ(in.additional_files.size(), 1u);
  EXPECT_EQ(in.begin, 0);
  EXPECT_EQ(in.end, 600);
  EXPECT_EQ(city->end, 600);
}

TEST_F(SumoFixture, EdgesLanesAndShapes) {
  auto rn = roadnet();
  ASSERT_EQ(rn["roads"].size(), 12u);  // internal edges are not roads
  for (const auto& r : rn["roads"]) {
    EXPECT_NE(r["id"].get<std::string>()[0], ':');
    if (r["id"] == "WC") {
      ASSERT_EQ(r["lanes"].size(), 2u);
      EXPECT_DOUBLE_EQ(r["lanes"][0]["maxSpeed"].get<double>(), 13.89);
    }
    if (r["id"] == "PPS") {
      EXPECT_DOUBLE_EQ(r["lanes"][0]["maxSpeed"].get<double>(), 8.33);
    }
  }
  // The CityFlow loader accepts it, and lane lengths follow SUMO's shapes (the edge WC is about
  // 200 m between junction centres, less the junctions' extent).
  net::Network net = net::parse_cityflow_roadnet(city->roadnet_json, "cross");
  RoadId wc = net.find_road("WC");
  ASSERT_TRUE(wc.valid());
  double len = net.lanes[net.roads[wc.index()].first_lane.index()].length;
  EXPECT_GT(len, 180);
  EXPECT_LT(len, 200);
  EXPECT_EQ(city->report.kept("edge"), 12u);
}

TEST_F(SumoFixture, ConnectionsBecomeLaneLinksWithInternalShapes) {
  auto rn = roadnet();
  auto c = find_intersection(rn, "C");
  ASSERT_FALSE(c.is_null());
  EXPECT_FALSE(c["virtual"].get<bool>());
  std::size_t left = 0;
  for (const auto& rl : c["roadLinks"]) {
    ASSERT_EQ(rl["laneLinks"].size(), 1u);
    EXPECT_GE(rl["laneLinks"][0]["points"].size(), 2u);
    left += rl["type"] == "turn_left";
  }
  EXPECT_EQ(c["roadLinks"].size(), 14u);  // the tlLogic's 14 link indices
  EXPECT_EQ(left, 4u);
  // Dead ends are virtual.
  auto w = find_intersection(rn, "W");
  EXPECT_TRUE(w["virtual"].get<bool>());
}

TEST_F(SumoFixture, RightOfWayFromRequests) {
  auto rn = roadnet();
  auto p = find_intersection(rn, "P");
  // At the priority junction, the minor road's links yield; the major road's straight links don't.
  bool minor_yields = false, major_free = true;
  for (const auto& rl : p["roadLinks"]) {
    ASSERT_TRUE(rl.contains("yieldTo"));
    if (rl["startRoad"] == "PSP" && !rl["yieldTo"].empty()) minor_yields = true;
    if (rl["type"] == "go_straight" && (rl["startRoad"] == "CP" || rl["startRoad"] == "EP") &&
        !rl["yieldTo"].empty())
      major_free = false;
  }
  EXPECT_TRUE(minor_yields);
  EXPECT_TRUE(major_free);
  // Loaded, crossings between links that are not foes are gone and the others know who yields.
  net::Network net = net::parse_cityflow_roadnet(city->roadnet_json, "cross");
  const net::Intersection& pi = net.intersections[net.find_intersection("P").index()];
  std::size_t stated = 0;
  for (std::uint32_t k = pi.crosses.begin; k < pi.crosses.end; ++k)
    stated += net.crosses[k].yielder != 0;
  EXPECT_GT(stated, 0u);
}

TEST_F(SumoFixture, AdditionalProgramOverridesAndNextIsFollowed) {
  auto rn = roadnet();
  auto c = find_intersection(rn, "C");
  const auto& tl = c["trafficLight"];
  // The override's phase 3 jumps back to 0: phase 4 is never reached.
  ASSERT_EQ(tl["lightphases"].size(), 4u);
  EXPECT_TRUE(tl.value("actuated", false));
  EXPECT_EQ(tl["lightphases"][0]["minTime"], 10);
  EXPECT_EQ(tl["lightphases"][0]["maxTime"], 50);
  EXPECT_EQ(tl["lightphases"][1]["time"], 3);
  // Yellow is not green: phase 1 opens nothing of what phase 0 opened on the state 'y'.
  std::set<int> g0(tl["lightphases"][0]["availableRoadLinks"].begin(),
                   tl["lightphases"][0]["availableRoadLinks"].end());
  std::set<int> g1(tl["lightphases"][1]["availableRoadLinks"].begin(),
                   tl["lightphases"][1]["availableRoadLinks"].end());
  EXPECT_EQ(g0.size(), 8u);  // the G and g of "rrrGGGgrrrGGGg"
  EXPECT_TRUE(g1.empty());
  EXPECT_EQ(city->report.dropped_count("tlLogic"), 1u);  // the net's program 0
  EXPECT_EQ(city->report.dropped_count("phase"), 1u);
  // Priority junctions: one phase with every link.
  auto p = find_intersection(rn, "P");
  ASSERT_EQ(p["trafficLight"]["lightphases"].size(), 1u);
  EXPECT_EQ(p["trafficLight"]["lightphases"][0]["availableRoadLinks"].size(),
            p["roadLinks"].size());
}

TEST_F(SumoFixture, Vehicles) {
  auto fl = flow();
  const auto* v0 = find_vehicle(fl, "v0");
  ASSERT_NE(v0, nullptr);
  EXPECT_EQ((*v0)["route"], nlohmann::json({"WC", "CP", "PE"}));
  EXPECT_EQ((*v0)["vehicle"]["minGap"], 2.5);
  const auto* v1 = find_vehicle(fl, "v1");
  ASSERT_NE(v1, nullptr);
  EXPECT_EQ((*v1)["startTime"], 3);  // depart 2.5: inserted at the next whole second
  EXPECT_DOUBLE_EQ((*v1)["vehicle"]["length"].get<double>(), 7.1);  // truck class default
  const auto* v2 = find_vehicle(fl, "v2");
  ASSERT_NE(v2, nullptr);
  double len = (*v2)["vehicle"]["length"].get<double>();
  EXPECT_TRUE(len == 4 || len == 6.5);  // drawn from the distribution
  EXPECT_EQ((*v2)["route"][0], "NC");
  EXPECT_EQ(find_vehicle(fl, "bus0"), nullptr);  // triggered departure
  EXPECT_EQ(city->report.dropped_count("vehicle"), 1u);
  EXPECT_EQ(city->report.dropped_count("person"), 1u);
}

TEST_F(SumoFixture, TripsAreRouted) {
  auto fl = flow();
  const auto* t0 = find_vehicle(fl, "t0");
  ASSERT_NE(t0, nullptr);
  EXPECT_EQ((*t0)["route"], nlohmann::json({"PSP", "PC", "CN"}));
  const auto* t1 = find_vehicle(fl, "t1");
  ASSERT_NE(t1, nullptr);
  // SC to PPS through the via edge CP.
  EXPECT_EQ((*t1)["route"], nlohmann::json({"SC", "CP", "PPS"}));
}

TEST_F(SumoFixture, Flows) {
  auto fl = flow();
  std::vector<int> period, number;
  std::size_t prob = 0;
  for (const auto& f : fl) {
    std::string id = f["id"];
    if (id.rfind("f_period.", 0) == 0) period.push_back(f["startTime"]);
    if (id.rfind("f_number.", 0) == 0) number.push_back(f["startTime"]);
    if (id.rfind("f_prob.", 0) == 0) ++prob;
  }
  EXPECT_EQ(period, (std::vector<int>{10, 30, 50}));
  EXPECT_EQ(number, (std::vector<int>{0, 25, 50, 75}));
  // probability 0.1 per second over 200 s: about 20 (a fixed draw; bounds that any fair one meets).
  EXPECT_GT(prob, 5u);
  EXPECT_LT(prob, 40u);
  // Sorted by departure.
  for (std::size_t i = 1; i < fl.size(); ++i) EXPECT_LE(fl[i - 1]["startTime"], fl[i]["startTime"]);
}

TEST_F(SumoFixture, RunsToTheEndWithTripStatistics) {
  Scenario sc;
  auto net = std::make_shared<net::Network>(net::parse_cityflow_roadnet(city->roadnet_json, "r"));
  sc.demand =
      std::make_shared<demand::Demand>(demand::parse_cityflow_flow(city->flow_json, "f", *net));
  sc.network = net;
  EXPECT_TRUE(net->options.keep_clear);
  RunOptions o;
  o.duration = 3000;
  o.until_empty = true;
  o.trip_statistics = true;
  Report r = run(sc, o);
  EXPECT_EQ(r.arrived, r.vehicles_generated);
  EXPECT_LT(r.sim_seconds, 3000);
  // Every route is at least 380 m at no more than 13.89 m/s.
  EXPECT_GT(r.mean_travel_time, 380 / 13.89);
  EXPECT_LT(r.mean_travel_time, 300);
  EXPECT_TRUE(to_json(r).contains("mean_travel_time"));
}

// --- Errors ------------------------------------------------------------------------------------

ImportedCity parse(const std::string& net, const std::string& routes = "<routes/>") {
  return parse_sumo({"net.xml", net}, {{"r.rou.xml", routes}}, {});
}

const char* kNet = R"(<net>
  <edge id="a" from="J0" to="J1"><lane id="a_0" index="0" speed="10" length="100" shape="0,0 100,0"/></edge>
  <edge id="b" from="J1" to="J2"><lane id="b_0" index="0" speed="10" length="100" shape="100,0 200,0"/></edge>
  <junction id="J0" type="dead_end" x="0" y="0"/>
  <junction id="J1" type="priority" x="100" y="0"/>
  <junction id="J2" type="dead_end" x="200" y="0"/>
  <connection from="a" to="b" fromLane="0" toLane="0" dir="s"/>
</net>)";

void expect_error(const std::function<void()>& f, const std::string& needle) {
  try {
    f();
    FAIL() << "expected an error mentioning " << needle;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
  }
}

TEST(SumoErrors, MinimalNetImportsAndRuns) {
  ImportedCity c =
      parse(kNet, R"(<routes><vehicle id="x" depart="1"><route edges="a b"/></vehicle></routes>)");
  auto fl = nlohmann::json::parse(c.flow_json);
  ASSERT_EQ(fl.size(), 1u);
  EXPECT_EQ(fl[0]["route"], nlohmann::json({"a", "b"}));
}

TEST(SumoErrors, MalformedXml) {
  expect_error([] { parse("<net><edge id=\"a\"></net>"); }, "net.xml:1");
}

// Found by fuzz_sumo: an id with a byte that is not UTF-8 reached the JSON writer, which threw.
TEST(SumoErrors, TextThatIsNotUtf8) {
  std::string n = kNet;
  n.replace(n.find("id=\"b\""), 6, "id=\"\xba\"");
  expect_error([&] { parse(n); }, "net.xml:3");
  expect_error([&] { parse(kNet, "<routes>\n<vehicle id=\"\xc3\" depart=\"1\"/></routes>"); },
               "r.rou.xml:2: text that is not valid UTF-8");
}

TEST(SumoErrors, WrongRoot) {
  expect_error([] { parse("<routes/>"); }, "root element <net>");
}

TEST(SumoErrors, BadNumber) {
  std::string n = kNet;
  n.replace(n.find("speed=\"10\""), 10, "speed=\"fast\"");
  expect_error([&] { parse(n); }, "speed=\"fast\" is not a number");
}

TEST(SumoErrors, BadShape) {
  std::string n = kNet;
  n.replace(n.find("0,0 100,0"), 9, "0,0 oops");
  expect_error([&] { parse(n); }, "is not a point");
}

TEST(SumoErrors, MissingAttribute) {
  std::string n = kNet;
  n.replace(n.find(" from=\"J0\""), 10, "");
  expect_error([&] { parse(n); }, "missing attribute from");
}

TEST(SumoErrors, UnknownEdgeInRoute) {
  expect_error(
      [] {
        parse(kNet,
              R"(<routes><vehicle id="x" depart="0"><route edges="a zz"/></vehicle></routes>)");
      },
      "unknown edge \"zz\"");
}

TEST(SumoErrors, UnknownVehicleType) {
  expect_error(
      [] {
        parse(
            kNet,
            R"(<routes><vehicle id="x" depart="0" type="nope"><route edges="a b"/></vehicle></routes>)");
      },
      "unknown vehicle type \"nope\"");
}

TEST(SumoErrors, BadSignalState) {
  std::string n = kNet;
  n.replace(
      n.find("</net>"), 6,
      R"(<tlLogic id="t" type="static" programID="0" offset="0"><phase duration="5" state="Gx"/></tlLogic></net>)");
  expect_error([&] { parse(n); }, "unknown signal state 'x'");
}

TEST(SumoErrors, BadFlow) {
  expect_error(
      [] { parse(kNet, R"(<routes><flow id="f" begin="0" end="10" route="r"/></routes>)"); },
      "a flow needs");
}

TEST(SumoErrors, BadDepart) {
  expect_error(
      [] { parse(kNet, R"(<routes><trip id="x" depart="soon" from="a" to="b"/></routes>)"); },
      "depart=\"soon\"");
}

TEST(SumoErrors, NoPathDropsTheTrip) {
  ImportedCity c = parse(kNet, R"(<routes><trip id="x" depart="0" from="b" to="a"/></routes>)");
  EXPECT_EQ(c.report.dropped_count("vehicle"), 1u);
  EXPECT_EQ(nlohmann::json::parse(c.flow_json).size(), 0u);
}

// Two ways from a to f: through b and d (200 m) or through c and e (210 m), all at 10 m/s. SUMO
// routes trips by free-flow time including the junction's internal lanes and a 1.5 s penalty on
// links without priority; `ab` and `ac` are the a->b and a->c connections' via lane and state.
std::string two_ways(const std::string& ab, const std::string& ac) {
  return R"(<net>
  <edge id=":J1_0" function="internal">)" +
         ab + R"(</edge>
  <edge id=":J1_1" function="internal">)" +
         ac + R"(</edge>
  <edge id="a" from="J0" to="J1"><lane id="a_0" index="0" speed="10" length="100" shape="0,0 100,0"/></edge>
  <edge id="b" from="J1" to="J2"><lane id="b_0" index="0" speed="10" length="100" shape="100,0 200,50"/></edge>
  <edge id="c" from="J1" to="J3"><lane id="c_0" index="0" speed="10" length="100" shape="100,0 200,-50"/></edge>
  <edge id="d" from="J2" to="J4"><lane id="d_0" index="0" speed="10" length="100" shape="200,50 300,0"/></edge>
  <edge id="e" from="J3" to="J4"><lane id="e_0" index="0" speed="10" length="110" shape="200,-50 300,0"/></edge>
  <edge id="f" from="J4" to="J5"><lane id="f_0" index="0" speed="10" length="100" shape="300,0 400,0"/></edge>
  <junction id="J0" type="dead_end" x="0" y="0"/>
  <junction id="J1" type="priority" x="100" y="0"/>
  <junction id="J2" type="priority" x="200" y="50"/>
  <junction id="J3" type="priority" x="200" y="-50"/>
  <junction id="J4" type="priority" x="300" y="0"/>
  <junction id="J5" type="dead_end" x="400" y="0"/>
  <connection from="a" to="b" fromLane="0" toLane="0" via=":J1_0_0" dir="l" state=")" +
         std::string(ab.find("minor") != std::string::npos ? "m" : "M") + R"("/>
  <connection from="a" to="c" fromLane="0" toLane="0" via=":J1_1_0" dir="r" state="M"/>
  <connection from="b" to="d" fromLane="0" toLane="0" dir="s"/>
  <connection from="c" to="e" fromLane="0" toLane="0" dir="s"/>
  <connection from="d" to="f" fromLane="0" toLane="0" dir="s"/>
  <connection from="e" to="f" fromLane="0" toLane="0" dir="s"/>
</net>)";
}

nlohmann::json routed(const std::string& net) {
  ImportedCity c = parse(net, R"(<routes><trip id="x" depart="0" from="a" to="f"/></routes>)");
  auto fl = nlohmann::json::parse(c.flow_json);
  return fl.size() == 1 ? fl[0]["route"] : nlohmann::json();
}

TEST(SumoRouting, TripsCountTheJunctionsInternalLanes) {
  const std::string fast =
      R"(<lane id=":J1_0_0" index="0" speed="10" length="10" shape="100,0 105,5"/>)";
  const std::string slow =
      R"(<lane id=":J1_0_0" index="0" speed="5" length="30" shape="100,0 105,5"/>)";
  const std::string right =
      R"(<lane id=":J1_1_0" index="0" speed="10" length="10" shape="100,0 105,-5"/>)";
  EXPECT_EQ(routed(two_ways(fast, right)), nlohmann::json({"a", "b", "d", "f"}));
  // Six seconds across the junction towards b outweigh e's extra second.
  EXPECT_EQ(routed(two_ways(slow, right)), nlohmann::json({"a", "c", "e", "f"}));
}

TEST(SumoRouting, TripsAvoidMinorLinksByTheirPenalty) {
  const std::string minor =
      R"(<lane id=":J1_0_0" index="0" speed="10" length="10" shape="100,0 105,5"/><!-- minor -->)";
  const std::string right =
      R"(<lane id=":J1_1_0" index="0" speed="10" length="10" shape="100,0 105,-5"/>)";
  // The same junction time both ways; a->b has no priority: 1.5 s outweigh e's extra second.
  EXPECT_EQ(routed(two_ways(minor, right)), nlohmann::json({"a", "c", "e", "f"}));
}

// A one-lane road a0 joins the right lane of the two-lane road a; from a, the right lane turns
// right onto b and the left lane left onto c. Vehicles bound for c must change lanes on a.
const char* kFork = R"(<net>
  <edge id="a0" from="J0" to="J1"><lane id="a0_0" index="0" speed="10" length="200" shape="0,0 200,0"/></edge>
  <edge id="a" from="J1" to="J2">
    <lane id="a_0" index="0" speed="10" length="200" shape="200,-1.6 400,-1.6"/>
    <lane id="a_1" index="1" speed="10" length="200" shape="200,1.6 400,1.6"/>
  </edge>
  <edge id="b" from="J2" to="J3"><lane id="b_0" index="0" speed="10" length="100" shape="400,0 400,-100"/></edge>
  <edge id="c" from="J2" to="J4"><lane id="c_0" index="0" speed="10" length="100" shape="400,0 400,100"/></edge>
  <junction id="J0" type="dead_end" x="0" y="0"/>
  <junction id="J1" type="priority" x="200" y="0"/>
  <junction id="J2" type="priority" x="400" y="0"/>
  <junction id="J3" type="dead_end" x="400" y="-100"/>
  <junction id="J4" type="dead_end" x="400" y="100"/>
  <connection from="a0" to="a" fromLane="0" toLane="0" dir="s"/>
  <connection from="a" to="b" fromLane="0" toLane="0" dir="r"/>
  <connection from="a" to="c" fromLane="1" toLane="0" dir="l"/>
</net>)";

struct ForkRun {
  std::size_t finished = 0, off_route = 0;
  double mean = 0;
};

// Runs kFork with 20 vehicles to each of b and c, each flow one every 2 s; from `copy_at` on, a
// copy of the engine runs on instead.
ForkRun run_fork(bool imported_rules, int threads = 1, double copy_at = -1) {
  ImportedCity c = parse(kFork, R"(<routes>
    <flow id="to_c" begin="0" end="40" number="20" from="a0" to="c"/>
    <flow id="to_b" begin="1" end="41" number="20" from="a0" to="b"/>
  </routes>)");
  nlohmann::json rn = nlohmann::json::parse(c.roadnet_json);
  if (!imported_rules) rn["citybrain"]["laneBalance"] = false;  // CityFlow's lanes
  auto net = std::make_shared<const net::Network>(net::parse_cityflow_roadnet(rn.dump(), "fork"));
  auto demand = std::make_shared<const demand::Demand>(
      demand::parse_cityflow_flow(c.flow_json, "fork flow", *net));
  sim::SimConfig config;
  config.threads = threads;
  config.parallel_threshold = 0;  // parallel steps even with a few vehicles
  sim::Engine original(net, demand, config);
  std::optional<sim::Engine> copy;
  sim::Engine* e = &original;
  while (e->time() < 1000) {
    if (e->step_count() > 0 && e->demand_exhausted() && e->vehicle_count() == 0 &&
        e->waiting_to_enter() == 0)
      break;
    if (!copy && copy_at >= 0 && e->time() >= copy_at) e = &copy.emplace(original);
    e->step();
  }
  return {e->vehicles_finished(), e->trips_ended_off_route(), e->mean_trip_duration()};
}

TEST(SumoLanes, VehiclesChangeToTheLaneTheirRouteNeeds) {
  const ForkRun r = run_fork(true);
  EXPECT_EQ(r.finished, 40u);
  EXPECT_EQ(r.off_route, 0u);     // every trip reached its last road
  EXPECT_GT(r.mean, 500 / 10.0);  // 500 m at no more than 10 m/s
  // CityFlow's rule without lane changes: the trips to c end at the end of a's right lane.
  const ForkRun cityflow = run_fork(false);
  EXPECT_EQ(cityflow.finished, 40u);
  EXPECT_EQ(cityflow.off_route, 20u);
  // Lane changes happen in the step's serial part: two threads give the same trips.
  const ForkRun two = run_fork(true, 2);
  EXPECT_EQ(two.finished, r.finished);
  EXPECT_EQ(two.off_route, r.off_route);
  EXPECT_EQ(two.mean, r.mean);
  // A copy made mid-run (trips routed at insertion on both sides of it) runs on the same way.
  const ForkRun copied = run_fork(true, 1, 20);
  EXPECT_EQ(copied.finished, r.finished);
  EXPECT_EQ(copied.off_route, r.off_route);
  EXPECT_EQ(copied.mean, r.mean);
}

sim::Engine imported_engine(const ImportedCity& c, const std::string& name) {
  auto net =
      std::make_shared<const net::Network>(net::parse_cityflow_roadnet(c.roadnet_json, name));
  auto demand = std::make_shared<const demand::Demand>(
      demand::parse_cityflow_flow(c.flow_json, name + " flow", *net));
  return sim::Engine(net, demand, sim::SimConfig{});
}

LaneId first_lane(const net::Network& net, const std::string& road) {
  return net.roads[net.find_road(road).index()].first_lane;
}

// Junction keep-clear (SUMO's rule): the road a, a junction J1 whose link into the 80 m road b is
// 12 m long, and a signal J2 at b's end before the road c, showing `phases`. b's speed limit is
// `b_speed` m/s.
std::string keep_clear_net(const std::string& phases, const std::string& b_speed) {
  return R"(<net>
  <edge id="a" from="J0" to="J1"><lane id="a_0" index="0" speed="10" length="200" shape="0,0 200,0"/></edge>
  <edge id="b" from="J1" to="J2"><lane id="b_0" index="0" speed=")" +
         b_speed + R"(" length="80" shape="212,0 292,0"/></edge>
  <edge id="c" from="J2" to="J3"><lane id="c_0" index="0" speed="10" length="200" shape="292,0 492,0"/></edge>
  <tlLogic id="J2" type="static" programID="0" offset="0">)" +
         phases + R"(</tlLogic>
  <junction id="J0" type="dead_end" x="0" y="0"/>
  <junction id="J1" type="priority" x="206" y="0"/>
  <junction id="J2" type="traffic_light" x="292" y="0"/>
  <junction id="J3" type="dead_end" x="492" y="0"/>
  <connection from="a" to="b" fromLane="0" toLane="0" dir="s"/>
  <connection from="b" to="c" fromLane="0" toLane="0" dir="s" tl="J2" linkIndex="0"/>
</net>)";
}

// What happened at J1, counted after every step. b is "short" for a vehicle when the space behind
// b's last vehicle is less than the vehicle's length + minGap.
struct KeepClearRun {
  std::size_t generated = 0, finished = 0;
  std::size_t stood_on_link_while_short = 0;  // vehicle-steps standing on the link a->b
  std::size_t halted_before_junction = 0;     // vehicle-steps standing in a's last 10 m ...
  std::size_t waited_for_standing_queue = 0;  // ... of them, b short and its last vehicle standing
  std::size_t entered_while_short = 0;        // vehicles whose first step on the link found b short
  std::size_t standing_on_b = 0;              // vehicle-steps standing on b
  std::set<std::uint32_t> waiters;            // trips that waited for the standing queue
  std::size_t waiters_reached_b = 0;
};

KeepClearRun run_keep_clear(const std::string& phases, const std::string& b_speed) {
  ImportedCity c = parse(keep_clear_net(phases, b_speed), R"(<routes>
    <flow id="f" begin="0" end="32" number="16" from="a" to="c"/>
  </routes>)");
  sim::Engine e = imported_engine(c, "keep clear");
  const net::Network& net = e.network();
  const LaneId a = first_lane(net, "a"), b = first_lane(net, "b");
  sim::DrivableId link = sim::kNoDrivable;
  for (std::uint32_t k = 0; k < net.lanelinks.size(); ++k) {
    if (net.lanelinks[k].from == a && net.lanelinks[k].to == b)
      link = e.lanelink_drivable(LaneLinkId(k));
  }
  EXPECT_NE(link, sim::kNoDrivable);
  const double a_length = net.lanes[a.index()].length;
  KeepClearRun r;
  std::set<std::uint32_t> on_link, on_b;
  while (e.time() < 1000) {
    e.step();
    const auto& queue = e.drivable_vehicles(e.lane_drivable(b));
    double room = net.lanes[b.index()].length;
    bool tail_stands = false;
    if (!queue.empty()) {
      room = e.vehicle_distance(queue.back()) - e.vehicle_type(queue.back()).length;
      tail_stands = e.vehicle_speed(queue.back()) < 0.1;
    }
    std::set<std::uint32_t> now_on_link;
    for (sim::Slot v : e.vehicles(false)) {
      const demand::VehicleType& t = e.vehicle_type(v);
      const bool shorter = room < t.length + t.min_gap;
      const bool stands = e.vehicle_speed(v) < 0.1;
      const std::uint32_t trip = e.vehicle_trip(v);
      const sim::DrivableId d = e.vehicle_drivable(v);
      if (d == link) {
        now_on_link.insert(trip);
        r.stood_on_link_while_short += stands && shorter;
        r.entered_while_short += shorter && !on_link.count(trip);
      } else if (d == e.lane_drivable(a) && stands && e.vehicle_distance(v) > a_length - 10) {
        ++r.halted_before_junction;
        if (shorter && tail_stands) {
          ++r.waited_for_standing_queue;
          r.waiters.insert(trip);
        }
      } else if (d == e.lane_drivable(b)) {
        on_b.insert(trip);
        r.standing_on_b += stands;
      }
    }
    on_link = std::move(now_on_link);
    if (e.demand_exhausted() && e.vehicle_count() == 0 && e.waiting_to_enter() == 0) break;
  }
  for (std::uint32_t trip : r.waiters) r.waiters_reached_b += on_b.count(trip);
  r.generated = e.vehicles_generated();
  r.finished = e.vehicles_finished();
  return r;
}

TEST(SumoKeepClear, VehiclesWaitBeforeTheJunctionWhileTheQueueBehindItStands) {
  // 90 s of red at J2: b fills with a standing queue; the vehicles still coming wait on a, before
  // J1, rather than on the link where they would block the junction.
  const KeepClearRun r =
      run_keep_clear(R"(<phase duration="90" state="r"/><phase duration="900" state="G"/>)", "10");
  EXPECT_EQ(r.generated, 16u);
  EXPECT_GT(r.standing_on_b, 0u);
  EXPECT_GT(r.waited_for_standing_queue, 0u);
  EXPECT_EQ(r.stood_on_link_while_short, 0u);
  // Once the queue moves they go: each vehicle that waited reaches b, and every trip ends.
  EXPECT_FALSE(r.waiters.empty());
  EXPECT_EQ(r.waiters_reached_b, r.waiters.size());
  EXPECT_EQ(r.finished, r.generated);

  // J2 always green but b slow (4 m/s): vehicles pack on b and move. The room counts only up to
  // the last standing vehicle, so a vehicle enters the link though b is momentarily short of its
  // length + minGap, and none halts before J1.
  const KeepClearRun m = run_keep_clear(R"(<phase duration="900" state="G"/>)", "4");
  EXPECT_EQ(m.generated, 16u);
  EXPECT_EQ(m.standing_on_b, 0u);
  EXPECT_GT(m.entered_while_short, 0u);
  EXPECT_EQ(m.halted_before_junction, 0u);
  EXPECT_EQ(m.finished, m.generated);
}

// Actuated signal (SUMO's tlLogic type="actuated"): J between the approaches wj (from the west)
// and sj (from the south). Each green may end after kMinDur once no vehicle comes over its lane's
// detector, and ends at kMaxDur whatever comes.
constexpr int kMinDur = 10, kMaxDur = 40, kYellow = 3;

std::string actuated_net() {
  const std::string green = R"(duration="20" minDur=")" + std::to_string(kMinDur) +
                            R"(" maxDur=")" + std::to_string(kMaxDur) + R"(")";
  const std::string yellow = R"(duration=")" + std::to_string(kYellow) + R"(")";
  return R"(<net>
  <edge id="wj" from="W" to="J"><lane id="wj_0" index="0" speed="10" length="200" shape="0,0 200,0"/></edge>
  <edge id="je" from="J" to="E"><lane id="je_0" index="0" speed="10" length="200" shape="220,0 420,0"/></edge>
  <edge id="sj" from="S" to="J"><lane id="sj_0" index="0" speed="10" length="200" shape="210,-210 210,-10"/></edge>
  <edge id="jn" from="J" to="N"><lane id="jn_0" index="0" speed="10" length="200" shape="210,10 210,210"/></edge>
  <tlLogic id="J" type="actuated" programID="0" offset="0">
    <phase )" +
         green + R"( state="Gr"/>
    <phase )" +
         yellow + R"( state="yr"/>
    <phase )" +
         green + R"( state="rG"/>
    <phase )" +
         yellow + R"( state="ry"/>
  </tlLogic>
  <junction id="W" type="dead_end" x="0" y="0"/>
  <junction id="E" type="dead_end" x="420" y="0"/>
  <junction id="S" type="dead_end" x="210" y="-210"/>
  <junction id="N" type="dead_end" x="210" y="210"/>
  <junction id="J" type="traffic_light" x="210" y="0"/>
  <connection from="wj" to="je" fromLane="0" toLane="0" dir="s" tl="J" linkIndex="0"/>
  <connection from="sj" to="jn" fromLane="0" toLane="0" dir="s" tl="J" linkIndex="1"/>
</net>)";
}

struct Episode {
  std::uint32_t phase = 0;
  double start = 0, duration = 0;
};

// The phases J showed over 600 s, each with when it began and how long it lasted (the unfinished
// last one left out).
std::vector<Episode> run_actuated(const std::string& flow) {
  ImportedCity c = parse(actuated_net(), "<routes>" + flow + "</routes>");
  sim::Engine e = imported_engine(c, "actuated");
  const IntersectionId j = e.network().find_intersection("J");
  std::vector<Episode> out;
  Episode cur{e.phase(j), 0, 0};
  while (e.time() < 600) {
    e.step();
    if (e.phase(j) != cur.phase) {
      cur.duration = e.time() - cur.start;
      out.push_back(cur);
      cur = {e.phase(j), e.time(), 0};
    }
  }
  return out;
}

TEST(SumoActuated, GreenEndsAtMinDurWithoutTrafficAndIsHeldUpToMaxDurWhileVehiclesCome) {
  // No traffic: every phase lasts its minimum, the yellows their fixed time.
  const std::vector<Episode> idle = run_actuated("");
  ASSERT_GE(idle.size(), 8u);
  for (const Episode& ep : idle) {
    EXPECT_EQ(ep.duration, ep.phase % 2 == 0 ? kMinDur : kYellow)
        << "phase " << ep.phase << " from " << ep.start;
  }
  // A vehicle every 2 s from the west (quick starters, so that they enter that often): its green
  // is held past the minimum while they come over the detector, and only the maximum ends it; the
  // south green, with nothing coming, still ends at its minimum. The first green ends before the
  // first vehicle has come near.
  const std::vector<Episode> busy = run_actuated(R"(<vType id="quick" accel="5"/>
      <flow id="w" type="quick" begin="0" end="600" period="2" from="wj" to="je"/>)");
  std::size_t west_greens = 0;
  double longest = 0;
  for (const Episode& ep : busy) {
    if (ep.phase == 0 && ep.start > 0) {
      ++west_greens;
      longest = std::max(longest, ep.duration);
      EXPECT_GT(ep.duration, kMinDur) << "from " << ep.start;
      EXPECT_LE(ep.duration, kMaxDur) << "from " << ep.start;
    } else if (ep.phase == 2) {
      EXPECT_EQ(ep.duration, kMinDur) << "from " << ep.start;
    }
  }
  EXPECT_GE(west_greens, 5u);
  EXPECT_EQ(longest, kMaxDur);
}

// SUMO's rules for which loops hold a green. On a two-lane west approach whose links are both
// permissive ('g', never 'G'), the loops do not count: a queue there does not hold the green.
TEST(SumoActuated, PermissiveLinksWithoutPriorityDoNotHoldTheGreen) {
  std::string net = actuated_net();
  auto replace = [&](const std::string& from, const std::string& to) {
    const std::size_t at = net.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    net.replace(at, from.size(), to);
  };
  replace(R"(<lane id="wj_0" index="0" speed="10" length="200" shape="0,0 200,0"/>)",
          R"(<lane id="wj_0" index="0" speed="10" length="200" shape="0,-2 200,-2"/>
             <lane id="wj_1" index="1" speed="10" length="200" shape="0,2 200,2"/>)");
  replace(R"(<lane id="je_0" index="0" speed="10" length="200" shape="220,0 420,0"/>)",
          R"(<lane id="je_0" index="0" speed="10" length="200" shape="220,-2 420,-2"/>
             <lane id="je_1" index="1" speed="10" length="200" shape="220,2 420,2"/>)");
  replace(R"(tl="J" linkIndex="0"/>)", R"(tl="J" linkIndex="0"/>
  <connection from="wj" to="je" fromLane="1" toLane="1" dir="s" tl="J" linkIndex="2"/>)");
  replace(R"(state="Gr")", R"(state="grg")");
  replace(R"(state="yr")", R"(state="yry")");
  replace(R"(state="rG")", R"(state="rGr")");
  replace(R"(state="ry")", R"(state="ryr")");
  ImportedCity c = parse(net, R"(<routes><vType id="quick" accel="5"/>
      <flow id="w" type="quick" begin="0" end="600" period="2" from="wj" to="je"/></routes>)");
  const nlohmann::json j = find_intersection(nlohmann::json::parse(c.roadnet_json), "J");
  const nlohmann::json& phases = j["trafficLight"]["lightphases"];
  EXPECT_EQ(phases[0]["availableRoadLinks"].size(), 2u);  // both west links are green ...
  EXPECT_TRUE(phases[0]["actuatingRoadLinks"].empty());   // ... and neither holds it
  EXPECT_EQ(phases[2]["actuatingRoadLinks"].size(), 1u);  // the south link is 'G'
  sim::Engine e = imported_engine(c, "permissive");
  const IntersectionId jid = e.network().find_intersection("J");
  int west_greens = 0;
  double start = 0;
  std::uint32_t phase = e.phase(jid);
  while (e.time() < 600) {
    e.step();
    if (e.phase(jid) == phase) continue;
    if (phase == 0 && start > 0) {
      ++west_greens;
      EXPECT_EQ(e.time() - start, kMinDur) << "from " << start;
    }
    phase = e.phase(jid);
    start = e.time();
  }
  EXPECT_GE(west_greens, 5);
}

// Two junctions of one controller: the loop before the first does not hold a green while the
// link after the second, which its lane leads to, is red.
TEST(SumoActuated, LoopBeforeARedLinkOfTheSameControllerDoesNotHoldTheGreen) {
  ImportedCity c = parse(R"(<net>
  <edge id="a" from="W" to="J1"><lane id="a_0" index="0" speed="10" length="200" shape="0,0 200,0"/></edge>
  <edge id="b" from="J1" to="J2"><lane id="b_0" index="0" speed="10" length="30" shape="210,0 240,0"/></edge>
  <edge id="c" from="J2" to="E"><lane id="c_0" index="0" speed="10" length="200" shape="250,0 450,0"/></edge>
  <tlLogic id="T" type="actuated" programID="0" offset="0">
    <phase duration="20" minDur="10" maxDur="40" state="Gr"/>
    <phase duration="3" state="yr"/>
    <phase duration="20" minDur="10" maxDur="40" state="GG"/>
    <phase duration="3" state="yy"/>
  </tlLogic>
  <junction id="W" type="dead_end" x="0" y="0"/>
  <junction id="J1" type="traffic_light" x="205" y="0"/>
  <junction id="J2" type="traffic_light" x="245" y="0"/>
  <junction id="E" type="dead_end" x="450" y="0"/>
  <connection from="a" to="b" fromLane="0" toLane="0" dir="s" tl="T" linkIndex="0"/>
  <connection from="b" to="c" fromLane="0" toLane="0" dir="s" tl="T" linkIndex="1"/>
</net>)");
  const nlohmann::json rn = nlohmann::json::parse(c.roadnet_json);
  const nlohmann::json j1 = find_intersection(rn, "J1")["trafficLight"]["lightphases"];
  const nlohmann::json j2 = find_intersection(rn, "J2")["trafficLight"]["lightphases"];
  ASSERT_EQ(j1.size(), 4u) << rn.dump();
  ASSERT_EQ(j2.size(), 4u);
  EXPECT_EQ(j1[0]["availableRoadLinks"].size(), 1u);
  EXPECT_TRUE(j1[0]["actuatingRoadLinks"].empty());
  EXPECT_EQ(j1[2]["actuatingRoadLinks"].size(), 1u);
  EXPECT_TRUE(j2[0]["availableRoadLinks"].empty());
  EXPECT_EQ(j2[2]["actuatingRoadLinks"].size(), 1u);
}

TEST(SumoErrors, MissingFiles) {
  try {
    import_sumo_config(kDir + "no_such.sumocfg");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kFileNotFound);
  }
}

TEST(SumoErrors, CorruptGzip) {
  // A file starting with the gzip magic but truncated.
  std::string path = ::testing::TempDir() + "/bad.net.xml.gz";
  {
    FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    const unsigned char bytes[] = {0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00,
                                   0x00, 0x00, 0x00, 0x03, 0x01};
    std::fwrite(bytes, 1, sizeof bytes, f);
    std::fclose(f);
  }
  SumoInputs in;
  in.net_file = path;
  EXPECT_THROW(import_sumo(in), Error);
}

}  // namespace
}  // namespace citybrain::import
