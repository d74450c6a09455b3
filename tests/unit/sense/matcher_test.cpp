// The online matcher against the truth on synthetic drives and against the reference Viterbi;
// splits at gaps and jumps, U-turns, parallel roads, jitter, many vehicles, late points.
#include "citybrain/sense/matcher.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "citybrain/sense/evaluation.hpp"
#include "unit/sense/sense_test_util.hpp"

namespace citybrain::sense {
namespace {

using testing::drive;
using testing::grid;

std::vector<MatchedPoint> by_index(std::vector<MatchedPoint> v) {
  std::stable_sort(v.begin(), v.end(), [](const MatchedPoint& a, const MatchedPoint& b) {
    return a.vehicle != b.vehicle ? a.vehicle < b.vehicle : a.index < b.index;
  });
  return v;
}

// A random walk on a rows x cols grid without immediate U-turns.
std::vector<std::uint32_t> random_walk(int rows, int cols, int steps, std::mt19937& rng) {
  std::vector<std::uint32_t> path{static_cast<std::uint32_t>(rng() % (rows * cols))};
  for (int s = 0; s < steps; ++s) {
    const int n = static_cast<int>(path.back()), r = n / cols, c = n % cols;
    std::vector<std::uint32_t> next;
    if (r > 0) next.push_back(static_cast<std::uint32_t>(n - cols));
    if (r + 1 < rows) next.push_back(static_cast<std::uint32_t>(n + cols));
    if (c > 0) next.push_back(static_cast<std::uint32_t>(n - 1));
    if (c + 1 < cols) next.push_back(static_cast<std::uint32_t>(n + 1));
    if (path.size() >= 2) {
      std::erase(next, path[path.size() - 2]);
    }
    path.push_back(next[rng() % next.size()]);
  }
  return path;
}

TEST(Matcher, StraightDriveFollowsTheRoute) {
  const RoadGraph g = grid(4, 6);
  const auto t = drive(g, {0, 1, 2, 3, 4, 5}, 10, 1, 3, 1);
  const MatchOutput out = match_track(g, {}, t.xy, t.time);
  ASSERT_EQ(out.points.size(), t.xy.size());
  for (const auto& p : out.points) EXPECT_TRUE(p.edge.valid());
  EXPECT_EQ(route_edges(out), t.route);
}

TEST(Matcher, TurnsAndSparseSampling) {
  const RoadGraph g = grid(5, 5);
  // Up column 0, right along row 2, down column 3.
  const auto t = drive(g, {0, 5, 10, 11, 12, 13, 8, 3}, 12, 4, 5, 2);
  const MatchOutput out = match_track(g, {}, t.xy, t.time);
  EXPECT_EQ(route_edges(out), t.route);
}

TEST(Matcher, OnlineWithUnboundedLagEqualsReference) {
  const RoadGraph g = grid(7, 7, 90);
  std::mt19937 rng(42);
  MatchParams p;
  p.max_lag = 1000000;
  int compared = 0;
  for (int trial = 0; trial < 40; ++trial) {
    const auto walk = random_walk(7, 7, 12, rng);
    const double dt = 1 + trial % 5;
    const auto t = drive(g, walk, 11, dt, 4 + trial % 4 * 4, 100 + trial);
    const MatchOutput fast = match_track(g, p, t.xy, t.time);
    const MatchOutput ref = match_reference(g, p, t.xy, t.time);
    const auto a = by_index(fast.points), b = by_index(ref.points);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) {
      ASSERT_EQ(a[i].edge, b[i].edge) << "trial " << trial << " point " << i;
      ASSERT_FLOAT_EQ(a[i].offset, b[i].offset);
      ASSERT_EQ(a[i].segment, b[i].segment);
    }
    // Equal-length detours may differ in edges, never in length.
    const auto ra = score_route(g, route_edges(fast), route_edges(fast));
    const auto rb = score_route(g, route_edges(ref), route_edges(ref));
    EXPECT_NEAR(ra.truth, rb.truth, 1e-3);
    ++compared;
  }
  EXPECT_EQ(compared, 40);
}

TEST(Matcher, ShortLagStaysCloseToReference) {
  const RoadGraph g = grid(7, 7, 90);
  std::mt19937 rng(5);
  MatchParams p;
  p.max_lag = 4;
  std::size_t same = 0, total = 0;
  for (int trial = 0; trial < 20; ++trial) {
    const auto t = drive(g, random_walk(7, 7, 10, rng), 11, 2, 10, 300 + trial);
    const auto a = by_index(match_track(g, p, t.xy, t.time).points);
    const auto b = by_index(match_reference(g, p, t.xy, t.time).points);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) same += a[i].edge == b[i].edge;
    total += a.size();
  }
  EXPECT_GE(static_cast<double>(same) / static_cast<double>(total), 0.95);
}

TEST(Matcher, GapSplitsButKeepsBothParts) {
  const RoadGraph g = grid(3, 6);
  auto t = drive(g, {0, 1, 2, 3, 4, 5}, 10, 1, 3, 3);
  const std::size_t half = t.time.size() / 2;
  for (std::size_t i = half; i < t.time.size(); ++i) t.time[i] += 5000;
  MatchStats stats;
  const MatchOutput out = match_track(g, {}, t.xy, t.time, &stats);
  EXPECT_EQ(stats.breaks, 1u);
  ASSERT_EQ(out.points.size(), t.xy.size());
  for (const auto& p : out.points) EXPECT_TRUE(p.edge.valid());
  EXPECT_EQ(out.points.front().segment + 1, out.points.back().segment);
  EXPECT_EQ(route_edges(out), t.route);
}

TEST(Matcher, JumpToUnreachableRoadSplits) {
  // Two grids that do not connect: the vehicle "teleports" between them (e.g. a ferry, a tunnel
  // missing from the map). Both halves must be matched.
  RoadGraph::Builder b(Projection::identity());
  for (int part = 0; part < 2; ++part) {
    const double x0 = part * 5000;
    const std::uint32_t n0 = b.add_node(x0, 0);
    const std::uint32_t n1 = b.add_node(x0 + 200, 0);
    b.add_edge(n0, n1);
  }
  const RoadGraph g = std::move(b).build();
  std::vector<Point> xy;
  std::vector<double> time;
  for (int i = 0; i <= 10; ++i) {
    xy.push_back({i * 15.0, 2});
    time.push_back(i);
  }
  for (int i = 0; i <= 10; ++i) {
    xy.push_back({5000 + i * 15.0, -2});
    time.push_back(11 + i);
  }
  MatchStats stats;
  const MatchOutput out = match_track(g, {}, xy, time, &stats);
  EXPECT_EQ(stats.breaks, 1u);
  const auto pts = by_index(out.points);
  ASSERT_EQ(pts.size(), xy.size());
  EXPECT_EQ(pts.front().edge, EdgeId(0u));
  EXPECT_EQ(pts.back().edge, EdgeId(1u));
  EXPECT_EQ(route_edges(out), (std::vector<EdgeId>{EdgeId(0u), EdgeId(1u)}));
}

TEST(Matcher, OutlierFarFromRoadsIsUnmatchedOnly) {
  const RoadGraph g = grid(3, 6);
  auto t = drive(g, {0, 1, 2, 3, 4, 5}, 10, 1, 2, 4);
  t.xy[20] = {t.xy[20].x, 1000};
  MatchStats stats;
  const auto out = match_track(g, {}, t.xy, t.time, &stats);
  const auto pts = by_index(out.points);
  EXPECT_EQ(stats.unmatched, 1u);
  EXPECT_FALSE(pts[20].edge.valid());
  for (std::size_t i = 0; i < pts.size(); ++i) {
    if (i != 20) {
      EXPECT_TRUE(pts[i].edge.valid()) << i;
    }
  }
  EXPECT_EQ(route_edges(out), t.route);
}

TEST(Matcher, UTurnAtANode) {
  const RoadGraph g = grid(3, 6);
  const auto t = drive(g, {0, 1, 2, 3, 2, 1}, 10, 1, 3, 5);
  const auto out = match_track(g, {}, t.xy, t.time);
  EXPECT_EQ(route_edges(out), t.route);
}

TEST(Matcher, UTurnMidEdgeEndsOnTheReverseEdge) {
  const RoadGraph g = grid(2, 4);
  const EdgeId fwd = testing::edge_between(g, 1, 2), rev = testing::edge_between(g, 2, 1);
  std::vector<Point> xy;
  std::vector<double> time;
  double t = 0;
  for (double x = 110; x <= 190; x += 10) {
    xy.push_back({x, 1});
    time.push_back(t++);
  }
  for (double x = 180; x >= 110; x -= 10) {
    xy.push_back({x, -1});
    time.push_back(t++);
  }
  const auto pts = by_index(match_track(g, {}, xy, time).points);
  EXPECT_EQ(pts.front().edge, fwd);
  EXPECT_EQ(pts[3].edge, fwd);
  EXPECT_EQ(pts.back().edge, rev);
}

TEST(Matcher, ParallelRoadsPickTheNearerOne) {
  // Two parallel one-way roads 25 m apart (a carriageway and a service road).
  RoadGraph::Builder b(Projection::identity());
  b.add_node(0, 0);
  b.add_node(500, 0);
  b.add_node(0, 25);
  b.add_node(500, 25);
  b.add_edge(0, 1);
  b.add_edge(2, 3);
  const RoadGraph g = std::move(b).build();
  std::mt19937 rng(9);
  std::normal_distribution<double> n(0, 4);
  std::vector<Point> xy;
  std::vector<double> time;
  for (int i = 0; i < 40; ++i) {
    xy.push_back({10 + i * 12.0 + n(rng), 3 + n(rng)});
    time.push_back(i);
  }
  const auto out = match_track(g, {}, xy, time);
  for (const auto& p : out.points) EXPECT_EQ(p.edge, EdgeId(0u));
  EXPECT_EQ(route_edges(out), std::vector<EdgeId>{EdgeId(0u)});
}

TEST(Matcher, BackwardJitterOnAOneWayRoadIsNoise) {
  RoadGraph::Builder b(Projection::identity());
  b.add_node(0, 0);
  b.add_node(300, 0);
  b.add_node(300, 300);
  b.add_node(0, 300);
  b.add_edge(0, 1);
  b.add_edge(1, 2);
  b.add_edge(2, 3);
  b.add_edge(3, 0);
  const RoadGraph g = std::move(b).build();
  // Stopped at x = 150, the fixes wander back and forth by up to 8 m.
  std::vector<Point> xy;
  std::vector<double> time;
  const double wobble[] = {0, -5, 3, -8, 2, -6, 0, 4, -3};
  for (int i = 0; i < 9; ++i) {
    xy.push_back({150 + wobble[i], 1});
    time.push_back(i);
  }
  const auto out = match_track(g, {}, xy, time);
  for (const auto& p : out.points) EXPECT_EQ(p.edge, EdgeId(0u));
  EXPECT_EQ(out.route.size(), 1u) << "a loop around the block was inserted";
}

TEST(Matcher, ManyVehiclesInterleavedMatchLikeOneAtATime) {
  const RoadGraph g = grid(6, 6);
  std::mt19937 rng(77);
  std::vector<testing::Track> tracks;
  for (int v = 0; v < 12; ++v) tracks.push_back(drive(g, random_walk(6, 6, 8, rng), 10, 1, 5, v));
  OnlineMatcher m(g, {});
  MatchOutput all;
  for (std::size_t i = 0;; ++i) {
    bool any = false;
    for (std::uint32_t v = 0; v < tracks.size(); ++v) {
      if (i < tracks[v].xy.size()) {
        m.push(v, tracks[v].time[i], tracks[v].xy[i], all);
        any = true;
      }
    }
    if (!any) break;
  }
  m.finish_all(all);
  EXPECT_GT(m.state_bytes(), 0u);
  const auto pts = by_index(all.points);
  std::size_t k = 0;
  for (std::uint32_t v = 0; v < tracks.size(); ++v) {
    const auto alone = by_index(match_track(g, {}, tracks[v].xy, tracks[v].time).points);
    for (const auto& p : alone) {
      ASSERT_LT(k, pts.size());
      EXPECT_EQ(pts[k].vehicle, v);
      EXPECT_EQ(pts[k].edge, p.edge);
      ++k;
    }
  }
  EXPECT_EQ(k, pts.size());
}

TEST(Matcher, LatePointsWithinTheWindowAreReordered) {
  const RoadGraph g = grid(4, 6);
  const auto t = drive(g, {0, 1, 2, 8, 9, 10}, 10, 1, 3, 11);
  MatchParams p;
  p.reorder_window = 5;
  OnlineMatcher m(g, p);
  MatchOutput out;
  // Swap neighbours pairwise: every other point arrives one second late.
  for (std::size_t i = 0; i < t.xy.size(); i += 2) {
    if (i + 1 < t.xy.size()) m.push(0, t.time[i + 1], t.xy[i + 1], out);
    m.push(0, t.time[i], t.xy[i], out);
  }
  // A point older than everything already matched is dropped, not matched out of order.
  m.push(0, -100, t.xy[0], out);
  m.finish(0, out);
  EXPECT_EQ(m.stats().late_dropped, 1u);
  EXPECT_EQ(route_edges(out), t.route);
  const auto sorted = match_track(g, {}, t.xy, t.time);
  EXPECT_EQ(out.points.size(), sorted.points.size());
}

TEST(Matcher, EstimateSigma) {
  const RoadGraph g = grid(4, 6);
  const auto t = drive(g, {0, 1, 2, 3, 4, 5}, 10, 1, 6, 12);
  const double s = estimate_sigma(g, t.xy, 50);
  EXPECT_GT(s, 3);
  EXPECT_LT(s, 9);
}

}  // namespace
}  // namespace citybrain::sense
