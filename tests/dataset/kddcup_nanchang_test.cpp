// The KDD Cup 2021 final-round city (Nanchang, ../shared/data/kddcup2021): the round-3 network and
// its six sample flows import without a drop, and flow 0 runs 1,200 s under MaxPressure on every
// signal with the challenge's protocol. Speed is bench/kddcup.sh's, not asserted here.
#include <gtest/gtest.h>

#include <filesystem>

#include "citybrain/citybrain.hpp"
#include "citybrain/control/controllers.hpp"
#include "citybrain/import/cbengine.hpp"

namespace citybrain {
namespace {

const std::string kData = std::string(CITYBRAIN_SHARED_DATA_DIR) + "/kddcup2021";

std::string flow_file(int f) {
  return kData + "/round3_flows/flow_round3_flow" + std::to_string(f) + ".txt";
}

class KddCupNanchang : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(kData + "/data/roadnet_round3.txt")) {
      GTEST_SKIP() << "KDD Cup data not found at " << kData;
    }
  }
};

TEST_F(KddCupNanchang, AllSixFlowsImportWithoutDrops) {
  for (int f = 0; f < 6; ++f) {
    import::ImportedCity city =
        import::import_cbengine(kData + "/data/roadnet_round3.txt", flow_file(f));
    SCOPED_TRACE("flow " + std::to_string(f));
    // PROVENANCE.md: 2067 intersections (1004 signalised), 3041 two-way segments.
    EXPECT_EQ(city.report.kept("intersection") + city.report.kept("intersection (boundary)"),
              2067u);
    EXPECT_EQ(city.report.kept("signal"), 1004u);
    EXPECT_EQ(city.report.kept("road"), 2u * 3041u);
    EXPECT_TRUE(city.report.dropped().empty()) << city.report.summary();
    // 12341-12670 flows and about 67k-80k vehicles each.
    EXPECT_GE(city.report.kept("flow"), 12341u);
    EXPECT_LE(city.report.kept("flow"), 12670u);
    EXPECT_GT(city.report.kept("vehicle"), 60000u);
    EXPECT_LT(city.report.kept("vehicle"), 85000u);
  }
}

TEST_F(KddCupNanchang, Flow0RunsUnderMaxPressureOnEverySignal) {
  Scenario s =
      scenario_from(import::import_cbengine(kData + "/data/roadnet_round3.txt", flow_file(0)),
                    "nanchang round 3 flow 0");
  EXPECT_EQ(control::controlled_intersections(*s.network, 0).size(), 1004u);
  RunOptions options;
  options.duration = 1200;
  options.controller = "maxpressure";
  options.protocol = "kddcup";
  options.threads = 2;
  options.delay_index = true;
  Report r = run(s, options);
  ASSERT_TRUE(r.delay_index);
  EXPECT_EQ(r.sim_seconds, 1200.0);
  // Most vehicles due by 1,200 s have entered; trips take longer than free flow.
  EXPECT_GT(r.vehicles_served, r.vehicles_generated * 9 / 10);
  EXPECT_GT(r.vehicles_finished, 5000u);
  EXPECT_GT(*r.delay_index, 1.0);
  EXPECT_LT(*r.delay_index, 10.0);
}

}  // namespace
}  // namespace citybrain
