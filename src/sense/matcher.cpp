// The online matcher: per-vehicle Viterbi windows, convergence-based finalisation with a lag
// bound, splitting at gaps and unreachable transitions, and the path between finalised points.
#include "citybrain/sense/matcher.hpp"

#include <algorithm>
#include <cassert>

#include "hmm_model.hpp"
#include "router.hpp"

namespace citybrain::sense {

namespace detail {

struct Cand {
  std::uint32_t edge;
  float offset;
  float distance;
  double emis;
  double score;
  std::uint32_t back;  // index within the previous column
};

struct Column {
  double time;
  Point xy;
  std::uint32_t index;  // input index of the point
  std::uint32_t first;  // into VehicleState::cands
  std::uint32_t count;
  std::uint32_t trans;  // into VehicleState::trans: prev.count x count, row-major
};

struct Pending {
  double time;
  Point xy;
};

struct VehicleState {
  std::vector<Column> cols;  // the window; cols[0] is finalised when has_base
  std::vector<Cand> cands;
  std::vector<float> trans;      // float: only re-read after a forced choice (lag bound)
  std::vector<Pending> reorder;  // points waiting for late arrivals, sorted by time
  bool has_base = false;
  bool active = false;
  std::uint32_t next_index = 0;
  std::uint32_t segment = 0;
  double last_time = -std::numeric_limits<double>::infinity();
  double newest_time = -std::numeric_limits<double>::infinity();
  // The last finalised match (the start of the next route piece).
  EdgeId last_edge;
  float last_offset = 0;
  Point last_xy;
  std::uint32_t last_segment = 0;
};

}  // namespace detail

using detail::Cand;
using detail::Column;
using detail::VehicleState;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

struct Ctx {
  const RoadGraph& g;
  const MatchParams& p;
  detail::Router& router;
  MatchStats& stats;
  std::uint32_t vehicle;
  VehicleState& s;
  MatchOutput& out;
};

// Appends the route from the last finalised match to (edge, offset) and emits the point.
void emit(Ctx& c, const Column& col, const Cand& cand) {
  VehicleState& s = c.s;
  const EdgeId e(cand.edge);
  const auto route_begin = static_cast<std::uint32_t>(c.out.route.size());
  if (s.last_edge.valid() && s.last_segment == s.segment) {
    const double same = detail::same_edge_route(c.p, s.last_edge, s.last_offset, e, cand.offset);
    if (same < 0) {
      const double straight = (col.xy - s.last_xy).length();
      thread_local std::vector<EdgeId> path;
      path.clear();
      const bool found = c.router.path(c.g.to(s.last_edge).value, c.g.from(e).value,
                                       detail::route_bound(c.p, straight) + c.g.length(e), path);
      if (found) {
        for (EdgeId pe : path) c.out.route.push_back({c.vehicle, pe, s.segment, col.time});
      }
      c.out.route.push_back({c.vehicle, e, s.segment, col.time});
    }
  } else {
    c.out.route.push_back({c.vehicle, e, s.segment, col.time});
  }
  c.out.points.push_back({c.vehicle, col.index, col.time, e, cand.offset, cand.distance, s.segment,
                          route_begin, static_cast<std::uint32_t>(c.out.route.size())});
  s.last_edge = e;
  s.last_offset = cand.offset;
  s.last_xy = col.xy;
  s.last_segment = s.segment;
}

// Finalises columns [first unfinalised, upto] following back pointers from candidate `pick` of
// column `upto`; cols[upto] becomes the base and everything before it is dropped.
void finalise_upto(Ctx& c, std::size_t upto, std::uint32_t pick) {
  VehicleState& s = c.s;
  const std::size_t from = s.has_base ? 1 : 0;
  thread_local std::vector<std::uint32_t> chosen;
  chosen.assign(upto + 1, 0);
  chosen[upto] = pick;
  for (std::size_t t = upto; t > from; --t) {
    chosen[t - 1] = s.cands[s.cols[t].first + chosen[t]].back;
  }
  for (std::size_t t = from; t <= upto; ++t) {
    emit(c, s.cols[t], s.cands[s.cols[t].first + chosen[t]]);
  }
  // Make cols[upto] the base: only the chosen candidate survives.
  Column& base = s.cols[upto];
  for (std::uint32_t i = 0; i < base.count; ++i) {
    s.cands[base.first + i].score = i == pick ? 0.0 : -kInf;
  }
  if (upto > 0) {
    const std::uint32_t drop_c = s.cols[upto].first;
    const std::uint32_t drop_t = s.cols[upto].trans;
    s.cols.erase(s.cols.begin(), s.cols.begin() + static_cast<std::ptrdiff_t>(upto));
    s.cands.erase(s.cands.begin(), s.cands.begin() + drop_c);
    s.trans.erase(s.trans.begin(), s.trans.begin() + drop_t);
    for (Column& col : s.cols) {
      col.first -= drop_c;
      col.trans -= drop_t;
    }
  }
  s.has_base = true;
}

std::uint32_t best_in(const VehicleState& s, const Column& col) {
  std::uint32_t best = 0;
  for (std::uint32_t i = 1; i < col.count; ++i) {
    if (s.cands[col.first + i].score > s.cands[col.first + best].score) best = i;
  }
  return best;
}

// Finalises the whole window (end of a segment).
void finalise_all(Ctx& c) {
  VehicleState& s = c.s;
  if (s.cols.empty()) return;
  const std::size_t last = s.cols.size() - 1;
  if (!(s.has_base && last == 0)) finalise_upto(c, last, best_in(s, s.cols[last]));
  s.cols.clear();
  s.cands.clear();
  s.trans.clear();
  s.has_base = false;
}

// Recomputes scores and back pointers of columns after `from` from the stored emissions and
// transitions (after the lag bound forced a choice).
void repropagate(VehicleState& s, std::size_t from) {
  for (std::size_t t = from + 1; t < s.cols.size(); ++t) {
    const Column& prev = s.cols[t - 1];
    const Column& cur = s.cols[t];
    for (std::uint32_t j = 0; j < cur.count; ++j) {
      double best = -kInf;
      std::uint32_t back = 0;
      for (std::uint32_t i = 0; i < prev.count; ++i) {
        const double v = s.cands[prev.first + i].score + s.trans[cur.trans + i * cur.count + j];
        if (v > best) {
          best = v;
          back = i;
        }
      }
      Cand& cj = s.cands[cur.first + j];
      cj.score = best + cj.emis;
      cj.back = back;
    }
  }
}

// After a new column: finalise what every surviving path agrees on, then enforce the lag.
void settle(Ctx& c) {
  VehicleState& s = c.s;
  const std::size_t last = s.cols.size() - 1;
  const std::size_t from = s.has_base ? 1 : 0;
  // Walk the surviving candidates back until they meet in one.
  thread_local std::vector<std::uint32_t> live, next;
  live.clear();
  const Column& lc = s.cols[last];
  for (std::uint32_t j = 0; j < lc.count; ++j) {
    if (s.cands[lc.first + j].score > -kInf) live.push_back(j);
  }
  if (live.size() == 1 && !(s.has_base && last == 0)) {
    finalise_upto(c, last, live[0]);
    return;
  }
  for (std::size_t t = last; t > from; --t) {
    next.clear();
    for (std::uint32_t j : live) next.push_back(s.cands[s.cols[t].first + j].back);
    std::sort(next.begin(), next.end());
    next.erase(std::unique(next.begin(), next.end()), next.end());
    live.swap(next);
    if (live.size() == 1) {
      if (t - 1 >= from) finalise_upto(c, t - 1, live[0]);
      break;
    }
  }
  // Lag bound: force the oldest unfinalised points onto the currently best path.
  const std::size_t first_open = s.has_base ? 1 : 0;
  const std::size_t open = s.cols.size() - first_open;
  if (open > c.p.max_lag) {
    const std::size_t force = open - c.p.max_lag;  // columns to finalise
    const std::size_t upto = first_open + force - 1;
    std::uint32_t j = best_in(s, s.cols.back());
    for (std::size_t t = s.cols.size() - 1; t > upto; --t) j = s.cands[s.cols[t].first + j].back;
    c.stats.forced += force;
    finalise_upto(c, upto, j);
    repropagate(s, 0);
  }
}

}  // namespace

OnlineMatcher::OnlineMatcher(const RoadGraph& graph, MatchParams params)
    : m_graph(&graph),
      m_params(detail::resolved(params)),
      m_router(std::make_unique<detail::Router>(graph, params.cache_bound)) {
  m_params.k = std::clamp<std::uint32_t>(m_params.k, 1, 32);
  m_params.max_lag = std::max<std::uint32_t>(m_params.max_lag, 1);
}
OnlineMatcher::~OnlineMatcher() = default;
OnlineMatcher::OnlineMatcher(OnlineMatcher&&) noexcept = default;
OnlineMatcher& OnlineMatcher::operator=(OnlineMatcher&&) noexcept = default;

std::size_t OnlineMatcher::state_bytes() const {
  std::size_t b = m_vehicles.capacity() * sizeof(VehicleState);
  for (const auto& s : m_vehicles) {
    b += s.cols.capacity() * sizeof(Column) + s.cands.capacity() * sizeof(Cand) +
         s.trans.capacity() * sizeof(float) + s.reorder.capacity() * sizeof(detail::Pending);
  }
  return b;
}

void OnlineMatcher::push(std::uint32_t vehicle, double time, Point xy, MatchOutput& out) {
  if (vehicle >= m_vehicles.size()) m_vehicles.resize(vehicle + 1);
  VehicleState& s = m_vehicles[vehicle];
  ++m_stats.points;
  if (m_params.reorder_window <= 0) {
    if (time < s.last_time) {
      ++m_stats.late_dropped;
      return;
    }
    process(vehicle, time, xy, out);
    return;
  }
  if (time < s.last_time) {
    ++m_stats.late_dropped;
    return;
  }
  auto it = std::upper_bound(s.reorder.begin(), s.reorder.end(), time,
                             [](double t, const detail::Pending& q) { return t < q.time; });
  s.reorder.insert(it, {time, xy});
  s.newest_time = std::max(s.newest_time, time);
  std::size_t n = 0;
  while (n < s.reorder.size() && s.reorder[n].time <= s.newest_time - m_params.reorder_window) ++n;
  for (std::size_t i = 0; i < n; ++i) process(vehicle, s.reorder[i].time, s.reorder[i].xy, out);
  s.reorder.erase(s.reorder.begin(), s.reorder.begin() + static_cast<std::ptrdiff_t>(n));
}

void OnlineMatcher::process(std::uint32_t vehicle, double time, Point xy, MatchOutput& out) {
  VehicleState& s = m_vehicles[vehicle];
  thread_local std::vector<EdgeHit> hits;
  thread_local std::vector<std::uint32_t> targets;
  thread_local std::vector<double> dists;
  thread_local std::vector<double> best;
  thread_local std::vector<std::uint32_t> backs;
  Ctx c{*m_graph, m_params, *m_router, m_stats, vehicle, s, out};
  const std::uint32_t index = s.next_index++;
  s.active = true;
  if (!s.cols.empty() && time - s.last_time > m_params.max_gap) {
    finalise_all(c);
    ++s.segment;
    ++m_stats.breaks;
  }
  s.last_time = time;
  detail::find_candidates(*m_graph, m_params, xy, false, hits);
  if (hits.empty()) {
    ++m_stats.unmatched;
    out.points.push_back({vehicle, index, time, EdgeId{}, 0, 0, s.segment});
    return;
  }
  Column col{time,  xy,
             index, static_cast<std::uint32_t>(s.cands.size()),
             0,     static_cast<std::uint32_t>(s.trans.size())};
  const auto add_candidates = [&] {
    s.cands.resize(col.first);
    col.count = static_cast<std::uint32_t>(hits.size());
    for (const EdgeHit& h : hits) {
      s.cands.push_back({h.edge.value, h.offset, h.distance,
                         detail::emission_logp(m_params, h.distance), 0.0, 0});
    }
  };
  add_candidates();
  if (s.cols.empty()) {
    for (std::uint32_t j = 0; j < col.count; ++j) {
      Cand& cj = s.cands[col.first + j];
      cj.score = cj.emis;
    }
    s.cols.push_back(col);
    return;
  }
  const Column prev = s.cols.back();
  const double straight = (xy - prev.xy).length();
  const double bound = detail::route_bound(m_params, straight);
  // Scores this column from the previous one; false when no candidate can be reached.
  const auto link = [&] {
    s.trans.resize(col.trans + static_cast<std::size_t>(prev.count) * col.count);
    targets.clear();
    for (std::uint32_t j = 0; j < col.count; ++j) {
      targets.push_back(m_graph->from(EdgeId(s.cands[col.first + j].edge)).value);
    }
    dists.resize(col.count);
    best.assign(col.count, -kInf);
    backs.assign(col.count, 0);
    for (std::uint32_t i = 0; i < prev.count; ++i) {
      const Cand ci = s.cands[prev.first + i];
      float* row = &s.trans[col.trans + static_cast<std::size_t>(i) * col.count];
      if (ci.score == -kInf) {
        std::fill(row, row + col.count, -std::numeric_limits<float>::infinity());
        continue;
      }
      const EdgeId ei(ci.edge);
      const double rest = m_graph->length(ei) - ci.offset;
      bool searched = false;
      for (std::uint32_t j = 0; j < col.count; ++j) {
        const Cand& cj = s.cands[col.first + j];
        double route = detail::same_edge_route(m_params, ei, ci.offset, EdgeId(cj.edge), cj.offset);
        if (route < 0) {
          if (!searched) {
            m_router->distances(m_graph->to(ei).value, targets, bound - rest, dists);
            searched = true;
          }
          route = rest + dists[j] + cj.offset;
        }
        const double lp =
            route <= bound ? detail::transition_logp(m_params, route, straight) : -kInf;
        row[j] = static_cast<float>(lp);
        // Scored in double here, in the reference's order, so both pick the same path.
        const double v = ci.score + lp;
        if (v > best[j]) {
          best[j] = v;
          backs[j] = i;
        }
      }
    }
    bool reachable = false;
    for (std::uint32_t j = 0; j < col.count; ++j) {
      Cand& cj = s.cands[col.first + j];
      cj.score = best[j] + cj.emis;
      cj.back = backs[j];
      reachable = reachable || best[j] > -kInf;
    }
    return reachable;
  };
  bool any = link();
  if (!any) {
    // The right road may be just outside the candidate set: look wider once before splitting.
    detail::find_candidates(*m_graph, m_params, xy, true, hits);
    add_candidates();
    any = link();
  }
  if (!any) {
    // Unreachable from every candidate: close the segment and restart at this point.
    const std::vector<Cand> fresh(s.cands.begin() + col.first, s.cands.end());
    s.cands.resize(col.first);
    finalise_all(c);
    ++s.segment;
    ++m_stats.breaks;
    col.first = 0;
    col.trans = 0;
    s.cands = fresh;
    for (Cand& cj : s.cands) cj.score = cj.emis;
    s.cols.push_back(col);
    return;
  }
  s.cols.push_back(col);
  settle(c);
}

void OnlineMatcher::finish(std::uint32_t vehicle, MatchOutput& out) {
  if (vehicle >= m_vehicles.size()) return;
  VehicleState& s = m_vehicles[vehicle];
  for (const auto& q : s.reorder) process(vehicle, q.time, q.xy, out);
  s.reorder.clear();
  Ctx c{*m_graph, m_params, *m_router, m_stats, vehicle, s, out};
  finalise_all(c);
  m_stats.searches = m_router->searches();
  const std::uint32_t next_index = s.next_index;
  const std::uint32_t segment = s.segment;
  s = VehicleState{};
  s.next_index = next_index;
  s.segment = segment + 1;
}

void OnlineMatcher::finish_all(MatchOutput& out) {
  for (std::uint32_t v = 0; v < m_vehicles.size(); ++v) {
    if (m_vehicles[v].active) finish(v, out);
  }
}

MatchOutput match_track(const RoadGraph& graph, const MatchParams& params,
                        std::span<const Point> xy, std::span<const double> time,
                        MatchStats* stats) {
  OnlineMatcher m(graph, params);
  MatchOutput out;
  for (std::size_t i = 0; i < xy.size(); ++i) m.push(0, time[i], xy[i], out);
  m.finish(0, out);
  if (stats) *stats = m.stats();
  return out;
}

double estimate_sigma(const RoadGraph& graph, std::span<const Point> xy, double radius,
                      double fallback) {
  std::vector<EdgeHit> hits;
  std::vector<double> d;
  d.reserve(xy.size());
  for (const Point& p : xy) {
    graph.nearest_edges(p, radius, 1, hits);
    if (!hits.empty()) d.push_back(hits[0].distance);
  }
  if (d.empty()) return fallback;
  auto mid = d.begin() + static_cast<std::ptrdiff_t>(d.size() / 2);
  std::nth_element(d.begin(), mid, d.end());
  return std::max(0.5, 1.4826 * *mid);
}

}  // namespace citybrain::sense
