#include "citybrain/control/protocol.hpp"

#include <gtest/gtest.h>

#include "citybrain/core/error.hpp"
#include "support/scenario.hpp"

namespace citybrain::control {
namespace {

using test::GridOptions;

// Plays a fixed script of actions, one per decision, the same for every intersection.
class Scripted : public Controller {
 public:
  explicit Scripted(std::vector<int> script) : m_script(std::move(script)) {}
  std::string name() const override { return "scripted"; }
  void decide(const Observation& obs, std::span<const ControlledIntersection> inters,
              std::span<int> actions) override {
    EXPECT_EQ(actions.size(), inters.size());
    times.push_back(obs.time);
    const int a = m_script[std::min(m_next++, m_script.size() - 1)];
    for (int& x : actions) x = a;
  }
  std::vector<double> times;

 private:
  std::vector<int> m_script;
  std::size_t m_next = 0;
};

struct Scene {
  GridOptions options{.rows = 1, .cols = 2, .length = 300, .lanes = 2};
  test::Built built = test::build(test::make_grid(options), test::grid_flows(options, 6.0));
};

class ProtocolRunner : public ::testing::TestWithParam<int> {};

TEST_P(ProtocolRunner, YellowOnlyOnChangeForExactlyFiveStepsInsideTheInterval) {
  const int T = GetParam();
  Scene s;
  sim::Engine engine(s.built.net, s.built.demand, {.rl_traffic_light = true, .lane_change = true});
  const std::vector<int> script{0, 1, 1, 2, 0, 0, 3, 2, 2, 1};
  Scripted controller(script);
  ProtocolSpec spec;
  spec.decision_interval = T;
  spec.yellow = 5;
  spec.horizon = T * static_cast<int>(script.size());
  auto inters = controlled_intersections(*s.built.net);
  ASSERT_EQ(inters.size(), 2u);
  std::vector<std::vector<std::uint32_t>> phases(inters.size());
  ProtocolResult result = run_protocol(engine, controller, spec, {}, [&](const sim::Engine& e) {
    for (std::size_t i = 0; i < inters.size(); ++i) phases[i].push_back(e.phase(inters[i].id));
  });
  ASSERT_EQ(controller.times.size(), script.size());
  for (std::size_t k = 0; k < script.size(); ++k)
    EXPECT_DOUBLE_EQ(controller.times[k], static_cast<double>(k * T));
  for (std::size_t i = 0; i < inters.size(); ++i) {
    ASSERT_EQ(phases[i].size(), script.size() * T);
    int previous = 0;  // the runner starts every intersection in action 0 (light phase 1)
    for (std::size_t k = 0; k < script.size(); ++k) {
      const bool change = script[k] != previous;
      for (int step = 0; step < T; ++step) {
        const std::uint32_t want =
            change && step < 5 ? 0u : static_cast<std::uint32_t>(script[k] + 1);
        EXPECT_EQ(phases[i][k * T + step], want)
            << "intersection " << i << ", decision " << k << ", step " << step;
      }
      previous = script[k];
    }
  }
  EXPECT_EQ(engine.time(), spec.horizon);
  EXPECT_GT(result.att_vehicles, 0u);
  EXPECT_GT(result.att, 0.0);
}

INSTANTIATE_TEST_SUITE_P(Intervals, ProtocolRunner, ::testing::Values(15, 30));

TEST(Protocol, SpecsOfTheBenchmarks) {
  EXPECT_EQ(ProtocolSpec::of(Protocol::kLLMLight30).decision_interval, 30);
  EXPECT_EQ(ProtocolSpec::of(Protocol::kXLight15).decision_interval, 15);
  EXPECT_EQ(ProtocolSpec::of(Protocol::kXLight15).yellow, 5);
  EXPECT_EQ(parse_protocol("llmlight30"), Protocol::kLLMLight30);
  EXPECT_EQ(parse_protocol("xlight15"), Protocol::kXLight15);
  EXPECT_THROW(parse_protocol("fastlight"), Error);
}

TEST(Protocol, NeedsRlTrafficLight) {
  Scene s;
  sim::Engine engine(s.built.net, s.built.demand, {.rl_traffic_light = false});
  auto controller = make_fixed_time(30);
  EXPECT_THROW(run_protocol(engine, *controller, ProtocolSpec::of(Protocol::kLLMLight30)), Error);
}

TEST(Protocol, ControlledIntersectionsSkipVirtualOnesAndRightTurns) {
  Scene s;
  auto inters = controlled_intersections(*s.built.net);
  ASSERT_EQ(inters.size(), 2u);
  for (const auto& ci : inters) {
    ASSERT_EQ(ci.action_movements.size(), 4u);
    EXPECT_EQ(ci.action_movements[0].size(), 4u);  // E-W straight: 2 approaches x 2 lanes
    EXPECT_EQ(ci.action_movements[2].size(), 2u);  // E-W left: lane 0 of 2 approaches
  }
}

TEST(Protocol, FixedTimeCyclesEveryInterval) {
  Scene s;
  sim::Engine engine(s.built.net, s.built.demand, {.rl_traffic_light = true});
  auto controller = make_fixed_time(30);
  ProtocolSpec spec = ProtocolSpec::of(Protocol::kLLMLight30);
  spec.horizon = 300;
  auto inters = controlled_intersections(*s.built.net);
  std::vector<std::uint32_t> seen;
  run_protocol(engine, *controller, spec, {}, [&](const sim::Engine& e) {
    const std::uint32_t p = e.phase(inters[0].id);
    if (p != 0 && (seen.empty() || seen.back() != p)) seen.push_back(p);
  });
  ASSERT_GE(seen.size(), 5u);
  for (std::size_t k = 1; k < seen.size(); ++k) EXPECT_EQ(seen[k], seen[k - 1] % 4 + 1);
}

}  // namespace
}  // namespace citybrain::control
