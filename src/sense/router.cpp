// Bounded Dijkstra with stamps: cost grows with the nodes within the bound, not the network.
#include "router.hpp"

#include <algorithm>
#include <limits>

namespace citybrain::sense::detail {

Router::Router(const RoadGraph& graph, double cache_bound)
    : m_graph(&graph),
      m_dist(graph.node_count()),
      m_seen(graph.node_count(), 0),
      m_target(graph.node_count(), 0),
      m_parent(graph.node_count(), 0) {
  m_cache_bound = cache_bound;
  if (cache_bound > 0) m_cache.resize(kCacheSlots);
}

void Router::start(std::uint32_t src) {
  if (++m_stamp == 0) {  // wrapped: reset the stamps once every 4 billion searches
    std::fill(m_seen.begin(), m_seen.end(), 0);
    std::fill(m_target.begin(), m_target.end(), 0);
    m_stamp = 1;
  }
  ++m_searches;
  m_heap.clear();
  m_dist[src] = 0;
  m_seen[src] = m_stamp;
  m_parent[src] = std::numeric_limits<std::uint32_t>::max();
  m_heap.push_back({0, src});
}

void Router::distances(std::uint32_t src, std::span<const std::uint32_t> targets, double bound,
                       std::span<double> out) {
  if (m_cache.empty()) {
    search(src, targets, bound, out);
    return;
  }
  constexpr double kInf = std::numeric_limits<double>::infinity();
  CacheEntry& en = m_cache[src & (kCacheSlots - 1)];
  if (en.src != src || en.bound < bound) {
    // Settle everything within the bound (no target to stop at) and keep it.
    en.src = src;
    en.bound = std::max(bound, m_cache_bound);
    search(src, {}, en.bound, {});
    en.nodes.clear();
    for (std::uint32_t v : m_touched) {
      if (m_dist[v] <= en.bound) en.nodes.push_back({v, m_dist[v]});
    }
    std::sort(en.nodes.begin(), en.nodes.end(),
              [](const Settled& a, const Settled& b) { return a.node < b.node; });
  } else {
    ++m_hits;
  }
  for (std::size_t i = 0; i < targets.size(); ++i) {
    auto it = std::lower_bound(en.nodes.begin(), en.nodes.end(), targets[i],
                               [](const Settled& a, std::uint32_t n) { return a.node < n; });
    out[i] =
        (it != en.nodes.end() && it->node == targets[i] && it->dist <= bound) ? it->dist : kInf;
  }
}

void Router::search(std::uint32_t src, std::span<const std::uint32_t> targets, double bound,
                    std::span<double> out) {
  const bool all = targets.empty();
  constexpr double kInf = std::numeric_limits<double>::infinity();
  start(src);
  std::size_t pending = 0;
  for (std::uint32_t t : targets) {
    if (m_target[t] != m_stamp) {
      m_target[t] = m_stamp;
      ++pending;
    }
  }
  // Settled targets get m_target = 0 so duplicates count once.
  m_touched.clear();
  m_touched.push_back(src);
  while (!m_heap.empty() && (all || pending > 0)) {
    std::pop_heap(m_heap.begin(), m_heap.end());
    const Item it = m_heap.back();
    m_heap.pop_back();
    if (it.d > m_dist[it.node]) continue;
    if (it.d > bound) break;
    if (m_target[it.node] == m_stamp) {
      m_target[it.node] = 0;
      --pending;
    }
    for (std::uint32_t e : m_graph->out_edges(NodeId(it.node))) {
      const std::uint32_t v = m_graph->to(EdgeId(e)).value;
      const double nd = it.d + m_graph->length(EdgeId(e));
      if (nd > bound) continue;
      if (m_seen[v] != m_stamp || nd < m_dist[v]) {
        if (m_seen[v] != m_stamp) m_touched.push_back(v);
        m_seen[v] = m_stamp;
        m_dist[v] = nd;
        m_parent[v] = e;
        m_heap.push_back({nd, v});
        std::push_heap(m_heap.begin(), m_heap.end());
      }
    }
  }
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const std::uint32_t t = targets[i];
    out[i] = (m_seen[t] == m_stamp && m_dist[t] <= bound) ? m_dist[t] : kInf;
  }
  // Any target still pending was not settled: its tentative distance may not be final.
  if (pending > 0) {
    for (std::size_t i = 0; i < targets.size(); ++i) {
      if (m_target[targets[i]] == m_stamp) out[i] = kInf;
    }
  }
}

bool Router::path(std::uint32_t src, std::uint32_t dst, double bound, std::vector<EdgeId>& edges) {
  double d = 0;
  search(src, {&dst, 1}, bound, {&d, 1});
  if (!(d <= bound)) return false;
  const std::size_t first = edges.size();
  for (std::uint32_t v = dst; v != src;) {
    const std::uint32_t e = m_parent[v];
    edges.push_back(EdgeId(e));
    v = m_graph->from(EdgeId(e)).value;
  }
  std::reverse(edges.begin() + static_cast<std::ptrdiff_t>(first), edges.end());
  return true;
}

}  // namespace citybrain::sense::detail
