#include "citybrain/control/signal_runner.hpp"

#include <gtest/gtest.h>

#include "citybrain/control/controllers.hpp"
#include "citybrain/core/error.hpp"
#include "support/scenario.hpp"

namespace citybrain::control {
namespace {

using test::GridOptions;

// Always asks for one action everywhere.
class Constant : public Controller {
 public:
  explicit Constant(int action) : m_action(action) {}
  std::string name() const override { return "constant"; }
  void decide(const Observation&, std::span<const ControlledIntersection>,
              std::span<int> actions) override {
    ++calls;
    for (int& a : actions) a = m_action;
  }
  int calls = 0;

 private:
  int m_action;
};

struct Scene {
  GridOptions options{.rows = 1, .cols = 2, .length = 300, .lanes = 2};
  test::Built built = test::build(test::make_grid(options), test::grid_flows(options, 6.0));
  sim::Engine engine{built.net, built.demand, {.rl_traffic_light = true}};
};

// The protocol loop as run_protocol ran it before the runner existed: the plain reference the
// runner must reproduce bit for bit.
std::vector<std::uint64_t> reference_run(sim::Engine& engine, Controller& controller,
                                         const ProtocolSpec& spec) {
  auto inters = controlled_intersections(engine.network());
  const std::size_t n = inters.size();
  struct Signal {
    int cur = 1, prev = 1, dur = -1, target = 1;
    bool yellow = false;
  };
  std::vector<Signal> signals(n);
  std::vector<int> actions(n, 0);
  Observation obs;
  obs.decision_interval = spec.decision_interval;
  obs.yellow = spec.yellow;
  obs.current_action.resize(n);
  obs.time_in_phase.resize(n);
  auto measure = [&] {
    for (std::size_t i = 0; i < n; ++i) {
      Signal& s = signals[i];
      s.dur = s.cur == s.prev ? s.dur + 1 : 1;
      obs.current_action[i] = s.yellow ? -1 : s.cur - 1;
      obs.time_in_phase[i] = s.dur;
    }
  };
  for (std::size_t i = 0; i < n; ++i) engine.set_phase(inters[i].id, 1);
  measure();
  std::vector<std::uint64_t> hashes;
  while (engine.time() < spec.horizon) {
    observe_lanes(engine, controller.sensors().approach_range, obs);
    controller.decide(obs, inters, actions);
    for (int s = 0; s < spec.decision_interval && engine.time() < spec.horizon; ++s) {
      for (std::size_t i = 0; i < n; ++i) {
        Signal& sig = signals[i];
        sig.prev = sig.cur;
        if (sig.yellow) {
          if (sig.dur >= spec.yellow) {
            engine.set_phase(inters[i].id, static_cast<std::uint32_t>(sig.target));
            sig.cur = sig.target;
            sig.yellow = false;
          }
        } else {
          sig.target = actions[i] + 1;
          if (sig.target != sig.cur) {
            engine.set_phase(inters[i].id, 0);
            sig.cur = -1;
            sig.yellow = true;
          }
        }
      }
      engine.step();
      measure();
      hashes.push_back(test::state_hash(engine));
    }
  }
  return hashes;
}

class SameAsReference : public ::testing::TestWithParam<std::string> {};

TEST_P(SameAsReference, RunProtocolStepForStep) {
  for (Protocol p : {Protocol::kXLight15, Protocol::kLLMLight30}) {
    Scene a, b;
    auto ca = make_controller(GetParam(), ProtocolSpec::of(p).decision_interval);
    auto cb = make_controller(GetParam(), ProtocolSpec::of(p).decision_interval);
    ProtocolSpec spec = ProtocolSpec::of(p);
    spec.horizon = 400;
    const std::vector<std::uint64_t> want = reference_run(a.engine, *ca, spec);
    std::vector<std::uint64_t> got;
    ProtocolResult result = run_protocol(
        b.engine, *cb, spec, {}, [&](const sim::Engine& e) { got.push_back(test::state_hash(e)); });
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t k = 0; k < got.size(); ++k) ASSERT_EQ(got[k], want[k]) << "step " << k;
    EXPECT_EQ(result.decisions,
              static_cast<std::size_t>((spec.horizon + spec.decision_interval - 1) /
                                       spec.decision_interval));
  }
}

INSTANTIATE_TEST_SUITE_P(Controllers, SameAsReference,
                         ::testing::Values("fixed", "maxpressure", "sotl", "brain"));

TEST(SignalRunner, HoldTakesEffectOnTheNextStepAndEnds) {
  Scene s;
  Constant controller(0);  // light phase 1 everywhere
  SignalRunner runner(s.engine, controller, ProtocolSpec::of(Protocol::kLLMLight30));
  const std::size_t i = 1;
  runner.step();
  ASSERT_EQ(runner.phase(i), 1u);
  runner.hold(i, 3, s.engine.time() + 40);
  EXPECT_EQ(runner.override_of(i).kind, SignalRunner::Override::Kind::kHold);
  runner.step();
  EXPECT_EQ(runner.phase(i), 0u) << "the change starts with the yellow";
  EXPECT_EQ(runner.phase(0), 1u) << "the other intersection is untouched";
  for (int k = 0; k < 5; ++k) runner.step();
  EXPECT_EQ(runner.phase(i), 3u);
  while (s.engine.time() < 41) {
    runner.step();
    EXPECT_EQ(runner.phase(i), 3u) << "t=" << s.engine.time();
  }
  runner.step();  // the hold has ended: the controller's phase 1 again, through a yellow
  EXPECT_EQ(runner.override_of(i).kind, SignalRunner::Override::Kind::kNone);
  EXPECT_EQ(runner.phase(i), 0u);
  for (int k = 0; k < 5; ++k) runner.step();
  EXPECT_EQ(runner.phase(i), 1u);
}

TEST(SignalRunner, HoldRejectsTheYellowAndPhasesOutOfRange) {
  Scene s;
  Constant controller(0);
  SignalRunner runner(s.engine, controller, ProtocolSpec::of(Protocol::kLLMLight30));
  EXPECT_THROW(runner.hold(0, 0, 100), Error);
  EXPECT_THROW(runner.hold(0, 5, 100), Error);
  EXPECT_NO_THROW(runner.hold(0, 4, 100));
}

TEST(SignalRunner, SwitchedControllerDecidesFromTheNextStep) {
  Scene s;
  Constant controller(1);  // light phase 2
  SignalRunner runner(s.engine, controller, ProtocolSpec::of(Protocol::kLLMLight30));
  for (int k = 0; k < 10; ++k) runner.step();
  ASSERT_EQ(runner.phase(0), 2u);
  runner.switch_controller(0, "fixed");
  EXPECT_EQ(runner.controller_name(0), "fixed");
  EXPECT_EQ(runner.controller_name(1), "constant");
  EXPECT_THROW(runner.switch_controller(0, "no-such-controller"), Error);
  // FixedTime keeps phase 2 until it has run 30 s and moves to 3 at the decision after that.
  bool saw3 = false;
  for (int k = 0; k < 70; ++k) {
    runner.step();
    saw3 = saw3 || runner.phase(0) == 3u;
    EXPECT_NE(runner.phase(1), 3u);
  }
  EXPECT_TRUE(saw3);
  runner.release(0);
  EXPECT_EQ(runner.controller_name(0), "constant");
  for (int k = 0; k < 6; ++k) runner.step();
  EXPECT_EQ(runner.phase(0), 2u);
}

}  // namespace
}  // namespace citybrain::control
