// The OpenStreetMap importer on hand-written extracts (tests/fixtures/osm): each behaviour (tags,
// one-way streets, restrictions, clustering, signals, demand) and each error.
#include "citybrain/import/osm.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "citybrain/citybrain.hpp"
#include "citybrain/demand/cityflow_flow.hpp"
#include "citybrain/net/cityflow_roadnet.hpp"
#include "import/osm_tags.hpp"
#include "support/expect_error.hpp"

namespace citybrain::import {
namespace {

using nlohmann::json;
using test::fixture;

OsmOptions few_trips(std::size_t n = 40) {
  OsmOptions o;
  o.trips = n;
  o.duration = 600;
  return o;
}

ImportedCity import_fixture(const std::string& name, const OsmOptions& o = few_trips()) {
  return import_osm(fixture("osm/" + name), o);
}

const json* find_by_id(const json& list, const std::string& id) {
  for (const json& e : list) {
    if (e["id"] == id) return &e;
  }
  return nullptr;
}

// Roads whose id starts with "w<way>_" and ends with the direction letter.
std::vector<const json*> roads_of_way(const json& net, std::int64_t way, char dir = 0) {
  std::vector<const json*> out;
  const std::string prefix = "w" + std::to_string(way) + "_";
  for (const json& r : net["roads"]) {
    const std::string id = r["id"];
    if (id.rfind(prefix, 0) == 0 && (dir == 0 || id.back() == dir)) out.push_back(&r);
  }
  return out;
}

std::vector<const json*> links_from(const json& inter, const std::string& road) {
  std::vector<const json*> out;
  for (const json& l : inter["roadLinks"]) {
    if (l["startRoad"] == road) out.push_back(&l);
  }
  return out;
}

std::size_t non_virtual(const json& net) {
  std::size_t n = 0;
  for (const json& i : net["intersections"]) n += !i["virtual"].get<bool>();
  return n;
}

TEST(OsmTags, DrivableClassesAndAccess) {
  using osm_detail::way_policy;
  osm_detail::WayTags t;
  t.highway = "footway";
  EXPECT_NE(way_policy(t).drop_reason.find("highway=footway"), std::string::npos);
  t.highway = "service";
  t.service = "parking_aisle";
  EXPECT_NE(way_policy(t).drop_reason.find("parking_aisle"), std::string::npos);
  t.service = "";
  EXPECT_TRUE(way_policy(t).drop_reason.empty());
  t.highway = "residential";
  t.access = "private";
  EXPECT_NE(way_policy(t).drop_reason.find("access=private"), std::string::npos);
  t.motorcar = "yes";
  EXPECT_TRUE(way_policy(t).drop_reason.empty());
  t = {};
  t.highway = "primary";
  t.oneway = "reversible";
  EXPECT_FALSE(way_policy(t).drop_reason.empty());
}

TEST(OsmTags, LanesDirectionAndSpeed) {
  using osm_detail::way_policy;
  osm_detail::WayTags t;
  t.highway = "residential";
  osm_detail::WayPolicy p = way_policy(t);
  EXPECT_EQ(p.forward_lanes, 1);
  EXPECT_EQ(p.backward_lanes, 1);
  EXPECT_NEAR(p.speed, 30 / 3.6, 1e-9);  // class default
  t.lanes = "3";
  p = way_policy(t);
  EXPECT_EQ(p.forward_lanes, 2);
  EXPECT_EQ(p.backward_lanes, 1);
  t.lanes_backward = "2";
  p = way_policy(t);
  EXPECT_EQ(p.forward_lanes, 1);
  EXPECT_EQ(p.backward_lanes, 2);
  t = {};
  t.highway = "primary";
  t.oneway = "-1";
  t.lanes = "2";
  t.maxspeed = "30 mph";
  p = way_policy(t);
  EXPECT_EQ(p.forward_lanes, 0);
  EXPECT_EQ(p.backward_lanes, 2);
  EXPECT_NEAR(p.speed, 30 * 1.609344 / 3.6, 1e-9);
  t = {};
  t.highway = "tertiary";
  t.junction = "roundabout";
  t.maxspeed = "DE:urban";
  p = way_policy(t);
  EXPECT_EQ(p.forward_lanes, 1);
  EXPECT_EQ(p.backward_lanes, 0);
  EXPECT_NEAR(p.speed, 50 / 3.6, 1e-9);
  t.maxspeed = "fast";
  t.lanes = "many";
  p = way_policy(t);
  EXPECT_NEAR(p.speed, 50 / 3.6, 1e-9);  // tertiary default
  EXPECT_FALSE(p.tag_problem.empty());
  t = {};
  t.highway = "motorway";
  p = way_policy(t);
  EXPECT_EQ(p.forward_lanes, 2);
  EXPECT_EQ(p.backward_lanes, 0);
}

TEST(OsmImport, SignalisedFourWayJunction) {
  const ImportedCity city = import_fixture("four_way_signal.osm");
  // The loaders accept what the importer wrote.
  const net::Network net = net::parse_cityflow_roadnet(city.roadnet_json, "roadnet");
  const demand::Demand dem = demand::parse_cityflow_flow(city.flow_json, "flow", net);
  const json j = json::parse(city.roadnet_json);
  ASSERT_EQ(non_virtual(j), 1u);
  const json* centre = find_by_id(j["intersections"], "n1");
  ASSERT_NE(centre, nullptr);
  EXPECT_FALSE((*centre)["virtual"].get<bool>());
  EXPECT_EQ(j["roads"].size(), 8u);  // four arms, both directions

  // Lanes and speeds from the tags.
  for (const json* r : roads_of_way(j, 100)) {
    EXPECT_EQ((*r)["lanes"].size(), 3u);
    EXPECT_NEAR((*r)["lanes"][0]["maxSpeed"].get<double>(), 50 / 3.6, 1e-3);
  }
  for (const json* r : roads_of_way(j, 101)) {
    EXPECT_EQ((*r)["lanes"].size(), 1u);
    EXPECT_NEAR((*r)["lanes"][0]["maxSpeed"].get<double>(), 20 * 1.609344 / 3.6, 1e-3);
  }
  // From the west (3 lanes): left from lane 0 only, straight from lane 1, right from lane 2.
  const auto west = roads_of_way(j, 100, 'f');
  ASSERT_EQ(west.size(), 2u);
  const std::string west_in =
      (*west[0])["endIntersection"] == "n1" ? (*west[0])["id"] : (*west[1])["id"];
  const auto links = links_from(*centre, west_in);
  ASSERT_EQ(links.size(), 3u);
  for (const json* l : links) {
    std::set<int> lanes;
    for (const json& ll : (*l)["laneLinks"]) lanes.insert(ll["startLaneIndex"].get<int>());
    const std::string type = (*l)["type"];
    if (type == "turn_left") {
      EXPECT_EQ(lanes, std::set<int>{0});
    }
    if (type == "go_straight") {
      EXPECT_EQ(lanes, std::set<int>{1});
    }
    if (type == "turn_right") {
      EXPECT_EQ(lanes, std::set<int>{2});
    }
  }

  // Phase plan: 0 rights only; east-west through, east-west protected left (own left lane);
  // north-south through with its (shared-lane) lefts.
  const json& rls = (*centre)["roadLinks"];
  const json& phases = (*centre)["trafficLight"]["lightphases"];
  ASSERT_EQ(phases.size(), 4u);
  for (const json& k : phases[0]["availableRoadLinks"])
    EXPECT_EQ(rls[k.get<int>()]["type"], "turn_right");
  std::vector<int> green_count(rls.size(), 0);
  for (std::size_t p = 1; p < phases.size(); ++p) {
    for (const json& k : phases[p]["availableRoadLinks"]) {
      if (rls[k.get<int>()]["type"] != "turn_right") ++green_count[k.get<std::size_t>()];
    }
  }
  for (std::size_t k = 0; k < rls.size(); ++k) {
    if (rls[k]["type"] != "turn_right") {
      EXPECT_EQ(green_count[k], 1) << "road link " << k;
    }
  }

  // Report: the footway dropped with its reason, the signal kept; the building is not a road.
  EXPECT_EQ(city.report.kept("way"), 2u);
  ASSERT_EQ(city.report.dropped_count("way"), 1u);
  EXPECT_NE(city.report.dropped()[0].reason.find("highway=footway"), std::string::npos);
  EXPECT_EQ(city.report.kept("signal"), 1u);
  EXPECT_EQ(city.report.kept("signalised intersection"), 1u);
  EXPECT_EQ(city.report.kept("trip"), 40u);
  EXPECT_EQ(dem.flows.size(), 40u);
}

TEST(OsmImport, OneWayStreets) {
  const ImportedCity city = import_fixture("oneway.osm");
  net::parse_cityflow_roadnet(city.roadnet_json, "roadnet");
  const json j = json::parse(city.roadnet_json);
  EXPECT_EQ(roads_of_way(j, 200).size(), 1u);
  ASSERT_EQ(roads_of_way(j, 200, 'f').size(), 1u);
  EXPECT_EQ((*roads_of_way(j, 200, 'f')[0])["lanes"].size(), 2u);  // lanes=2 on a one-way
  EXPECT_EQ((*roads_of_way(j, 200, 'f')[0])["startIntersection"], "n10");
  // oneway=-1 drawn from C (12) to B (11): traffic runs B -> C.
  EXPECT_EQ(roads_of_way(j, 201).size(), 1u);
  ASSERT_EQ(roads_of_way(j, 201, 'b').size(), 1u);
  EXPECT_EQ((*roads_of_way(j, 201, 'b')[0])["startIntersection"], "n11");
  // A roundabout way is one-way without an oneway tag.
  EXPECT_EQ(roads_of_way(j, 202).size(), 1u);
  EXPECT_EQ(roads_of_way(j, 202, 'f').size(), 1u);
  EXPECT_EQ(roads_of_way(j, 203).size(), 2u);
  EXPECT_EQ(non_virtual(j), 4u);
}

TEST(OsmImport, TurnRestrictions) {
  const ImportedCity city = import_fixture("restriction.osm");
  net::parse_cityflow_roadnet(city.roadnet_json, "roadnet");
  const json j = json::parse(city.roadnet_json);
  const json* centre = find_by_id(j["intersections"], "n1");
  ASSERT_NE(centre, nullptr);
  // no_left_turn: from the west arm (way 300 towards node 1) not into the north arm (way 302).
  const auto west = roads_of_way(j, 300, 'f');
  ASSERT_EQ(west.size(), 1u);
  const auto from_west = links_from(*centre, (*west[0])["id"]);
  EXPECT_EQ(from_west.size(), 2u);
  for (const json* l : from_west) {
    EXPECT_EQ(std::string((*l)["endRoad"]).rfind("w302_", 0), std::string::npos);
    EXPECT_NE((*l)["type"], "turn_left");
  }
  // only_straight_on: from the east arm (way 301 backwards) only into the west arm.
  const auto east = roads_of_way(j, 301, 'b');
  ASSERT_EQ(east.size(), 1u);
  const auto from_east = links_from(*centre, (*east[0])["id"]);
  ASSERT_EQ(from_east.size(), 1u);
  EXPECT_EQ((*from_east[0])["type"], "go_straight");
  EXPECT_EQ(std::string((*from_east[0])["endRoad"]).rfind("w300_", 0), 0u);
  // The south arm keeps its three movements.
  const auto south = roads_of_way(j, 303, 'f');
  ASSERT_EQ(south.size(), 1u);
  EXPECT_EQ(links_from(*centre, (*south[0])["id"]).size(), 3u);

  EXPECT_EQ(city.report.kept("restriction"), 2u);
  EXPECT_EQ(city.report.dropped_count("restriction"), 3u);
  std::set<std::string> reasons;
  for (const Dropped& d : city.report.dropped()) {
    if (d.kind == "restriction") reasons.insert(d.id + ": " + d.reason);
  }
  EXPECT_EQ(reasons.count("relation/402: via is a way (only via nodes are supported)"), 1u);
  EXPECT_EQ(reasons.count("relation/403: unknown restriction value (expected no_* or only_*)"), 1u);
  EXPECT_EQ(reasons.count("relation/404: expected one from way, one via node and one to way"), 1u);
}

TEST(OsmImport, JunctionClusterAndLargestComponent) {
  const ImportedCity city = import_fixture("cluster.osm");
  net::parse_cityflow_roadnet(city.roadnet_json, "roadnet");
  const json j = json::parse(city.roadnet_json);
  // The four junction nodes of the two dual carriageways are one signalised intersection.
  ASSERT_EQ(non_virtual(j), 1u);
  const json* centre = find_by_id(j["intersections"], "n1");
  ASSERT_NE(centre, nullptr);
  EXPECT_EQ(city.report.kept("signalised intersection"), 1u);
  EXPECT_GE((*centre)["trafficLight"]["lightphases"].size(), 3u);
  // Eastbound: straight on, left (north) and right (south), no U-turn into the westbound road.
  const auto east_in = roads_of_way(j, 500);
  const json* in = nullptr;
  for (const json* r : east_in) {
    if ((*r)["endIntersection"] == "n1") in = r;
  }
  ASSERT_NE(in, nullptr);
  const auto links = links_from(*centre, (*in)["id"]);
  std::multiset<std::string> types;
  for (const json* l : links) {
    types.insert((*l)["type"]);
    EXPECT_EQ(std::string((*l)["endRoad"]).rfind("w501_", 0), std::string::npos);
  }
  EXPECT_EQ(types, (std::multiset<std::string>{"go_straight", "turn_left", "turn_right"}));
  // The short internal segments are not roads; the separate street is dropped.
  EXPECT_EQ(j["roads"].size(), 8u);
  EXPECT_TRUE(roads_of_way(j, 510).empty());
  EXPECT_TRUE(roads_of_way(j, 511).empty());
  EXPECT_GE(city.report.dropped_count("road"), 3u);
  for (const Dropped& d : city.report.dropped()) {
    if (d.kind == "road") {
      EXPECT_EQ(d.reason, "not in the largest strongly connected component");
    }
  }
  EXPECT_EQ(city.report.dropped_count("segment"), 4u);
}

TEST(OsmImport, DemandIsSeededRoutedAndFromBoundaries) {
  OsmOptions o = few_trips(60);
  const ImportedCity a = import_fixture("oneway.osm", o);
  const ImportedCity b = import_fixture("oneway.osm", o);
  EXPECT_EQ(a.flow_json, b.flow_json);
  o.seed = 2;
  const ImportedCity c = import_fixture("oneway.osm", o);
  EXPECT_NE(a.flow_json, c.flow_json);
  const json net = json::parse(a.roadnet_json);
  std::set<std::string> virt;
  for (const json& i : net["intersections"]) {
    if (i["virtual"].get<bool>()) virt.insert(i["id"]);
  }
  const json flows = json::parse(a.flow_json);
  ASSERT_EQ(flows.size(), 60u);
  double last = -1;
  for (const json& f : flows) {
    const json* first = find_by_id(net["roads"], f["route"].front());
    const json* final = find_by_id(net["roads"], f["route"].back());
    ASSERT_TRUE(first && final);
    EXPECT_EQ(virt.count((*first)["startIntersection"]), 1u);
    EXPECT_EQ(virt.count((*final)["endIntersection"]), 1u);
    EXPECT_GE(f["startTime"].get<double>(), last);
    EXPECT_LT(f["startTime"].get<double>(), 600);
    last = f["startTime"];
  }
  // Routes follow road links (the flow loader checks consecutive roads are connected).
  const net::Network n = net::parse_cityflow_roadnet(a.roadnet_json, "roadnet");
  EXPECT_NO_THROW(demand::parse_cityflow_flow(a.flow_json, "flow", n));

  o.demand = "gravity";
  const ImportedCity g = import_fixture("four_way_signal.osm", o);
  EXPECT_EQ(json::parse(g.flow_json).size(), 60u);
  EXPECT_NO_THROW(demand::parse_cityflow_flow(
      g.flow_json, "flow", net::parse_cityflow_roadnet(g.roadnet_json, "roadnet")));
}

TEST(OsmImport, RunsUnderItsSignalPlanAndUnderMaxPressure) {
  const ImportedCity city = import_fixture("four_way_signal.osm", few_trips(80));
  const Scenario s = scenario_from(city, "four_way_signal.osm");
  RunOptions o;
  o.duration = 1800;
  const Report plan = run(s, o);
  EXPECT_EQ(plan.vehicles_generated, 80u);
  EXPECT_EQ(plan.vehicles_finished, 80u);
  // MaxPressure chooses among the generated phases (every one but the clearance phase 0).
  o.controller = "maxpressure";
  const Report mp = run(s, o);
  EXPECT_EQ(mp.vehicles_generated, 80u);
  EXPECT_EQ(mp.vehicles_finished, 80u);
}

TEST(OsmImport, Errors) {
  EXPECT_LOAD_ERROR(import_fixture("corrupted.osm"), "corrupted.osm", "OpenStreetMap");
  auto missing = test::catch_error([] { import_fixture("no_such.osm"); });
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->code(), ErrorCode::kFileNotFound);
  auto suffix = test::catch_error([] { import_osm(fixture("cross_roadnet.json"), OsmOptions{}); });
  ASSERT_TRUE(suffix);
  EXPECT_EQ(suffix->code(), ErrorCode::kInvalidArgument);
  const std::string footway =
      "<osm version=\"0.6\"><node id=\"1\" lat=\"1\" lon=\"1\"/><node id=\"2\" lat=\"1.001\" "
      "lon=\"1\"/><way id=\"3\"><nd ref=\"1\"/><nd ref=\"2\"/><tag k=\"highway\" "
      "v=\"footway\"/></way></osm>";
  auto none = test::catch_error([&] { import_osm_data(footway, "osm", "mem.osm", OsmOptions{}); });
  ASSERT_TRUE(none);
  EXPECT_EQ(none->code(), ErrorCode::kInvalidInput);
  EXPECT_NE(std::string(none->what()).find("no drivable road"), std::string::npos);
  auto pbf = test::catch_error([] {
    import_osm_data(std::string("\0\0\0\x0dgarbage-garbage", 19), "pbf", "mem.pbf", OsmOptions{});
  });
  ASSERT_TRUE(pbf);
  EXPECT_EQ(pbf->code(), ErrorCode::kInvalidInput);
  OsmOptions bad;
  bad.demand = "teleport";
  auto opt = test::catch_error([&] { import_fixture("oneway.osm", bad); });
  ASSERT_TRUE(opt);
  EXPECT_EQ(opt->code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(std::string(opt->what()).find("teleport"), std::string::npos);
}

}  // namespace
}  // namespace citybrain::import
