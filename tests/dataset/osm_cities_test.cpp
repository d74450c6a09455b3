// OpenStreetMap cities (../shared/data/cities): Monaco and Baltimore import with generated demand
// and run one simulated hour under their generated signal plans and under MaxPressure. Skips when
// the data is absent.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "citybrain/citybrain.hpp"
#include "citybrain/demand/cityflow_flow.hpp"
#include "citybrain/import/osm.hpp"
#include "citybrain/net/cityflow_roadnet.hpp"

namespace citybrain {
namespace {

struct City {
  const char* file;
  std::size_t trips;
  std::size_t min_signalised;  // netconvert --tls.guess-signals finds 10 (Monaco), 200 (Baltimore)
};

class OsmCity : public ::testing::TestWithParam<City> {};

TEST_P(OsmCity, ImportsAndRunsAnHour) {
  const City c = GetParam();
  const std::string file = std::string(CITYBRAIN_SHARED_DATA_DIR) + "/cities/" + c.file;
  if (!std::filesystem::exists(file)) GTEST_SKIP() << "OSM extract not found at " << file;
  import::OsmOptions o;
  o.trips = c.trips;
  const import::ImportedCity city = import::import_osm(file, o);
  const import::ImportReport& r = city.report;
  EXPECT_GE(r.kept("signalised intersection"), c.min_signalised);
  // The largest strongly connected part is most of the network.
  EXPECT_GT(r.kept("road"), 20 * r.dropped_count("road"));
  EXPECT_GT(r.kept("restriction"), 0u);
  EXPECT_EQ(r.kept("trip"), c.trips);

  const Scenario s = scenario_from(city, file);
  for (const char* controller : {"none", "maxpressure"}) {
    SCOPED_TRACE(controller);
    RunOptions run_options;
    run_options.duration = 3600;
    run_options.controller = controller;
    const Report rep = run(s, run_options);
    EXPECT_EQ(rep.vehicles_generated, c.trips);
    // Trips depart over the whole hour and cross the city, so the last ones are still on the way.
    EXPECT_GT(rep.vehicles_finished, c.trips / 2);
    EXPECT_GT(rep.att, 60);
    EXPECT_LT(rep.att, 1800);
  }
}

INSTANTIATE_TEST_SUITE_P(Cities, OsmCity,
                         ::testing::Values(City{"osm_monaco/monaco.osm.pbf", 2000, 8},
                                           City{"osm_baltimore/baltimore.osm.pbf", 4000, 150}),
                         [](const auto& param_info) {
                           return std::string(param_info.param.file).find("monaco") !=
                                          std::string::npos
                                      ? std::string("monaco")
                                      : std::string("baltimore");
                         });

}  // namespace
}  // namespace citybrain
