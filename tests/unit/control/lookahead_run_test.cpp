// The lookahead controller driving a simulated city under the protocol runner: its decisions are
// the same whatever the number of threads its rollouts use, and it does not merely repeat the
// brain it starts from.
#include <gtest/gtest.h>

#include <memory>

#include "citybrain/control/lookahead.hpp"
#include "citybrain/control/protocol.hpp"
#include "citybrain/demand/cityflow_flow.hpp"
#include "citybrain/demand/generator.hpp"
#include "citybrain/net/cityflow_roadnet.hpp"

namespace citybrain::control {
namespace {

// Passes decisions through and records them.
class Recorder : public Controller {
 public:
  explicit Recorder(std::unique_ptr<Controller> inner) : m_inner(std::move(inner)) {}
  std::string name() const override { return m_inner->name(); }
  SensorSpec sensors() const override { return m_inner->sensors(); }
  void decide(const Observation& obs, std::span<const ControlledIntersection> inters,
              std::span<int> actions) override {
    m_inner->decide(obs, inters, actions);
    decisions.insert(decisions.end(), actions.begin(), actions.end());
  }
  std::vector<int> decisions;

 private:
  std::unique_ptr<Controller> m_inner;
};

struct City {
  std::shared_ptr<const net::Network> net;
  std::shared_ptr<const demand::Demand> demand;
  City() {
    demand::GridSpec spec;
    spec.rows = spec.cols = 3;
    spec.volume = 500;
    spec.profile = "peak";
    spec.duration = 600;
    const demand::GeneratedCity city = demand::generate_grid(spec);
    auto network =
        std::make_shared<net::Network>(net::parse_cityflow_roadnet(city.roadnet_json, "<grid>"));
    demand = std::make_shared<demand::Demand>(
        demand::parse_cityflow_flow(city.flow_json, "<grid flow>", *network));
    net = std::move(network);
  }
  // Runs 600 s of XLight-15 and returns every decision made.
  std::vector<int> run(const std::string& spec, double* att = nullptr) const {
    sim::SimConfig config;
    config.rl_traffic_light = true;
    config.lane_change = true;
    sim::Engine engine(net, demand, config);
    ProtocolSpec protocol = ProtocolSpec::of(Protocol::kXLight15);
    protocol.horizon = 600;
    Recorder recorder(make_controller(spec, protocol.decision_interval, net));
    const ProtocolResult result = run_protocol(engine, recorder, protocol);
    if (att) *att = result.att;
    return recorder.decisions;
  }
};

TEST(LookaheadRun, DecisionsDoNotDependOnTheThreadCount) {
  City city;
  double att1 = 0, att2 = 0, att3 = 0;
  const std::vector<int> one = city.run("lookahead:threads=1", &att1);
  const std::vector<int> two = city.run("lookahead:threads=2", &att2);
  const std::vector<int> three = city.run("lookahead:threads=3", &att3);
  ASSERT_EQ(one.size(), 9u * 40u);
  EXPECT_EQ(one, two);
  EXPECT_EQ(one, three);
  EXPECT_EQ(att1, att2);
  EXPECT_EQ(att1, att3);
  // Not a copy of its base policy: the rollouts change some decisions.
  const std::vector<int> brain = city.run("brain");
  std::size_t differ = 0;
  for (std::size_t k = 0; k < one.size(); ++k) differ += one[k] != brain[k];
  EXPECT_GT(differ, 0u);
  // With no best-response round it is exactly its base policy.
  EXPECT_EQ(city.run("lookahead:rounds=0"), brain);
}

}  // namespace
}  // namespace citybrain::control
