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
  // cache_bound > 0: distances() answers from a per-source cache of every node within
  // max(bound, cache_bound) of the source, so a vehicle staying on an edge reuses one search.
  explicit Router(const RoadGraph& graph, double cache_bound = 0);
  // out[i] = shortest distance from src to targets[i], or +inf beyond `bound`.
  void distances(std::uint32_t src, std::span<const std::uint32_t> targets, double bound,
                 std::span<double> out);
  std::uint64_t cache_hits() const { return m_hits; }
  // Appends the edges of a shortest path src -> dst (none when src == dst); false if none within
  // bound.
  bool path(std::uint32_t src, std::uint32_t dst, double bound, std::vector<EdgeId>& edges);
  std::uint64_t searches() const { return m_searches; }

 private:
  void start(std::uint32_t src);
  void search(std::uint32_t src, std::span<const std::uint32_t> targets, double bound,
              std::span<double> out);
  struct Settled {
    std::uint32_t node;
    double dist;
  };
  struct CacheEntry {
    std::uint32_t src = 0xffffffffu;
    double bound = -1;
    std::vector<Settled> nodes;  // sorted by node
  };
  static constexpr std::size_t kCacheSlots = 4096;
  double m_cache_bound = 0;
  std::vector<CacheEntry> m_cache;
  std::uint64_t m_hits = 0;
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
  std::vector<std::uint32_t> m_touched;  // nodes reached by the last search
  std::uint64_t m_searches = 0;
};

}  // namespace citybrain::sense::detail
