// Each controller's choice in small hand-built situations whose right answer is known, and the
// proof that controllers cannot reach the simulator: this file includes only the controller
// interface and then declares its own citybrain::sim::Engine. Had controller.hpp or
// controllers.hpp pulled in the simulator, the declaration below would be a redefinition and this
// test would not compile.
#include "citybrain/control/controllers.hpp"

#include <gtest/gtest.h>

namespace citybrain::sim {
struct Engine {
  int proves_the_interface_never_sees_the_simulator = 0;
};
}  // namespace citybrain::sim

namespace citybrain::control {
namespace {

// One intersection, 4 actions of two movements each. Entering lane of action a, movement k is
// 2a + k; its exit road has three lanes 8 + 3(2a + k) .. +2 (distinct per movement).
struct Scene {
  static constexpr std::size_t kLanes = 8 + 3 * 8;
  std::vector<ControlledIntersection> inters{1};
  Observation obs;
  Scene(int current, int decision_interval) {
    ControlledIntersection& ci = inters[0];
    ci.action_movements.resize(4);
    for (std::uint32_t a = 0; a < 4; ++a) {
      for (std::uint32_t k = 0; k < 2; ++k) {
        ControlledIntersection::Movement m;
        m.lane = LaneId(2 * a + k);
        for (std::uint32_t e = 0; e < 3; ++e)
          m.exit_lanes.push_back(LaneId(8 + 3 * (2 * a + k) + e));
        m.lane_length = 300;
        m.max_speed = 11.111;
        m.exit_length = 300;
        ci.action_movements[a].push_back(m);
      }
    }
    obs.decision_interval = decision_interval;
    obs.yellow = 5;
    obs.time = 600;
    obs.approach_range = 11.111 * decision_interval;
    obs.lane_vehicles.assign(kLanes, 0);
    obs.lane_waiting.assign(kLanes, 0);
    obs.lane_approaching.assign(kLanes, 0);
    obs.lane_queue_length.assign(kLanes, 0);
    obs.lane_mean_speed.assign(kLanes, 0);
    obs.current_action = {current};
    obs.time_in_phase = {decision_interval};
  }
  // Stopped vehicles on the entering lane of (action, movement).
  void wait(int a, int k, std::uint32_t n) {
    obs.lane_waiting[2 * a + k] = n;
    obs.lane_vehicles[2 * a + k] += n;
  }
  void run(int a, int k, std::uint32_t n) {
    obs.lane_approaching[2 * a + k] = n;
    obs.lane_vehicles[2 * a + k] += n;
  }
  // Stopped vehicles on each exit lane of (action, movement).
  void exit_wait(int a, int k, std::uint32_t n) {
    for (int e = 0; e < 3; ++e) {
      obs.lane_waiting[8 + 3 * (2 * a + k) + e] = n;
      obs.lane_vehicles[8 + 3 * (2 * a + k) + e] = n;
    }
  }
  int choose(const std::string& name) {
    auto c = make_controller(name, obs.decision_interval);
    std::vector<int> actions(1, obs.current_action[0]);
    c->decide(obs, inters, actions);
    return actions[0];
  }
};

TEST(MaxPressure, PicksTheLargestQueuePressureAndTiesGoToTheLowestAction) {
  Scene s(0, 30);
  EXPECT_EQ(s.choose("maxpressure"), 0);  // all zero: the first
  s.wait(2, 0, 4);
  s.wait(2, 1, 3);
  s.wait(1, 0, 7);
  EXPECT_EQ(s.choose("maxpressure"), 1);  // 7 vs 7: the lower index
  s.exit_wait(1, 0, 1);                   // 7 - 3 = 4 < 7
  EXPECT_EQ(s.choose("maxpressure"), 2);
}

TEST(EfficientPressure, CountsTheExitRoadsMeanQueueNotItsSum) {
  Scene s(0, 30);
  s.wait(0, 0, 10);
  s.exit_wait(0, 0, 3);  // MaxPressure: 10 - 9 = 1; efficient: 10 - 3 = 7
  s.wait(1, 0, 5);
  EXPECT_EQ(s.choose("maxpressure"), 1);
  EXPECT_EQ(s.choose("efficient"), 0);
}

TEST(AdvancedPressure, KeepsTheGreenWhileItsRunningVehiclesOutnumberTheBestPressure) {
  Scene s(0, 15);
  s.wait(1, 0, 5);
  s.run(0, 0, 8);
  EXPECT_EQ(s.choose("advanced"), 0);
  s.run(0, 0, 2);
  EXPECT_EQ(s.choose("advanced"), 1);
}

TEST(Sotl, KeepsAShortPlatoonElseSwitchesWhenEnoughWaitOnRed) {
  Scene s(0, 30);
  s.wait(2, 0, 6);
  s.run(0, 0, 2);  // a short platoon within reach of the green stop line
  EXPECT_EQ(s.choose("sotl"), 0);
  s.run(0, 0, 0);
  EXPECT_EQ(s.choose("sotl"), 2);
  s.wait(2, 0, 2);  // below the threshold: no reason to switch
  EXPECT_EQ(s.choose("sotl"), 0);
}

TEST(Brain, AFullExitRoadBlocksItsMovement) {
  Scene s(0, 30);
  s.wait(0, 0, 3);
  s.wait(1, 0, 10);
  EXPECT_EQ(s.choose("brain"), 1);
  for (int e = 0; e < 3; ++e) s.obs.lane_vehicles[8 + 3 * 2 + e] = 40;  // 300 m / 7.5 m: full
  EXPECT_EQ(s.choose("brain"), 0);
}

TEST(Brain, ArrivingVehiclesKeepTheGreenAgainstASmallerQueue) {
  Scene s(0, 15);
  s.wait(0, 0, 1);
  s.run(0, 0, 6);
  s.wait(1, 0, 5);
  EXPECT_EQ(s.choose("brain"), 0);  // 1 + 6 served by keeping vs 5 after a yellow
  EXPECT_EQ(s.choose("maxpressure"), 1);
}

TEST(Brain, AQueueBeyondOneIntervalsCapacityStillCounts) {
  Scene s(1, 15);
  s.wait(1, 0, 4);
  s.wait(3, 0, 30);  // 10 s of green cannot clear it, but it is the longest queue by far
  EXPECT_EQ(s.choose("brain"), 3);
}

TEST(Controllers, AreNamedAndUnknownNamesAreRejected) {
  for (const std::string& name : controller_names()) {
    if (name == "lookahead") {
      // Its twin needs the static road network (lookahead_test.cpp names it with one).
      EXPECT_THROW(make_controller(name, 30), std::exception);
      continue;
    }
    EXPECT_EQ(make_controller(name, 30)->name(), name);
  }
  EXPECT_THROW(make_controller("oracle", 30), std::exception);
  EXPECT_THROW(make_controller("brain:nonsense=1", 30), std::exception);
}

}  // namespace
}  // namespace citybrain::control
