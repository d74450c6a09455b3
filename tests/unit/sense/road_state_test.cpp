// Road state estimation: probe speeds on driven roads, confidence by vehicle count, fallback to
// the historical profile, and the city-wide indices.
#include "citybrain/sense/road_state.hpp"

#include <gtest/gtest.h>

#include "unit/sense/sense_test_util.hpp"

namespace citybrain::sense {
namespace {

using testing::drive;
using testing::grid;

TEST(RoadState, ProbeSpeedOnDrivenRoads) {
  const RoadGraph g = grid(3, 6);
  RoadStateParams params;
  params.window = 600;
  RoadStateEstimator est(g, params);
  OnlineMatcher m(g, {});
  MatchOutput out;
  // Four vehicles drive row 0 at 8 m/s, one fix every 2 s, little noise.
  for (std::uint32_t v = 0; v < 4; ++v) {
    const auto t = drive(g, {0, 1, 2, 3, 4, 5}, 8, 2, 1, 20 + v);
    for (std::size_t i = 0; i < t.xy.size(); ++i) m.push(v, t.time[i] + v, t.xy[i], out);
  }
  m.finish_all(out);
  est.add(out);
  const auto w = est.window_of(10);
  const EdgeId mid = testing::edge_between(g, 2, 3);
  const RoadEstimate e = est.estimate(mid, w);
  EXPECT_EQ(e.vehicles, 4u);
  EXPECT_NEAR(e.probe_speed, 8, 0.8);
  EXPECT_NEAR(e.confidence, 4.0 / 7.0, 1e-9);
  // Blended travel time lies between the probes' (12.5 s) and the historical (100 / 13.9 s).
  EXPECT_GT(e.travel_time, 100 / 13.9);
  EXPECT_LT(e.travel_time, 100 / 8.0 + 1);
  // A road nobody drove falls back to its profile.
  const EdgeId other = testing::edge_between(g, 12, 13);
  est.set_historical(other, 20);
  const RoadEstimate h = est.estimate(other, w);
  EXPECT_EQ(h.vehicles, 0u);
  EXPECT_DOUBLE_EQ(h.confidence, 0);
  EXPECT_DOUBLE_EQ(h.travel_time, 20);
  // Slower than historical on every observed road: the index is above 1, and with 8 m/s against
  // 13.9 m/s nothing is below half the usual speed.
  EXPECT_GT(est.travel_time_index(w), 1.1);
  EXPECT_DOUBLE_EQ(est.congestion_index(w), 0);
  EXPECT_FALSE(est.observed(w).empty());
  EXPECT_TRUE(est.observed(w + 5).empty());
}

TEST(RoadState, ConfidenceGrowsWithVehicles) {
  const RoadGraph g = grid(2, 4);
  const EdgeId e = testing::edge_between(g, 1, 2);
  double previous = 0;
  for (std::uint32_t n = 1; n <= 5; ++n) {
    RoadStateEstimator est(g);
    OnlineMatcher m(g, {});
    MatchOutput out;
    for (std::uint32_t v = 0; v < n; ++v) {
      const auto t = drive(g, {0, 1, 2, 3}, 10, 1, 1, v);
      for (std::size_t i = 0; i < t.xy.size(); ++i) m.push(v, t.time[i], t.xy[i], out);
    }
    m.finish_all(out);
    est.add(out);
    const double c = est.estimate(e, 0).confidence;
    EXPECT_GT(c, previous);
    previous = c;
  }
}

TEST(RoadState, QueueShowsAsCongestion) {
  const RoadGraph g = grid(2, 4);
  RoadStateEstimator est(g);
  OnlineMatcher m(g, {});
  MatchOutput out;
  // Creeping along edge 1->2 at 1 m/s.
  for (int i = 0; i <= 80; ++i) m.push(0, i, {110.0 + i, 1.0}, out);
  m.finish_all(out);
  est.add(out);
  const EdgeId e = testing::edge_between(g, 1, 2);
  EXPECT_NEAR(est.estimate(e, 0).probe_speed, 1, 0.05);
  EXPECT_DOUBLE_EQ(est.congestion_index(0), 1);
}

}  // namespace
}  // namespace citybrain::sense
