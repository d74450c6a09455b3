#include "citybrain/sim/engine.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

#include "support/scenario.hpp"

namespace citybrain::sim {
namespace {

using test::GridOptions;

// A 3x3 grid: 48 roads x 2 lanes + 216 lane links, busy enough for both workers and lane changes.
struct Grid {
  GridOptions options{.rows = 3, .cols = 3, .length = 250, .lanes = 2};
  test::Built built = test::build(test::make_grid(options), test::grid_flows(options, 4.0));
  Engine engine(SimConfig config) const { return Engine(built.net, built.demand, config); }
};

std::uint64_t run_hash(const Grid& g, SimConfig config, int steps) {
  Engine e = g.engine(config);
  for (int i = 0; i < steps; ++i) e.step();
  return test::state_hash(e);
}

TEST(Engine, GridIsBigEnoughForTwoThreads) {
  Grid g;
  EXPECT_GE(g.built.net->lanes.size() + g.built.net->lanelinks.size(), 64u);
}

TEST(Engine, DeterministicAcrossRunsAndThreadCounts) {
  Grid g;
  SimConfig one{
      .interval = 1.0, .seed = 7, .rl_traffic_light = false, .lane_change = true, .threads = 1};
  SimConfig two = one;
  two.threads = 2;
  two.parallel_threshold = 0;  // split every phase, however few vehicles run
  Engine e = g.engine(one);
  for (int i = 0; i < 600; ++i) e.step();
  EXPECT_GT(e.vehicle_count(), 20u);
  EXPECT_GT(e.vehicles_finished(), 20u);
  const std::uint64_t h1 = test::state_hash(e);
  EXPECT_EQ(h1, run_hash(g, one, 600));
  EXPECT_EQ(h1, run_hash(g, two, 600));
}

TEST(Engine, ThreadCountCanChangeMidRun) {
  Grid g;
  SimConfig config{.seed = 3, .lane_change = true, .threads = 1, .parallel_threshold = 0};
  Engine a = g.engine(config);
  Engine b = g.engine(config);
  for (int i = 0; i < 400; ++i) {
    if (i == 150) b.set_threads(2);
    a.step();
    b.step();
  }
  EXPECT_EQ(test::state_hash(a), test::state_hash(b));
}

TEST(Engine, UnsetParallelThresholdFollowsTheRules) {
  Grid g;
  EXPECT_EQ(g.engine({}).config().parallel_threshold, 2048u);
  EXPECT_EQ(g.engine({.parallel_threshold = 100}).config().parallel_threshold, 100u);
  // Under an imported city's rules a vehicle's step costs more: steps split from fewer vehicles.
  auto imported = std::make_shared<net::Network>(*g.built.net);
  imported->options.keep_clear = true;
  EXPECT_EQ(Engine(imported, g.built.demand, {}).config().parallel_threshold, 512u);
}

TEST(Engine, CopyIsAClone) {
  Grid g;
  Engine a = g.engine({.seed = 1, .lane_change = true, .threads = 2});
  for (int i = 0; i < 300; ++i) a.step();
  Engine b = a;
  EXPECT_EQ(test::state_hash(a), test::state_hash(b));
  for (int i = 0; i < 300; ++i) a.step();
  EXPECT_NE(test::state_hash(a), test::state_hash(b)) << "stepping the original moved the copy";
  for (int i = 0; i < 300; ++i) b.step();
  EXPECT_EQ(test::state_hash(a), test::state_hash(b));
  EXPECT_EQ(a.vehicles_finished(), b.vehicles_finished());
  EXPECT_EQ(a.step_count(), b.step_count());
}

TEST(Engine, CopyAssignmentIsAClone) {
  Grid g;
  Engine a = g.engine({.seed = 1, .lane_change = true});
  Engine b = g.engine({.seed = 9});
  for (int i = 0; i < 200; ++i) a.step();
  b = a;
  for (int i = 0; i < 100; ++i) {
    a.step();
    b.step();
  }
  EXPECT_EQ(test::state_hash(a), test::state_hash(b));
}

TEST(Engine, TwoEnginesInOneProcessAreIndependent) {
  Grid g;
  SimConfig ca{.seed = 11, .lane_change = true, .threads = 2};
  SimConfig cb{.seed = 12, .lane_change = false, .threads = 1};
  const std::uint64_t alone_a = run_hash(g, ca, 500);
  const std::uint64_t alone_b = run_hash(g, cb, 500);
  Engine a = g.engine(ca);
  Engine b = g.engine(cb);
  for (int i = 0; i < 500; ++i) {
    a.step();
    b.step();
  }
  EXPECT_EQ(test::state_hash(a), alone_a);
  EXPECT_EQ(test::state_hash(b), alone_b);
}

// One intersection, one vehicle: west entry, straight on to the east, signal green for it.
struct Cross {
  GridOptions options{.rows = 1, .cols = 1, .length = 400, .lanes = 2, .max_speed = 11.111};
  std::string in = test::road_id(0, -1, 0, 0);
  std::string out = test::road_id(0, 0, 0, 1);
};

TEST(Engine, LoneVehicleReachesButNeverExceedsMaxSpeedAndLeaves) {
  Cross x;
  nlohmann::json flows =
      nlohmann::json::array({test::flow_json({x.in, x.out}, 5.0, 0, 0, /*max_speed=*/11.111)});
  auto built = test::build(test::make_grid(x.options), flows);
  Engine e(built.net, built.demand, {.rl_traffic_light = true});
  e.set_phase(built.net->find_intersection(test::inter_id(0, 0)), 1);  // east-west straight
  double top = 0, prev = 0;
  bool accelerating = true;
  for (int i = 0; i < 200 && e.vehicles_finished() == 0; ++i) {
    e.step();
    for (DrivableId d = 0; d < built.net->lanes.size() + built.net->lanelinks.size(); ++d) {
      for (Slot v : e.drivable_vehicles(d)) {
        const double s = e.vehicle_speed(v);
        EXPECT_LE(s, 11.111 + 1e-9) << "step " << i;
        EXPECT_GE(s, 0.0);
        if (s < prev - 1e-9) accelerating = false;
        if (accelerating) {
          EXPECT_LE(s - prev, 2.0 + 1e-9) << "faster than maxPosAcc";
        }
        top = std::max(top, s);
        prev = s;
      }
    }
  }
  EXPECT_NEAR(top, 11.111, 1e-6);
  EXPECT_EQ(e.vehicles_generated(), 1u);
  EXPECT_EQ(e.vehicles_finished(), 1u);
  EXPECT_EQ(e.vehicle_count(), 0u);
  // 800 m at ~11.1 m/s: about 75 s.
  EXPECT_GT(e.time(), 70.0);
  EXPECT_LT(e.time(), 90.0);
}

std::size_t vehicles_on_links_from(const Engine& e, RoadId road) {
  const net::Network& net = e.network();
  std::size_t n = 0;
  for (std::size_t k = 0; k < net.lanelinks.size(); ++k) {
    if (net.lanes[net.lanelinks[k].from.index()].road == road)
      n += e.drivable_vehicles(e.lanelink_drivable(LaneLinkId(k))).size();
  }
  return n;
}

TEST(Engine, VehiclesStopAtRedAndGoOnGreen) {
  Cross x;
  nlohmann::json flows = nlohmann::json::array({test::flow_json({x.in, x.out}, 4.0, 0, 200)});
  auto built = test::build(test::make_grid(x.options), flows);
  const net::Network& net = *built.net;
  Engine e(built.net, built.demand, {.rl_traffic_light = true, .threads = 1});
  IntersectionId c = net.find_intersection(test::inter_id(0, 0));
  RoadId in = net.find_road(x.in);
  e.set_phase(c, 2);  // north-south straight: nothing for the west approach
  for (int i = 0; i < 150; ++i) {
    e.step();
    ASSERT_EQ(vehicles_on_links_from(e, in), 0u)
        << "a vehicle entered the junction on red, step " << i;
  }
  EXPECT_EQ(e.vehicles_finished(), 0u);
  std::uint32_t waiting = 0;
  for (std::uint32_t l = 0; l < 2; ++l) waiting += e.lane_waiting_count(net.lane_of(in, l));
  EXPECT_GT(waiting, 5u);
  e.set_phase(c, 1);
  bool crossed = false;
  for (int i = 0; i < 300; ++i) {
    e.step();
    crossed = crossed || vehicles_on_links_from(e, in) > 0;
  }
  EXPECT_TRUE(crossed);
  EXPECT_GT(e.vehicles_finished(), 20u);
}

TEST(Engine, VehiclesQueueAtTheSourceWhenTheEntryLaneIsFull) {
  GridOptions o{.rows = 1, .cols = 1, .length = 60, .lanes = 1};
  nlohmann::json flows = nlohmann::json::array(
      {test::flow_json({test::road_id(0, -1, 0, 0), test::road_id(0, 0, 0, 1)}, 1.0)});
  auto built = test::build(test::make_grid(o), flows);
  Engine e(built.net, built.demand, {.rl_traffic_light = true});
  e.set_phase(built.net->find_intersection(test::inter_id(0, 0)), 2);  // red for it
  for (int i = 0; i < 120; ++i) e.step();
  EXPECT_GT(e.vehicles_generated(), e.vehicle_count() + e.vehicles_finished());
  EXPECT_GT(e.waiting_to_enter(), 0u);
  EXPECT_EQ(e.vehicles_generated(),
            e.vehicle_count() + e.vehicles_finished() + e.waiting_to_enter());
  EXPECT_LE(e.vehicle_count(), 60u / 7u + 1u);  // a 60 m lane holds ~8 cars of 5 m + 2.5 m gap
}

TEST(Engine, FixedCycleWithoutRlAdvancesPhases) {
  Cross x;
  x.options.phase_time = 10;
  auto built = test::build(test::make_grid(x.options), nlohmann::json::array());
  Engine e(built.net, built.demand, {});
  IntersectionId c = built.net->find_intersection(test::inter_id(0, 0));
  std::vector<std::uint32_t> seen;
  for (int i = 0; i < 60; ++i) {
    e.step();
    if (seen.empty() || seen.back() != e.phase(c)) seen.push_back(e.phase(c));
  }
  EXPECT_GE(seen.size(), 4u);
  EXPECT_EQ(e.vehicles_generated(), 0u);
}

// Imported cities: a flow marked routeAtInsertion on a roadnet with citybrain.routeTrips is routed
// when released by the current travel times (on an empty network, the fastest path), whatever
// the route in the file; without either flag it keeps the file's route.
std::vector<std::string> released_route(bool route_trips, bool at_insertion) {
  GridOptions o{.rows = 2, .cols = 2, .length = 300, .lanes = 2, .max_speed = 11.111};
  nlohmann::json roadnet = test::make_grid(o);
  if (route_trips) roadnet["citybrain"] = {{"routeTrips", true}};
  // A detour round the block: north at I_0_0, east, south at I_1_1, then out east of I_0_1.
  nlohmann::json flow = test::flow_json(
      {test::road_id(0, -1, 0, 0), test::road_id(0, 0, 1, 0), test::road_id(1, 0, 1, 1),
       test::road_id(1, 1, 0, 1), test::road_id(0, 1, 0, 2)},
      100.0, 0, 0);
  if (at_insertion) flow["routeAtInsertion"] = true;
  auto built = test::build(roadnet, nlohmann::json::array({flow}));
  Engine e(built.net, built.demand, {});
  e.step();
  std::vector<Slot> vs = e.vehicles(true);
  if (vs.size() != 1) return {};
  std::vector<std::string> ids;
  for (RoadId r : e.vehicle_route_ahead(vs[0])) ids.push_back(built.net->roads[r.index()].id);
  return ids;
}

TEST(Engine, TripsAreRoutedWhenReleasedOnlyWhereAsked) {
  const std::vector<std::string> direct = {test::road_id(0, -1, 0, 0), test::road_id(0, 0, 0, 1),
                                           test::road_id(0, 1, 0, 2)};
  EXPECT_EQ(released_route(true, true), direct);
  EXPECT_EQ(released_route(false, true).size(), 5u);
  EXPECT_EQ(released_route(true, false).size(), 5u);
}

// The A* search with landmark bounds finds the routes plain Dijkstra finds, on a congested grid
// whose roads all differ in length (so that no two routes tie) and whose trips really are routed
// by the current travel times.
TEST(Engine, LandmarkSearchRoutesTripsAsDijkstraDoes) {
  GridOptions o{.rows = 4, .cols = 4, .length = 200, .lanes = 2, .max_speed = 13.9};
  nlohmann::json roadnet = test::make_grid(o);
  roadnet["citybrain"] = {{"routeTrips", true}};
  std::uint64_t bend = 1;
  for (auto& road : roadnet["roads"]) {  // a bend in each road, of its own size
    bend = bend * 6364136223846793005ull + 1442695040888963407ull;
    const double off = 5.0 + static_cast<double>(bend >> 40) / static_cast<double>(1ull << 24) * 40;
    nlohmann::json& points = road["points"];
    const double x = (points[0]["x"].get<double>() + points[1]["x"].get<double>()) / 2 + off;
    const double y = (points[0]["y"].get<double>() + points[1]["y"].get<double>()) / 2 + off;
    points.insert(points.begin() + 1, nlohmann::json::object({{"x", x}, {"y", y}}));
  }
  nlohmann::json flows = test::grid_flows(o, 3.0);
  for (int r = 0; r < o.rows; ++r) {  // across the grid: many routes of about the same length
    for (int c = 0; c < o.cols; ++c) {
      flows.push_back(test::flow_json(
          {test::road_id(r, -1, r, 0), test::road_id(o.rows - 1, c, o.rows, c)}, 6.0));
      flows.push_back(test::flow_json(
          {test::road_id(-1, c, 0, c), test::road_id(r, o.cols - 1, r, o.cols)}, 6.0));
    }
  }
  auto unrouted = test::build(roadnet, flows);
  for (auto& f : flows) f["routeAtInsertion"] = true;
  auto built = test::build(roadnet, flows);
  SimConfig fast{.seed = 3};
  SimConfig plain = fast;
  plain.route_landmarks = false;
  Engine a(built.net, built.demand, fast), b(built.net, built.demand, plain),
      c(unrouted.net, unrouted.demand, fast);
  for (int i = 0; i < 900; ++i) {
    a.step();
    b.step();
    c.step();
    ASSERT_EQ(test::state_hash(a), test::state_hash(b)) << "step " << i;
  }
  EXPECT_GT(a.vehicles_generated(), 1000u);
  EXPECT_NE(test::state_hash(a), test::state_hash(c));  // routing changed the trips
}
}  // namespace
}  // namespace citybrain::sim
