// The HMM's model, shared by the online matcher and the reference Viterbi so both score a
// transition the same way: emission, the straight-line/route comparison and the route search bound.
#pragma once

#include <cmath>
#include <limits>
#include <vector>

#include "citybrain/sense/matcher.hpp"
#include "citybrain/sense/road_graph.hpp"

namespace citybrain::sense::detail {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

inline double emission_logp(const MatchParams& p, double distance) {
  const double z = distance / p.sigma;
  return -0.5 * z * z;
}

inline double transition_logp(const MatchParams& p, double route, double straight) {
  return -std::abs(route - straight) / p.beta;
}

// The parameters with the automatic values resolved.
inline MatchParams resolved(MatchParams p) {
  if (p.backward_jitter < 0) p.backward_jitter = 3 * p.sigma;
  return p;
}

inline double route_bound(const MatchParams& p, double straight) {
  return straight * p.route_factor + p.route_slack;
}

// Route distance from (ea, oa) to (eb, ob) when it stays on one edge; negative when the move has
// to leave the edge (eb differs, or ob is behind oa by more than the jitter).
inline double same_edge_route(const MatchParams& p, EdgeId ea, double oa, EdgeId eb, double ob) {
  if (ea != eb || ob < oa - p.backward_jitter) return -1;
  return ob > oa ? ob - oa : 0.0;
}

// Candidates of a point: the k nearest edges within the radius, the radius doubled up to
// max_radius while there are none (a stretch of bad fixes should not cut the track). `wide`
// doubles radius and k (the retry before a split).
inline void find_candidates(const RoadGraph& g, const MatchParams& p, Point xy, bool wide,
                            std::vector<EdgeHit>& hits) {
  const double r = wide ? 2 * p.radius : p.radius;
  const std::uint32_t k = wide ? 2 * p.k : p.k;
  g.nearest_edges(xy, r, k, hits);
  for (double rr = 2 * r; hits.empty() && rr <= p.max_radius; rr *= 2) {
    g.nearest_edges(xy, rr, k, hits);
  }
}

}  // namespace citybrain::sense::detail
