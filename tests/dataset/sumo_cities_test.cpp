// The three SUMO cities of ../shared/data/cities, imported and run until every vehicle has left,
// against SUMO 1.15's reference runs (PROVENANCE.md: arrived vehicles and mean trip duration).
// Each city takes a few seconds of simulation after a second or two of import.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <tuple>

#include "citybrain/citybrain.hpp"
#include "citybrain/demand/cityflow_flow.hpp"
#include "citybrain/import/sumo.hpp"
#include "citybrain/net/cityflow_roadnet.hpp"
#include "citybrain/sim/engine.hpp"
#include "support/scenario.hpp"

namespace citybrain {
namespace {

struct City {
  const char* folder;
  const char* config;
  // SUMO 1.15's reference run (PROVENANCE.md).
  std::size_t sumo_arrived;
  double sumo_mean_travel_time;
  // What this importer and engine reach (README, "SUMO scenarios"): the share of the imported
  // vehicles that must arrive.
  double min_arrived_share;
  std::size_t max_dropped;  // vehicles the import may leave out (routes over dropped links)
  // Arrivals and mean travel time within 10 % of SUMO's. Where false, the mean travel time is
  // printed and recorded, not asserted (README gives the measured gap and its cause).
  bool within_10_percent;
};

class SumoCity : public ::testing::TestWithParam<City> {};

TEST_P(SumoCity, MatchesSumoTripStatistics) {
  const City& c = GetParam();
  const std::string dir = std::string(CITYBRAIN_SHARED_DATA_DIR) + "/cities/" + c.folder;
  if (!std::filesystem::exists(dir + "/" + c.config)) {
    GTEST_SKIP() << "SUMO city data not found at " << dir;
  }
  import::ImportedCity city = import::import_sumo_config(dir + "/" + c.config);
  auto net = std::make_shared<const net::Network>(
      net::parse_cityflow_roadnet(city.roadnet_json, std::string(c.folder) + " roadnet"));
  auto demand = std::make_shared<const demand::Demand>(
      demand::parse_cityflow_flow(city.flow_json, std::string(c.folder) + " flow", *net));
  const std::size_t imported = city.report.kept("vehicle");
  EXPECT_LE(city.report.dropped_count("vehicle"), c.max_dropped);
  // Until every vehicle has left (at most 4 h).
  sim::Engine e(net, demand, {});
  while (e.time() < 4 * 3600) {
    if (e.step_count() > 0 && e.demand_exhausted() && e.vehicle_count() == 0 &&
        e.waiting_to_enter() == 0)
      break;
    e.step();
  }
  struct {
    std::size_t arrived;
    double mean_travel_time;
  } r{e.vehicles_finished(), e.mean_trip_duration()};
  RecordProperty("mean_travel_time", std::to_string(r.mean_travel_time));
  RecordProperty("arrived", std::to_string(r.arrived));
  RecordProperty("ended_before_last_road", std::to_string(e.trips_ended_off_route()));
  std::printf(
      "%s: arrived %zu of %zu (SUMO %zu), mean travel time %.1f s (SUMO %.1f s), "
      "ended at %.0f s; %zu trips (%.0f %%) ended before their last road\n",
      c.folder, r.arrived, imported, c.sumo_arrived, r.mean_travel_time, c.sumo_mean_travel_time,
      e.time(), e.trips_ended_off_route(),
      r.arrived
          ? 100.0 * static_cast<double>(e.trips_ended_off_route()) / static_cast<double>(r.arrived)
          : 0.0);
  EXPECT_GE(static_cast<double>(r.arrived), c.min_arrived_share * static_cast<double>(imported));
  EXPECT_GT(r.mean_travel_time, 0);
  if (c.within_10_percent) {
    EXPECT_NEAR(r.mean_travel_time, c.sumo_mean_travel_time, 0.1 * c.sumo_mean_travel_time);
    EXPECT_NEAR(static_cast<double>(r.arrived), static_cast<double>(c.sumo_arrived),
                0.1 * static_cast<double>(c.sumo_arrived));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cities, SumoCity,
    ::testing::Values(City{"bologna_joined", "run.sumocfg", 11176, 381.4, 1.0, 30, true},
                      City{"resco_ingolstadt21", "ingolstadt21.sumocfg", 4283, 296.5, 1.0, 30,
                           false},
                      City{"tavf_hamburg", "run_simulation.sumocfg", 21265, 200.3, 1.0, 300, true}),
    [](const ::testing::TestParamInfo<City>& p) {
      std::string name = p.param.folder;
      for (char& ch : name)
        if (ch == '_') ch = 'X';
      return name;
    });

// Ingolstadt's trips are routed at insertion on the roads' mean speeds, which depend on every
// vehicle the threads moved: two threads splitting every step run the same city as one.
TEST(SumoCityThreads, TwoThreadsRouteTheSameTrips) {
  const std::string dir = std::string(CITYBRAIN_SHARED_DATA_DIR) + "/cities/resco_ingolstadt21";
  if (!std::filesystem::exists(dir + "/ingolstadt21.sumocfg")) {
    GTEST_SKIP() << "SUMO city data not found at " << dir;
  }
  import::ImportedCity city = import::import_sumo_config(dir + "/ingolstadt21.sumocfg");
  auto net = std::make_shared<const net::Network>(
      net::parse_cityflow_roadnet(city.roadnet_json, "ingolstadt roadnet"));
  auto demand = std::make_shared<const demand::Demand>(
      demand::parse_cityflow_flow(city.flow_json, "ingolstadt flow", *net));
  auto run = [&](int threads) {
    sim::SimConfig config;
    config.threads = threads;
    config.parallel_threshold = 0;  // split every step, however few vehicles run
    sim::Engine e(net, demand, config);
    while (e.time() < 1800) e.step();
    return std::tuple(test::state_hash(e), e.vehicles_finished(), e.mean_trip_duration());
  };
  const auto one = run(1);
  EXPECT_GT(std::get<1>(one), 500u);
  EXPECT_EQ(one, run(2));
}

}  // namespace
}  // namespace citybrain
