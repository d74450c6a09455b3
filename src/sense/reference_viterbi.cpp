// The reference matcher: the textbook algorithm, written for obviousness rather than speed. A
// whole segment's trellis is kept, every transition runs its own Dijkstra (std::priority_queue,
// a hash map of distances) and the best path is read back at the segment's end.
#include <functional>
#include <queue>
#include <unordered_map>

#include "citybrain/sense/matcher.hpp"
#include "hmm_model.hpp"

namespace citybrain::sense {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Shortest distance src -> dst, +inf if longer than bound.
double plain_dijkstra(const RoadGraph& g, std::uint32_t src, std::uint32_t dst, double bound,
                      std::vector<EdgeId>* path) {
  using Item = std::pair<double, std::uint32_t>;
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> q;
  std::unordered_map<std::uint32_t, double> dist;
  std::unordered_map<std::uint32_t, std::uint32_t> parent;
  dist[src] = 0;
  q.push({0, src});
  while (!q.empty()) {
    auto [d, u] = q.top();
    q.pop();
    if (d > dist[u] || d > bound) continue;
    if (u == dst) {
      if (path) {
        std::vector<EdgeId> rev;
        for (std::uint32_t v = dst; v != src; v = g.from(EdgeId(parent[v])).value) {
          rev.push_back(EdgeId(parent[v]));
        }
        path->insert(path->end(), rev.rbegin(), rev.rend());
      }
      return d;
    }
    for (std::uint32_t e : g.out_edges(NodeId(u))) {
      const std::uint32_t v = g.to(EdgeId(e)).value;
      const double nd = d + g.length(EdgeId(e));
      auto it = dist.find(v);
      if (it == dist.end() || nd < it->second) {
        dist[v] = nd;
        parent[v] = e;
        q.push({nd, v});
      }
    }
  }
  return kInf;
}

struct Node {
  EdgeHit hit;
  double score = kNegInfD();
  std::size_t back = 0;
  static constexpr double kNegInfD() { return -std::numeric_limits<double>::infinity(); }
};

struct Step {
  std::uint32_t index;
  double time;
  Point xy;
  std::vector<Node> nodes;
};

}  // namespace

MatchOutput match_reference(const RoadGraph& g, const MatchParams& params_in,
                            std::span<const Point> xy, std::span<const double> time) {
  MatchParams p = detail::resolved(params_in);
  p.k = std::clamp<std::uint32_t>(p.k, 1, 32);
  MatchOutput out;
  std::vector<Step> segment;
  std::uint32_t seg_id = 0;
  EdgeId last_edge;
  double last_offset = 0;
  Point last_xy;
  std::uint32_t last_seg = 0;

  const auto close_segment = [&] {
    if (segment.empty()) return;
    std::size_t pick = 0;
    for (std::size_t j = 1; j < segment.back().nodes.size(); ++j) {
      if (segment.back().nodes[j].score > segment.back().nodes[pick].score) pick = j;
    }
    std::vector<std::size_t> chosen(segment.size());
    for (std::size_t t = segment.size(); t-- > 0;) {
      chosen[t] = pick;
      pick = segment[t].nodes[pick].back;
    }
    for (std::size_t t = 0; t < segment.size(); ++t) {
      const Step& st = segment[t];
      const EdgeHit& h = st.nodes[chosen[t]].hit;
      const auto route_begin = static_cast<std::uint32_t>(out.route.size());
      if (last_edge.valid() && last_seg == seg_id) {
        if (detail::same_edge_route(p, last_edge, last_offset, h.edge, h.offset) < 0) {
          std::vector<EdgeId> path;
          const double straight = (st.xy - last_xy).length();
          plain_dijkstra(g, g.to(last_edge).value, g.from(h.edge).value,
                         detail::route_bound(p, straight) + g.length(h.edge), &path);
          for (EdgeId e : path) out.route.push_back({0, e, seg_id, st.time});
          out.route.push_back({0, h.edge, seg_id, st.time});
        }
      } else {
        out.route.push_back({0, h.edge, seg_id, st.time});
      }
      out.points.push_back({0, st.index, st.time, h.edge, h.offset, h.distance, seg_id, route_begin,
                            static_cast<std::uint32_t>(out.route.size())});
      last_edge = h.edge;
      last_offset = h.offset;
      last_xy = st.xy;
      last_seg = seg_id;
    }
    segment.clear();
  };

  std::vector<EdgeHit> hits;
  double last_time = -kInf;
  for (std::size_t n = 0; n < xy.size(); ++n) {
    const auto index = static_cast<std::uint32_t>(n);
    if (!segment.empty() && time[n] - last_time > p.max_gap) {
      close_segment();
      ++seg_id;
    }
    last_time = time[n];
    detail::find_candidates(g, p, xy[n], false, hits);
    if (hits.empty()) {
      out.points.push_back({0, index, time[n], EdgeId{}, 0, 0, seg_id});
      continue;
    }
    Step st{index, time[n], xy[n], {}};
    for (const EdgeHit& h : hits) st.nodes.push_back({h, detail::emission_logp(p, h.distance), 0});
    if (segment.empty()) {
      segment.push_back(std::move(st));
      continue;
    }
    const Step& prev = segment.back();
    const double straight = (xy[n] - prev.xy).length();
    const double bound = detail::route_bound(p, straight);
    const auto viterbi_step = [&] {
      bool reachable = false;
      for (Node& nj : st.nodes) {
        double best = -kInf;
        std::size_t back = 0;
        for (std::size_t i = 0; i < prev.nodes.size(); ++i) {
          const Node& ni = prev.nodes[i];
          if (ni.score == -kInf) continue;
          double route =
              detail::same_edge_route(p, ni.hit.edge, ni.hit.offset, nj.hit.edge, nj.hit.offset);
          if (route < 0) {
            const double rest = g.length(ni.hit.edge) - ni.hit.offset;
            route = rest +
                    plain_dijkstra(g, g.to(ni.hit.edge).value, g.from(nj.hit.edge).value,
                                   bound - rest, nullptr) +
                    nj.hit.offset;
          }
          if (!(route <= bound)) continue;
          const double v = ni.score + detail::transition_logp(p, route, straight);
          if (v > best) {
            best = v;
            back = i;
          }
        }
        nj.score = best + detail::emission_logp(p, nj.hit.distance);
        nj.back = back;
        reachable = reachable || best > -kInf;
      }
      return reachable;
    };
    bool any = viterbi_step();
    if (!any) {
      detail::find_candidates(g, p, xy[n], true, hits);
      st.nodes.clear();
      for (const EdgeHit& h : hits) st.nodes.push_back({h, 0, 0});
      any = viterbi_step();
    }
    if (!any) {
      close_segment();
      ++seg_id;
      for (Node& nj : st.nodes) nj.score = detail::emission_logp(p, nj.hit.distance);
    }
    segment.push_back(std::move(st));
  }
  close_segment();
  return out;
}

}  // namespace citybrain::sense
