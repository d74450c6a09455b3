// Small synthetic networks and tracks for the sense tests.
#pragma once

#include <cmath>
#include <random>
#include <vector>

#include "citybrain/sense/road_graph.hpp"

namespace citybrain::sense::testing {

// A rows x cols grid of nodes `spacing` metres apart; every neighbour pair has both directed edges.
// Node (r, c) is r * cols + c.
inline RoadGraph grid(int rows, int cols, double spacing = 100) {
  RoadGraph::Builder b(Projection::identity());
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) b.add_node(c * spacing, r * spacing);
  }
  const auto id = [&](int r, int c) { return static_cast<std::uint32_t>(r * cols + c); };
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      if (c + 1 < cols) {
        b.add_edge(id(r, c), id(r, c + 1));
        b.add_edge(id(r, c + 1), id(r, c));
      }
      if (r + 1 < rows) {
        b.add_edge(id(r, c), id(r + 1, c));
        b.add_edge(id(r + 1, c), id(r, c));
      }
    }
  }
  return std::move(b).build();
}

inline EdgeId edge_between(const RoadGraph& g, std::uint32_t from, std::uint32_t to) {
  for (std::uint32_t e : g.out_edges(NodeId(from))) {
    if (g.to(EdgeId(e)).value == to) return EdgeId(e);
  }
  return {};
}

struct Track {
  std::vector<Point> xy;
  std::vector<double> time;
  std::vector<EdgeId> route;  // true edges
};

// Drives the node path at `speed`, sampling every `dt` seconds with Gaussian noise. The drive
// starts and ends 10 m inside the first and last edges: a fix at a node is ambiguous by nature.
inline Track drive(const RoadGraph& g, const std::vector<std::uint32_t>& nodes, double speed,
                   double dt, double noise, unsigned seed) {
  Track t;
  std::mt19937 rng(seed);
  std::normal_distribution<double> n(0, noise);
  double clock = 0, along = 10;
  for (std::size_t i = 0; i + 1 < nodes.size(); ++i) {
    const EdgeId e = edge_between(g, nodes[i], nodes[i + 1]);
    t.route.push_back(e);
    const double len = g.length(e) - (i + 2 == nodes.size() ? 10 : 0);
    while (along <= len) {
      const Point p = g.point_on(e, along);
      t.xy.push_back({p.x + n(rng), p.y + n(rng)});
      t.time.push_back(clock);
      clock += dt;
      along += speed * dt;
    }
    along -= len;
  }
  return t;
}

}  // namespace citybrain::sense::testing
