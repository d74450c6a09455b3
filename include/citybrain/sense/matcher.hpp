// Online hidden-Markov map matching (Newson & Krumm 2009): candidates from the segment grid,
// Gaussian emission on the distance to the road, exponential transition on |route distance -
// straight-line distance|, Viterbi over a sliding window. A point's road is final once every
// surviving path agrees on it, or at the latest `max_lag` points later. Tracks are split, not
// lost, at time gaps, unreachable transitions and points far from every road.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <vector>

#include "citybrain/core/geometry.hpp"
#include "citybrain/sense/road_graph.hpp"

namespace citybrain::sense {

struct MatchParams {
  double radius = 50;           // m: candidate search radius
  double max_radius = 200;      // m: the radius grows up to this while a point has no candidate
  std::uint32_t k = 12;         // at most this many candidate edges per point (<= 32)
  double sigma = 10;            // m: GPS noise (see estimate_sigma)
  double beta = 2.0;            // m: scale of |route - straight| in the transition
  double backward_jitter = -1;  // m: a point this far behind the last on its edge is noise
                                // (negative: 3 * sigma; a stopped probe jumps back and forth)
  double max_gap = 600;         // s: a longer silence starts a new segment
  double route_factor = 1.5;    // route search bound: factor * straight distance + slack
  double route_slack = 150;     // m
  std::uint32_t max_lag = 64;   // points: a road is final at most this many points later
  double reorder_window = 0;    // s: how late a point may arrive and still be placed in order
  double cache_bound = 0;       // m: reuse searches per source node up to this radius (0: off;
                                // on Kubicka it did not pay: most searches are already tiny)
};

// The finalised match of one input point. Points come out in input order per vehicle.
struct MatchedPoint {
  std::uint32_t vehicle = 0;
  std::uint32_t index = 0;  // position of the point in the vehicle's accepted input
  double time = 0;
  EdgeId edge;  // invalid: the point could not be matched (no road within the radius)
  float offset = 0;
  float distance = 0;
  std::uint32_t segment = 0;  // increments where the track was split
  // This point's route steps in MatchOutput::route: the edges entered since the previous point.
  std::uint32_t route_begin = 0;
  std::uint32_t route_end = 0;
};

// One traversed edge of a vehicle's matched route, in driving order.
struct RouteStep {
  std::uint32_t vehicle = 0;
  EdgeId edge;
  std::uint32_t segment = 0;
  double time = 0;  // time of the first matched point on this edge (or of the next one for
                    // edges crossed between two points)
};

struct MatchOutput {
  std::vector<MatchedPoint> points;
  std::vector<RouteStep> route;
  void clear() {
    points.clear();
    route.clear();
  }
};

struct MatchStats {
  std::uint64_t points = 0;
  std::uint64_t unmatched = 0;  // no candidate within the radius
  std::uint64_t breaks = 0;     // unreachable transitions and gaps
  std::uint64_t late_dropped = 0;
  std::uint64_t forced = 0;    // points finalised by the lag bound rather than convergence
  std::uint64_t searches = 0;  // bounded shortest-path searches
};

namespace detail {
class Router;
struct VehicleState;
}  // namespace detail

// Matches any number of vehicles at once; one instance per thread (the graph is shared).
class OnlineMatcher {
 public:
  OnlineMatcher(const RoadGraph& graph, MatchParams params);
  ~OnlineMatcher();
  OnlineMatcher(OnlineMatcher&&) noexcept;
  OnlineMatcher& operator=(OnlineMatcher&&) noexcept;

  // xy in the graph's planar frame (RoadGraph::projection().to_xy). Vehicles are dense ids.
  // Finalised points and route steps are appended to out.
  void push(std::uint32_t vehicle, double time, Point xy, MatchOutput& out);
  // Finalises everything pending for one vehicle (end of its trip) and frees its window.
  void finish(std::uint32_t vehicle, MatchOutput& out);
  void finish_all(MatchOutput& out);

  const MatchStats& stats() const { return m_stats; }
  const MatchParams& params() const { return m_params; }
  // Bytes of per-vehicle state currently held (windows and reorder buffers).
  std::size_t state_bytes() const;

 private:
  void process(std::uint32_t vehicle, double time, Point xy, MatchOutput& out);
  const RoadGraph* m_graph;
  MatchParams m_params;
  std::vector<detail::VehicleState> m_vehicles;
  std::unique_ptr<detail::Router> m_router;
  MatchStats m_stats;
};

// The match of a whole track (points in time order) with the online matcher.
MatchOutput match_track(const RoadGraph& graph, const MatchParams& params,
                        std::span<const Point> xy, std::span<const double> time,
                        MatchStats* stats = nullptr);

// The plain reference: full-track Viterbi, no window, a textbook Dijkstra per transition. Same
// model and the same split rules, so with an unbounded lag the online matcher must agree with it.
MatchOutput match_reference(const RoadGraph& graph, const MatchParams& params,
                            std::span<const Point> xy, std::span<const double> time);

// Newson & Krumm's robust estimate of the GPS noise: 1.4826 * median distance to the nearest road
// (points with no road within `radius` ignored). Returns `fallback` with no usable point.
double estimate_sigma(const RoadGraph& graph, std::span<const Point> xy, double radius,
                      double fallback = 5.0);

}  // namespace citybrain::sense
