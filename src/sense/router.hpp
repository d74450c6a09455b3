// Bounded one-to-many Dijkstra over the road graph with stamped scratch arrays (no clearing, no
// allocation after warm-up), used for HMM transitions and to recover the driven path.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "citybrain/sense/road_graph.hpp"

namespace citybrain::sense::detail {

class Router {
 public:
  explicit Router(const RoadGraph& graph);
  // out[i] = shortest distance from src to targets[i], or +inf beyond `bound`.
  void distances(std::uint32_t src, std::span<const std::uint32_t> targets, double bound,
                 std::span<double> out);
  // Appends the edges of a shortest path src -> dst (none when src == dst); false if none within
  // bound.
  bool path(std::uint32_t src, std::uint32_t dst, double bound, std::vector<EdgeId>& edges);
  std::uint64_t searches() const { return m_searches; }

 private:
  void start(std::uint32_t src);
  const RoadGraph* m_graph;
  std::vector<double> m_dist;
  std::vector<std::uint32_t> m_seen;    // stamp: m_dist valid
  std::vector<std::uint32_t> m_target;  // stamp: node is a pending target
  std::vector<std::uint32_t> m_parent;  // edge that reached the node
  std::uint32_t m_stamp = 0;
  struct Item {
    double d;
    std::uint32_t node;
    bool operator<(const Item& o) const { return d > o.d; }
  };
  std::vector<Item> m_heap;
  std::uint64_t m_searches = 0;
};

}  // namespace citybrain::sense::detail
