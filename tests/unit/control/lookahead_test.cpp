// The lookahead controller's choice in small hand-built situations whose right answer is known,
// and the proof that it cannot reach the simulator running the city: this file includes only the
// controller interfaces, the static network and the grid generator, then declares its own
// citybrain::sim::Engine. Had lookahead.hpp pulled in the simulator, the declaration below would
// be a redefinition and this test would not compile. (The lookahead builds its twins inside its
// own implementation, from the observation and the static network alone.)
#include "citybrain/control/lookahead.hpp"

#include <gtest/gtest.h>

#include <memory>

#include "citybrain/demand/generator.hpp"
#include "citybrain/net/cityflow_roadnet.hpp"
#include "citybrain/net/network.hpp"

namespace citybrain::sim {
struct Engine {
  int proves_the_lookahead_never_sees_the_simulator = 0;
};
}  // namespace citybrain::sim

namespace citybrain::control {
namespace {

// A generated rows x cols grid (300 m roads, 3 lanes: left, straight, right) with nothing on it.
struct Scene {
  std::shared_ptr<const net::Network> net;
  std::vector<ControlledIntersection> inters;
  Observation obs;
  Scene(int rows, int cols, int current, int decision_interval) {
    demand::GridSpec spec;
    spec.rows = rows;
    spec.cols = cols;
    net = std::make_shared<net::Network>(
        net::parse_cityflow_roadnet(demand::generate_grid(spec).roadnet_json, "<grid>"));
    inters = controlled_intersections(*net);
    const std::size_t lanes = net->lanes.size();
    obs.decision_interval = decision_interval;
    obs.yellow = 5;
    obs.time = 600;
    obs.approach_range = 0.85 * 11.11 * decision_interval;
    obs.lane_vehicles.assign(lanes, 0);
    obs.lane_waiting.assign(lanes, 0);
    obs.lane_approaching.assign(lanes, 0);
    obs.lane_queue_length.assign(lanes, 0);
    obs.lane_mean_speed.assign(lanes, 0);
    obs.current_action.assign(inters.size(), current);
    obs.time_in_phase.assign(inters.size(), decision_interval);
  }
  LaneId lane(std::size_t i, int a, int k) const {
    return inters[i]
        .action_movements[static_cast<std::size_t>(a)][static_cast<std::size_t>(k)]
        .lane;
  }
  // n stopped vehicles queued from the stop line of (intersection, action, movement).
  void wait(std::size_t i, int a, int k, std::uint32_t n) {
    const std::size_t l = lane(i, a, k).index();
    obs.lane_waiting[l] += n;
    obs.lane_vehicles[l] += n;
    obs.lane_queue_length[l] = static_cast<float>(7.5 * obs.lane_waiting[l]);
  }
  std::vector<int> choose(const std::string& name) {
    auto c = make_controller(name, obs.decision_interval, net);
    std::vector<int> actions(obs.current_action);
    c->decide(obs, inters, actions);
    return actions;
  }
};

TEST(Lookahead, ServesTheOnlyQueue) {
  Scene s(1, 1, 0, 30);
  s.wait(0, 1, 0, 8);
  s.wait(0, 1, 1, 8);
  EXPECT_EQ(s.choose("lookahead").front(), 1);
  Scene t(1, 1, 1, 30);
  t.wait(0, 3, 0, 6);
  t.wait(0, 3, 1, 6);
  EXPECT_EQ(t.choose("lookahead").front(), 3);
}

TEST(Lookahead, KeepsAGreenThatStillDischargesAgainstAnEqualQueueOnRed) {
  // Both phases hold the same queue; switching costs a yellow, so keeping serves more now and the
  // other queue just as well next.
  Scene s(1, 1, 2, 15);
  s.wait(0, 2, 0, 5);
  s.wait(0, 2, 1, 5);
  s.wait(0, 0, 0, 5);
  s.wait(0, 0, 1, 5);
  EXPECT_EQ(s.choose("lookahead").front(), 2);
}

TEST(Lookahead, LetsAPlatoonBeyondTheBrainsRangeReachItsGreen) {
  // Under XLight-15 the brain only counts vehicles within about 140 m of the stop line. A platoon
  // of 20 just beyond reaches the stop line within the horizon; the lookahead keeps its green for
  // it rather than switching for a single vehicle that can wait one interval.
  Scene s(1, 1, 0, 15);
  for (int k : {0, 1}) {
    const std::size_t l = s.lane(0, 0, k).index();
    s.obs.lane_vehicles[l] = 10;
    s.obs.lane_mean_speed[l] = 11.111f;  // all moving, none within the approach range
  }
  s.wait(0, 1, 1, 1);
  EXPECT_EQ(s.choose("brain").front(), 1);
  EXPECT_EQ(s.choose("lookahead").front(), 0);
}

TEST(Lookahead, DecidesEveryIntersectionOfAGridAndNeedsTheNetwork) {
  Scene s(2, 3, 0, 30);
  for (std::size_t i = 0; i < s.inters.size(); ++i) {
    const int a = static_cast<int>(i % 4);
    s.wait(i, a, 0, 6);
    s.wait(i, a, 1, 6);
  }
  const std::vector<int> actions = s.choose("lookahead");
  ASSERT_EQ(actions.size(), 6u);
  for (std::size_t i = 0; i < actions.size(); ++i)
    EXPECT_EQ(actions[i], static_cast<int>(i % 4)) << "intersection " << i;
  EXPECT_EQ(make_controller("lookahead", 30, s.net)->name(), "lookahead");
  EXPECT_THROW(make_controller("lookahead", 30), std::exception);
  EXPECT_THROW(make_controller("lookahead:nonsense=1", 30, s.net), std::exception);
}

}  // namespace
}  // namespace citybrain::control
