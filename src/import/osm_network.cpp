#include "import/osm_network.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numbers>
#include <numeric>
#include <unordered_map>
#include <unordered_set>

#include "citybrain/core/error.hpp"
#include "import/osm_tags.hpp"

namespace citybrain::import::osm_detail {

namespace {

constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

struct Edge {
  std::vector<std::int64_t> nodes;    // OSM node ids from vertex a to vertex b
  std::uint32_t a = 0, b = 0;         // vertices
  std::int64_t way_a = 0, way_b = 0;  // the way at each end (segments of several ways are joined)
  int fwd = 0, bwd = 0;               // lanes a->b and b->a
  double speed = 0, lane_width = 3.2, length = 0;
  bool alive = true;

  void reverse() {
    std::reverse(nodes.begin(), nodes.end());
    std::swap(a, b);
    std::swap(way_a, way_b);
    std::swap(fwd, bwd);
  }
};

struct Vertex {
  std::int64_t osm = 0;
  Point p;
  std::vector<std::uint32_t> edges;
  std::uint32_t cluster = kNone;
  bool boundary = false;  // where a way leaves the extract, or near the extract's edge
};

struct Cluster {
  std::vector<std::uint32_t> members;
  std::int64_t min_osm = std::numeric_limits<std::int64_t>::max();
  Point centre;
  bool is_virtual = false;
  bool boundary = false;
  bool has_signal = false;
  bool signalised = false;
  bool kept = true;
  double width = 0;
  std::vector<std::uint32_t> in, out;  // roads
  std::vector<std::int64_t> signal_nodes;
};

struct Road {
  std::string id;
  std::uint32_t edge = 0;
  bool forward = true;
  std::uint32_t from = 0, to = 0;    // clusters
  std::uint32_t vfrom = 0, vto = 0;  // vertices
  std::vector<Point> shape;          // through the OSM nodes, vertex to vertex
  std::vector<Point> points;         // as written: centre to centre, trimmed for the widths
  int lanes = 1;
  double speed = 0, lane_width = 3.2, length = 0;
  std::int64_t way_start = 0, way_end = 0;
  bool kept = true;
};

struct Movement {
  std::uint32_t in = 0, out = 0;
  double angle = 0;  // degrees, left positive
  int type = 3;      // 1 right, 2 left, 3 straight (CityFlow's priority order)
  bool alive = true;
  std::uint32_t lane_lo = 0, lane_hi = 0;
};

constexpr double kEarthRadius = 6371008.8;

// Uniform in [0, 1) for the deterministic parts (none here use randomness).
double heading_deg(Point d) {
  return std::atan2(d.y, d.x) * 180.0 / std::numbers::pi;
}

double signed_angle(Point from, Point to) {
  return std::atan2(cross(from, to), dot(from, to)) * 180.0 / std::numbers::pi;
}

Point end_direction(const std::vector<Point>& shape, double length) {
  Point p = point_at(shape, std::max(0.0, length - std::min(15.0, length / 2)));
  Point d = shape.back() - p;
  return d.length() > 1e-9 ? d.unit() : direction_at(shape, length);
}

Point start_direction(const std::vector<Point>& shape, double length) {
  Point p = point_at(shape, std::min(15.0, length / 2));
  Point d = p - shape.front();
  return d.length() > 1e-9 ? d.unit() : direction_at(shape, 0);
}

struct UnionFind {
  std::vector<std::uint32_t> parent;
  std::vector<double> x0, y0, x1, y1;
  std::uint32_t find(std::uint32_t v) {
    while (parent[v] != v) v = parent[v] = parent[parent[v]];
    return v;
  }
};

// Tarjan's strongly connected components, iterative. Returns the component of every node.
std::vector<std::uint32_t> strong_components(const std::vector<std::vector<std::uint32_t>>& next) {
  const std::uint32_t n = static_cast<std::uint32_t>(next.size());
  std::vector<std::uint32_t> index(n, kNone), low(n, 0), comp(n, kNone);
  std::vector<std::uint8_t> on_stack(n, 0);
  std::vector<std::uint32_t> stack;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> call;  // node, next child position
  std::uint32_t counter = 0, comps = 0;
  for (std::uint32_t s = 0; s < n; ++s) {
    if (index[s] != kNone) continue;
    call.push_back({s, 0});
    while (!call.empty()) {
      auto& [v, pos] = call.back();
      if (pos == 0 && index[v] == kNone) {
        index[v] = low[v] = counter++;
        stack.push_back(v);
        on_stack[v] = 1;
      }
      if (pos < next[v].size()) {
        std::uint32_t w = next[v][pos++];
        if (index[w] == kNone) {
          call.push_back({w, 0});
        } else if (on_stack[w]) {
          low[v] = std::min(low[v], index[w]);
        }
        continue;
      }
      if (low[v] == index[v]) {
        std::uint32_t w;
        do {
          w = stack.back();
          stack.pop_back();
          on_stack[w] = 0;
          comp[w] = comps;
        } while (w != v);
        ++comps;
      }
      std::uint32_t done = v;
      call.pop_back();
      if (!call.empty()) low[call.back().first] = std::min(low[call.back().first], low[done]);
    }
  }
  return comp;
}

class Builder {
 public:
  Builder(const RawData& raw, const OsmOptions& options, const std::string& name,
          ImportReport& report)
      : m_raw(raw), m_opt(options), m_name(name), m_report(report) {}

  OsmNetwork build() {
    make_edges();
    contract();
    cluster();
    make_roads();
    make_movements();
    apply_restrictions();
    keep_largest_component();
    attach_signals();
    assign_lanes();
    set_widths();
    OsmNetwork out;
    out.roadnet_json = write_roadnet();
    out.graph = trip_graph();
    return out;
  }

 private:
  const RawData& m_raw;
  const OsmOptions& m_opt;
  const std::string& m_name;
  ImportReport& m_report;

  std::vector<Edge> m_edges;
  std::vector<Vertex> m_vertices;
  std::unordered_map<std::int64_t, std::uint32_t> m_vertex_of;
  std::unordered_map<std::int64_t, Point> m_xy;
  std::vector<Cluster> m_clusters;
  std::vector<Road> m_roads;
  std::vector<std::vector<Movement>> m_moves;          // per cluster
  std::vector<std::vector<std::uint32_t>> m_internal;  // per vertex: vertices reachable in one step

  [[noreturn]] void fail(const std::string& what) const {
    throw Error(ErrorCode::kInvalidInput, m_name, what);
  }

  // Drivable ways -> edges between junction nodes (nodes shared by ways, or way ends).
  void make_edges() {
    struct Piece {
      const RawWay* way;
      WayPolicy policy;
      std::vector<std::int64_t> nodes;
      bool cut_front = false, cut_back = false;
    };
    std::vector<Piece> pieces;
    std::unordered_map<std::int64_t, std::uint32_t> use;
    for (const RawWay& way : m_raw.ways) {
      WayPolicy policy = way_policy(way.tags);
      const std::string id = "way/" + std::to_string(way.id);
      if (!policy.drop_reason.empty()) {
        m_report.drop("way", id, policy.drop_reason);
        continue;
      }
      if (!policy.tag_problem.empty()) {
        m_report.drop("tag", id,
                      policy.tag_problem + ": value not understood (class default used)");
      }
      m_report.keep("way");
      std::vector<std::int64_t> run;
      bool cut = false, cut_before = false;
      auto flush = [&](bool cut_after) {
        if (run.size() >= 2) pieces.push_back({&way, policy, run, cut_before, cut_after});
        run.clear();
      };
      for (std::int64_t n : way.nodes) {
        if (!m_raw.nodes.count(n)) {
          cut = true;
          flush(true);
          cut_before = true;
          continue;
        }
        if (!run.empty() && run.back() == n) continue;
        run.push_back(n);
      }
      flush(false);
      if (cut) m_report.drop("way part", id, "nodes outside the extract (way cut there)");
    }
    if (pieces.empty()) fail("no drivable road in the extract (expected highway ways with nodes)");

    // Planar projection: equirectangular around the centre of the used nodes' bounding box.
    double lon0 = 1e9, lon1 = -1e9, lat0 = 1e9, lat1 = -1e9;
    for (const Piece& p : pieces) {
      for (std::int64_t n : p.nodes) {
        const LonLat& ll = m_raw.nodes.at(n);
        lon0 = std::min(lon0, ll.lon);
        lon1 = std::max(lon1, ll.lon);
        lat0 = std::min(lat0, ll.lat);
        lat1 = std::max(lat1, ll.lat);
        ++use[n];
      }
      use[p.nodes.front()] += 2;
      use[p.nodes.back()] += 2;
    }
    const double clon = (lon0 + lon1) / 2, clat = (lat0 + lat1) / 2;
    // The extract's extent (all its nodes): dead ends near its edge are where roads leave it.
    double elon0 = 1e9, elon1 = -1e9, elat0 = 1e9, elat1 = -1e9;
    for (const auto& [id, ll] : m_raw.nodes) {
      elon0 = std::min(elon0, ll.lon);
      elon1 = std::max(elon1, ll.lon);
      elat0 = std::min(elat0, ll.lat);
      elat1 = std::max(elat1, ll.lat);
    }
    const double k = kEarthRadius * std::numbers::pi / 180.0;
    const double kx = k * std::cos(clat * std::numbers::pi / 180.0);
    auto xy = [&](std::int64_t n) {
      auto it = m_xy.find(n);
      if (it != m_xy.end()) return it->second;
      const LonLat& ll = m_raw.nodes.at(n);
      Point p{(ll.lon - clon) * kx, (ll.lat - clat) * k};
      m_xy.emplace(n, p);
      return p;
    };
    auto vertex = [&](std::int64_t n) {
      auto [it, fresh] = m_vertex_of.emplace(n, static_cast<std::uint32_t>(m_vertices.size()));
      if (fresh) m_vertices.push_back({n, xy(n), {}, kNone});
      return it->second;
    };
    const double kEdge = 30.0;  // metres
    auto near_edge = [&](std::int64_t n) {
      const LonLat& ll = m_raw.nodes.at(n);
      return (ll.lon - elon0) * kx < kEdge || (elon1 - ll.lon) * kx < kEdge ||
             (ll.lat - elat0) * k < kEdge || (elat1 - ll.lat) * k < kEdge;
    };
    for (const Piece& p : pieces) {
      const std::uint32_t first = vertex(p.nodes.front()), last = vertex(p.nodes.back());
      m_vertices[first].boundary =
          m_vertices[first].boundary || p.cut_front || near_edge(p.nodes.front());
      m_vertices[last].boundary =
          m_vertices[last].boundary || p.cut_back || near_edge(p.nodes.back());
    }
    for (const Piece& p : pieces) {
      std::vector<std::size_t> cuts;
      for (std::size_t i = 0; i < p.nodes.size(); ++i) {
        if (use[p.nodes[i]] >= 2) {
          // A closed loop between two cuts gets a cut in its middle.
          if (!cuts.empty() && p.nodes[cuts.back()] == p.nodes[i] && i - cuts.back() >= 2) {
            cuts.push_back((cuts.back() + i) / 2);
          }
          cuts.push_back(i);
        }
      }
      for (std::size_t c = 0; c + 1 < cuts.size(); ++c) {
        Edge e;
        e.nodes.assign(p.nodes.begin() + static_cast<std::ptrdiff_t>(cuts[c]),
                       p.nodes.begin() + static_cast<std::ptrdiff_t>(cuts[c + 1]) + 1);
        e.a = vertex(e.nodes.front());
        e.b = vertex(e.nodes.back());
        e.way_a = e.way_b = p.way->id;
        e.fwd = p.policy.forward_lanes;
        e.bwd = p.policy.backward_lanes;
        e.speed = p.policy.speed;
        e.lane_width = p.policy.lane_width;
        for (std::size_t i = 1; i < e.nodes.size(); ++i) {
          e.length += (xy(e.nodes[i]) - xy(e.nodes[i - 1])).length();
        }
        const std::uint32_t idx = static_cast<std::uint32_t>(m_edges.size());
        m_vertices[e.a].edges.push_back(idx);
        m_vertices[e.b].edges.push_back(idx);
        m_edges.push_back(std::move(e));
      }
    }
  }

  // Joins the two segments at a node where only they meet and nothing changes (lanes, speed).
  void contract() {
    std::unordered_set<std::int64_t> keep;
    for (const RawRestriction& r : m_raw.restrictions)
      keep.insert(r.via_nodes.begin(), r.via_nodes.end());
    for (std::uint32_t v = 0; v < m_vertices.size(); ++v) {
      Vertex& vx = m_vertices[v];
      if (keep.count(vx.osm) || vx.edges.size() != 2 || vx.edges[0] == vx.edges[1]) continue;
      const std::uint32_t i1 = vx.edges[0], i2 = vx.edges[1];
      Edge& e1 = m_edges[i1];
      Edge& e2 = m_edges[i2];
      if (e1.b != v) e1.reverse();
      if (e2.a != v) e2.reverse();
      if (e1.a == e2.b || e1.a == v || e2.b == v) continue;
      if (e1.fwd != e2.fwd || e1.bwd != e2.bwd || std::abs(e1.speed - e2.speed) > 0.01 ||
          e1.lane_width != e2.lane_width) {
        continue;
      }
      e1.nodes.insert(e1.nodes.end(), e2.nodes.begin() + 1, e2.nodes.end());
      e1.b = e2.b;
      e1.way_b = e2.way_b;
      e1.length += e2.length;
      e2.alive = false;
      for (std::uint32_t& e : m_vertices[e1.b].edges) {
        if (e == i2) e = i1;
      }
      vx.edges.clear();
    }
  }

  // Junction nodes joined by short segments become one intersection.
  void cluster() {
    UnionFind uf;
    const std::uint32_t nv = static_cast<std::uint32_t>(m_vertices.size());
    uf.parent.resize(nv);
    std::iota(uf.parent.begin(), uf.parent.end(), 0u);
    for (const Vertex& v : m_vertices) {
      uf.x0.push_back(v.p.x);
      uf.x1.push_back(v.p.x);
      uf.y0.push_back(v.p.y);
      uf.y1.push_back(v.p.y);
    }
    std::vector<std::uint32_t> order;
    for (std::uint32_t e = 0; e < m_edges.size(); ++e) {
      if (m_edges[e].alive && m_edges[e].length <= m_opt.cluster_link) order.push_back(e);
    }
    std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
      return m_edges[a].length < m_edges[b].length;
    });
    for (std::uint32_t e : order) {
      std::uint32_t ra = uf.find(m_edges[e].a), rb = uf.find(m_edges[e].b);
      if (ra == rb) continue;
      double x0 = std::min(uf.x0[ra], uf.x0[rb]), x1 = std::max(uf.x1[ra], uf.x1[rb]);
      double y0 = std::min(uf.y0[ra], uf.y0[rb]), y1 = std::max(uf.y1[ra], uf.y1[rb]);
      if (std::hypot(x1 - x0, y1 - y0) > m_opt.cluster_span) continue;
      uf.parent[rb] = ra;
      uf.x0[ra] = x0;
      uf.x1[ra] = x1;
      uf.y0[ra] = y0;
      uf.y1[ra] = y1;
    }
    std::vector<std::uint32_t> cluster_of_root(nv, kNone);
    for (std::uint32_t v = 0; v < nv; ++v) {
      if (m_vertices[v].edges.empty()) continue;  // joined into a longer segment
      std::uint32_t r = uf.find(v);
      if (cluster_of_root[r] == kNone) {
        cluster_of_root[r] = static_cast<std::uint32_t>(m_clusters.size());
        m_clusters.emplace_back();
      }
      Cluster& c = m_clusters[cluster_of_root[r]];
      c.members.push_back(v);
      c.boundary = c.boundary || m_vertices[v].boundary;
      c.min_osm = std::min(c.min_osm, m_vertices[v].osm);
      m_vertices[v].cluster = cluster_of_root[r];
    }
    for (Cluster& c : m_clusters) {
      Point sum;
      for (std::uint32_t v : c.members) sum = sum + m_vertices[v].p;
      c.centre = sum * (1.0 / static_cast<double>(c.members.size()));
    }
    m_internal.assign(nv, {});
    for (std::uint32_t e = 0; e < m_edges.size(); ++e) {
      const Edge& ed = m_edges[e];
      if (!ed.alive || m_vertices[ed.a].cluster != m_vertices[ed.b].cluster) continue;
      if (ed.fwd > 0) m_internal[ed.a].push_back(ed.b);
      if (ed.bwd > 0) m_internal[ed.b].push_back(ed.a);
      m_report.drop("segment", "way/" + std::to_string(ed.way_a),
                    "inside a joined junction (its movements are the junction's)");
    }
  }

  void make_roads() {
    for (std::uint32_t e = 0; e < m_edges.size(); ++e) {
      const Edge& ed = m_edges[e];
      if (!ed.alive) continue;
      const std::uint32_t ca = m_vertices[ed.a].cluster, cb = m_vertices[ed.b].cluster;
      if (ca == cb) continue;
      m_report.keep("segment");
      for (int dir = 0; dir < 2; ++dir) {
        const int lanes = dir == 0 ? ed.fwd : ed.bwd;
        if (lanes <= 0) continue;
        Road r;
        r.edge = e;
        r.forward = dir == 0;
        r.lanes = lanes;
        r.speed = ed.speed;
        r.lane_width = ed.lane_width;
        r.length = ed.length;
        for (std::int64_t n : ed.nodes) r.shape.push_back(m_xy.at(n));
        if (r.forward) {
          r.from = ca, r.to = cb, r.vfrom = ed.a, r.vto = ed.b;
          r.way_start = ed.way_a, r.way_end = ed.way_b;
        } else {
          std::reverse(r.shape.begin(), r.shape.end());
          r.from = cb, r.to = ca, r.vfrom = ed.b, r.vto = ed.a;
          r.way_start = ed.way_b, r.way_end = ed.way_a;
        }
        r.id = "w";
        r.id.append(std::to_string(r.way_start)).append("_").append(std::to_string(e));
        r.id.push_back(r.forward ? 'f' : 'b');
        const std::uint32_t idx = static_cast<std::uint32_t>(m_roads.size());
        m_clusters[r.from].out.push_back(idx);
        m_clusters[r.to].in.push_back(idx);
        m_roads.push_back(std::move(r));
      }
    }
    if (m_roads.empty()) fail("no drivable road between two junctions in the extract");
    // Dead ends, the extract's boundary and pure sources or sinks are virtual: vehicles enter
    // and leave the network there.
    for (std::uint32_t c = 0; c < m_clusters.size(); ++c) {
      Cluster& cl = m_clusters[c];
      std::unordered_set<std::uint32_t> neighbours;
      for (std::uint32_t r : cl.in) neighbours.insert(m_roads[r].from);
      for (std::uint32_t r : cl.out) neighbours.insert(m_roads[r].to);
      cl.is_virtual = neighbours.size() <= 1 || cl.in.empty() || cl.out.empty();
    }
  }

  // In-road -> out-road pairs through each junction, typed by their angle.
  void make_movements() {
    m_moves.assign(m_clusters.size(), {});
    std::vector<std::uint32_t> seen(m_vertices.size(), kNone);
    std::vector<std::uint32_t> queue;
    std::uint32_t stamp = 0;
    for (std::uint32_t c = 0; c < m_clusters.size(); ++c) {
      const Cluster& cl = m_clusters[c];
      if (cl.is_virtual) continue;
      for (std::uint32_t in : cl.in) {
        const Road& ri = m_roads[in];
        // Vertices of the junction reachable from where the in-road ends.
        ++stamp;
        queue.assign(1, ri.vto);
        seen[ri.vto] = stamp;
        for (std::size_t q = 0; q < queue.size(); ++q) {
          for (std::uint32_t w : m_internal[queue[q]]) {
            if (seen[w] != stamp) {
              seen[w] = stamp;
              queue.push_back(w);
            }
          }
        }
        const Point din = end_direction(ri.shape, ri.length);
        for (std::uint32_t out : cl.out) {
          const Road& ro = m_roads[out];
          if (ro.edge == ri.edge || seen[ro.vfrom] != stamp) continue;
          Movement m;
          m.in = in;
          m.out = out;
          m.angle = signed_angle(din, start_direction(ro.shape, ro.length));
          if (std::abs(m.angle) > 170) continue;  // a U-turn
          m.type = std::abs(m.angle) <= 40 ? 3 : m.angle > 0 ? 2 : 1;
          m_moves[c].push_back(m);
        }
      }
    }
  }

  void apply_restrictions() {
    std::unordered_map<std::int64_t, std::vector<std::uint32_t>> ending, starting;
    for (std::uint32_t r = 0; r < m_roads.size(); ++r) {
      ending[m_roads[r].way_end].push_back(r);
      starting[m_roads[r].way_start].push_back(r);
    }
    for (const RawRestriction& rr : m_raw.restrictions) {
      const std::string id = "relation/" + std::to_string(rr.id);
      auto drop = [&](const std::string& why) { m_report.drop("restriction", id, why); };
      const std::string& v = rr.value;
      const bool no = v.rfind("no_", 0) == 0;
      const bool only = v.rfind("only_", 0) == 0;
      if (!no && !only) {
        drop(v.empty() ? "no restriction tag"
                       : "unknown restriction value (expected no_* or only_*)");
        continue;
      }
      if (rr.except_motorcar) {
        drop("does not apply to cars (except=motorcar)");
        continue;
      }
      if (rr.via_ways > 0) {
        drop("via is a way (only via nodes are supported)");
        continue;
      }
      if (rr.from_ways.size() != 1 || rr.to_ways.size() != 1 || rr.via_nodes.size() != 1) {
        drop("expected one from way, one via node and one to way");
        continue;
      }
      auto vit = m_vertex_of.find(rr.via_nodes[0]);
      if (vit == m_vertex_of.end() || m_vertices[vit->second].cluster == kNone) {
        drop("via node is not a junction of the drivable network");
        continue;
      }
      const std::uint32_t via = vit->second;
      const std::uint32_t c = m_vertices[via].cluster;
      auto pick = [&](const std::unordered_map<std::int64_t, std::vector<std::uint32_t>>& by_way,
                      std::int64_t way, bool in) {
        std::vector<std::uint32_t> at, exact;
        auto it = by_way.find(way);
        if (it == by_way.end()) return at;
        for (std::uint32_t r : it->second) {
          const Road& rd = m_roads[r];
          if ((in ? rd.to : rd.from) != c) continue;
          at.push_back(r);
          if ((in ? rd.vto : rd.vfrom) == via) exact.push_back(r);
        }
        return exact.empty() ? at : exact;
      };
      const std::vector<std::uint32_t> ins = pick(ending, rr.from_ways[0], true);
      const std::vector<std::uint32_t> outs = pick(starting, rr.to_ways[0], false);
      if (ins.empty() || outs.empty()) {
        drop(ins.empty() ? "from way does not reach the via node on the drivable network"
                         : "to way does not leave the via node on the drivable network");
        continue;
      }
      if (m_clusters[c].is_virtual) {
        drop("via node is a dead end or on the extract's boundary");
        continue;
      }
      for (Movement& m : m_moves[c]) {
        if (std::find(ins.begin(), ins.end(), m.in) == ins.end()) continue;
        const bool listed = std::find(outs.begin(), outs.end(), m.out) != outs.end();
        if (no ? listed : !listed) m.alive = false;
      }
      m_report.keep("restriction");
    }
  }

  void keep_largest_component() {
    const std::uint32_t n = static_cast<std::uint32_t>(m_roads.size());
    // Node n is "outside the extract": every road leaving the extract leads to it and it leads
    // to every road entering. At a dead end inside the extract vehicles turn round.
    std::vector<std::vector<std::uint32_t>> next(n + 1);
    for (std::uint32_t c = 0; c < m_clusters.size(); ++c) {
      const Cluster& cl = m_clusters[c];
      for (const Movement& m : m_moves[c]) {
        if (m.alive) next[m.in].push_back(m.out);
      }
      if (!cl.is_virtual) continue;
      if (cl.boundary) {
        for (std::uint32_t in : cl.in) next[in].push_back(n);
        for (std::uint32_t out : cl.out) next[n].push_back(out);
      } else {
        for (std::uint32_t in : cl.in) next[in] = cl.out;
      }
    }
    std::vector<std::uint32_t> comp = strong_components(next);
    comp.pop_back();
    std::vector<std::uint32_t> size;
    for (std::uint32_t r = 0; r < n; ++r) {
      if (comp[r] >= size.size()) size.resize(comp[r] + 1, 0);
      ++size[comp[r]];
    }
    const std::uint32_t best =
        static_cast<std::uint32_t>(std::max_element(size.begin(), size.end()) - size.begin());
    for (std::uint32_t r = 0; r < n; ++r) {
      m_roads[r].kept = comp[r] == best;
      if (m_roads[r].kept) {
        m_report.keep("road");
      } else {
        m_report.drop("road", m_roads[r].id, "not in the largest strongly connected component");
      }
    }
    for (std::uint32_t c = 0; c < m_clusters.size(); ++c) {
      Cluster& cl = m_clusters[c];
      auto gone = [&](std::uint32_t r) { return !m_roads[r].kept; };
      cl.in.erase(std::remove_if(cl.in.begin(), cl.in.end(), gone), cl.in.end());
      cl.out.erase(std::remove_if(cl.out.begin(), cl.out.end(), gone), cl.out.end());
      for (Movement& m : m_moves[c]) {
        if (!m_roads[m.in].kept || !m_roads[m.out].kept) m.alive = false;
      }
      std::erase_if(m_moves[c], [](const Movement& m) { return !m.alive; });
      cl.kept = !cl.in.empty() || !cl.out.empty();
      if (cl.kept) {
        m_report.keep("intersection");
      } else {
        m_report.drop("intersection", "node/" + std::to_string(cl.min_osm),
                      "not in the largest strongly connected component");
      }
    }
  }

  // Approach axes of a junction: in-roads grouped by heading modulo 180 degrees.
  std::vector<std::uint32_t> approach_groups(const Cluster& cl, std::size_t& groups) const {
    std::vector<std::pair<double, std::uint32_t>> axes;
    for (std::size_t i = 0; i < cl.in.size(); ++i) {
      const Road& r = m_roads[cl.in[i]];
      double h = heading_deg(end_direction(r.shape, r.length));
      h = std::fmod(h + 360.0, 180.0);
      axes.push_back({h, static_cast<std::uint32_t>(i)});
    }
    std::sort(axes.begin(), axes.end());
    std::vector<std::uint32_t> group(cl.in.size(), 0);
    groups = 0;
    if (axes.empty()) return group;
    // Start after the widest gap (circularly), then split at gaps over 30 degrees.
    std::size_t start = 0;
    double widest = -1;
    for (std::size_t i = 0; i < axes.size(); ++i) {
      double prev = i == 0 ? axes.back().first - 180.0 : axes[i - 1].first;
      double gap = axes[i].first - prev;
      if (gap > widest) widest = gap, start = i;
    }
    groups = 1;
    for (std::size_t k = 0; k < axes.size(); ++k) {
      std::size_t i = (start + k) % axes.size();
      if (k > 0) {
        std::size_t p = (start + k - 1) % axes.size();
        double gap = axes[i].first - axes[p].first;
        if (gap < 0) gap += 180.0;
        if (gap > 30.0) ++groups;
      }
      group[axes[i].second] = static_cast<std::uint32_t>(groups - 1);
    }
    if (widest <= 30.0) groups = 1;
    return group;
  }

  void attach_signals() {
    // Which junction each signal node belongs to: its own, or the nearest along its segment.
    std::unordered_map<std::int64_t, std::uint32_t> at;
    for (const Edge& e : m_edges) {
      if (!e.alive) continue;
      double from_a = 0;
      std::vector<double> dist(e.nodes.size(), 0);
      for (std::size_t i = 1; i < e.nodes.size(); ++i) {
        from_a += (m_xy.at(e.nodes[i]) - m_xy.at(e.nodes[i - 1])).length();
        dist[i] = from_a;
      }
      for (std::size_t i = 0; i < e.nodes.size(); ++i) {
        if (!m_raw.signals.count(e.nodes[i]) || at.count(e.nodes[i])) continue;
        const double da = dist[i], db = e.length - dist[i];
        const std::uint32_t v = da <= db ? e.a : e.b;
        if (std::min(da, db) <= m_opt.signal_reach) at[e.nodes[i]] = m_vertices[v].cluster;
      }
    }
    std::vector<std::int64_t> signals(m_raw.signals.begin(), m_raw.signals.end());
    std::sort(signals.begin(), signals.end());
    for (std::int64_t s : signals) {
      const std::string id = "node/" + std::to_string(s);
      auto it = at.find(s);
      if (it == at.end()) {
        m_report.drop(
            "signal", id,
            m_xy.count(s) ? "no junction within reach along the road" : "not on a drivable road");
        continue;
      }
      Cluster& cl = m_clusters[it->second];
      if (!cl.kept) {
        m_report.drop("signal", id, "its junction is not in the kept network");
      } else if (cl.is_virtual) {
        m_report.drop("signal", id, "at a dead end or on the extract's boundary");
      } else {
        cl.has_signal = true;
        cl.signal_nodes.push_back(s);
      }
    }
    for (Cluster& cl : m_clusters) {
      if (!cl.has_signal) continue;
      std::size_t groups = 0;
      approach_groups(cl, groups);
      cl.signalised = groups >= 2;
      for (std::int64_t s : cl.signal_nodes) {
        if (cl.signalised) {
          m_report.keep("signal");
        } else {
          m_report.drop("signal", "node/" + std::to_string(s),
                        "junction with one approach axis (a crossing signal), left unsignalised");
        }
      }
      if (cl.signalised) m_report.keep("signalised intersection");
    }
  }

  // Per in-road, movements sorted left to right share the lanes left to right in proportion.
  void assign_lanes() {
    for (std::uint32_t c = 0; c < m_clusters.size(); ++c) {
      auto& moves = m_moves[c];
      std::stable_sort(moves.begin(), moves.end(), [](const Movement& a, const Movement& b) {
        return a.in != b.in ? a.in < b.in : a.angle > b.angle;
      });
      for (std::size_t i = 0; i < moves.size();) {
        std::size_t j = i;
        while (j < moves.size() && moves[j].in == moves[i].in) ++j;
        const std::uint32_t m = static_cast<std::uint32_t>(j - i);
        const std::uint32_t n = static_cast<std::uint32_t>(m_roads[moves[i].in].lanes);
        for (std::uint32_t k = 0; k < m; ++k) {
          moves[i + k].lane_lo = k * n / m;
          moves[i + k].lane_hi = ((k + 1) * n + m - 1) / m - 1;
        }
        i = j;
      }
    }
  }

  // Intersection widths from the junction's size and its roads' widths, capped so every road
  // keeps most of its length; then the written road points, trimmed accordingly.
  void set_widths() {
    std::vector<double> cap(m_clusters.size(), 1e9);
    for (std::uint32_t c = 0; c < m_clusters.size(); ++c) {
      Cluster& cl = m_clusters[c];
      if (cl.is_virtual || !cl.kept) continue;
      double spread = 0, road_width = 0;
      for (std::uint32_t v : cl.members)
        spread = std::max(spread, (m_vertices[v].p - cl.centre).length());
      for (std::uint32_t r : cl.in)
        road_width = std::max(road_width, m_roads[r].lanes * m_roads[r].lane_width);
      for (std::uint32_t r : cl.out)
        road_width = std::max(road_width, m_roads[r].lanes * m_roads[r].lane_width);
      cl.width = spread + std::max(3.0, road_width) + 1.0;
      for (std::uint32_t r : cl.in) cap[c] = std::min(cap[c], 0.3 * m_roads[r].length);
      for (std::uint32_t r : cl.out) cap[c] = std::min(cap[c], 0.3 * m_roads[r].length);
      cl.width = std::min(cl.width, cap[c]);
    }
    for (int pass = 0; pass < 4; ++pass) {
      bool changed = false;
      for (Road& r : m_roads) {
        if (!r.kept) continue;
        Cluster& a = m_clusters[r.from];
        Cluster& b = m_clusters[r.to];
        const double wa = a.is_virtual ? 0 : a.width, wb = b.is_virtual ? 0 : b.width;
        layout(r, wa, wb);
        const std::size_t np = r.points.size();
        const double first = (r.points[1] - r.points[0]).length();
        const double last = (r.points[np - 1] - r.points[np - 2]).length();
        if (np == 2) {
          if (wa + wb + 0.5 > first) {
            const double scale = std::max(0.0, (first - 0.5) / std::max(1e-9, wa + wb));
            if (!a.is_virtual) a.width = std::min(a.width, wa * scale * 0.9);
            if (!b.is_virtual) b.width = std::min(b.width, wb * scale * 0.9);
            changed = true;
          }
        } else {
          if (!a.is_virtual && first < wa + 0.25) {
            a.width = std::max(0.0, (first - 0.25) * 0.9);
            changed = true;
          }
          if (!b.is_virtual && last < wb + 0.25) {
            b.width = std::max(0.0, (last - 0.25) * 0.9);
            changed = true;
          }
        }
      }
      if (!changed) break;
    }
    for (Road& r : m_roads) {
      if (!r.kept) continue;
      const Cluster& a = m_clusters[r.from];
      const Cluster& b = m_clusters[r.to];
      layout(r, a.is_virtual ? 0 : a.width, b.is_virtual ? 0 : b.width);
    }
  }

  void layout(Road& r, double wa, double wb) {
    std::vector<Point> full;
    full.push_back(m_clusters[r.from].centre);
    full.insert(full.end(), r.shape.begin(), r.shape.end());
    full.push_back(m_clusters[r.to].centre);
    const double total = polyline_length(full);
    r.points.clear();
    r.points.push_back(full.front());
    double s = 0;
    for (std::size_t i = 1; i + 1 < full.size(); ++i) {
      s += (full[i] - full[i - 1]).length();
      if (s > wa + 1.0 && total - s > wb + 1.0 && (full[i] - r.points.back()).length() > 0.05) {
        r.points.push_back(full[i]);
      }
    }
    if ((full.back() - r.points.back()).length() <= 0.05 && r.points.size() > 1)
      r.points.pop_back();
    r.points.push_back(full.back());
    if (r.points.size() == 2 && (r.points[1] - r.points[0]).length() <= 0.05) {
      // Two junctions at one spot: go through the middle of the shape.
      r.points.insert(r.points.begin() + 1, point_at(full, total / 2));
    }
  }

  static nlohmann::json point_json(Point p) {
    return {{"x", std::round(p.x * 100) / 100}, {"y", std::round(p.y * 100) / 100}};
  }

  std::string write_roadnet() {
    using nlohmann::json;
    json roads = json::array();
    for (const Road& r : m_roads) {
      if (!r.kept) continue;
      json pts = json::array();
      Point last{1e18, 1e18};
      for (Point p : r.points) {
        Point q{std::round(p.x * 100) / 100, std::round(p.y * 100) / 100};
        if (q == last) continue;
        pts.push_back(point_json(q));
        last = q;
      }
      if (pts.size() < 2) pts.push_back(point_json(last + Point{0.1, 0}));
      json lanes = json::array();
      for (int l = 0; l < r.lanes; ++l) {
        lanes.push_back({{"width", r.lane_width}, {"maxSpeed", std::round(r.speed * 1000) / 1000}});
      }
      roads.push_back({{"id", r.id},
                       {"points", std::move(pts)},
                       {"lanes", std::move(lanes)},
                       {"startIntersection", cluster_id(r.from)},
                       {"endIntersection", cluster_id(r.to)}});
    }
    static const char* kType[] = {"", "turn_right", "turn_left", "go_straight"};
    json inters = json::array();
    for (std::uint32_t c = 0; c < m_clusters.size(); ++c) {
      const Cluster& cl = m_clusters[c];
      if (!cl.kept) continue;
      json road_ids = json::array();
      for (std::uint32_t r : cl.in) road_ids.push_back(m_roads[r].id);
      for (std::uint32_t r : cl.out) road_ids.push_back(m_roads[r].id);
      json links = json::array();
      json indices = json::array();
      json phases = json::array();
      if (!cl.is_virtual) {
        const auto& moves = m_moves[c];
        for (std::size_t k = 0; k < moves.size(); ++k) {
          const Movement& m = moves[k];
          json lane_links = json::array();
          for (std::uint32_t l = m.lane_lo; l <= m.lane_hi; ++l) {
            for (int o = 0; o < m_roads[m.out].lanes; ++o) {
              lane_links.push_back(
                  {{"startLaneIndex", l}, {"endLaneIndex", o}, {"points", json::array()}});
            }
          }
          links.push_back({{"type", kType[m.type]},
                           {"startRoad", m_roads[m.in].id},
                           {"endRoad", m_roads[m.out].id},
                           {"direction", 0},
                           {"laneLinks", std::move(lane_links)}});
          indices.push_back(k);
        }
        phases = phase_plan(c);
      }
      inters.push_back(
          {{"id", cluster_id(c)},
           {"point", point_json(cl.centre)},
           {"width", std::round(cl.width * 100) / 100},
           {"roads", std::move(road_ids)},
           {"roadLinks", std::move(links)},
           {"trafficLight",
            {{"roadLinkIndices", std::move(indices)}, {"lightphases", std::move(phases)}}},
           {"virtual", cl.is_virtual}});
    }
    json net{{"intersections", std::move(inters)}, {"roads", std::move(roads)}};
    return net.dump();
  }

  std::string cluster_id(std::uint32_t c) const {
    return "n" + std::to_string(m_clusters[c].min_osm);
  }

  // Signalised: phase 0 is the clearance (yellow) phase with right turns only; then per approach
  // axis a through phase (straight and right turns, and left turns that share a lane with straight
  // traffic, which yield to oncoming traffic) and, where some approach has a lane for left turns
  // only, a protected left phase. Right turns run in every phase. Unsignalised: one phase with
  // every movement (conflicts are settled by priority).
  nlohmann::json phase_plan(std::uint32_t c) const {
    using nlohmann::json;
    const Cluster& cl = m_clusters[c];
    const auto& moves = m_moves[c];
    json phases = json::array();
    if (!cl.signalised) {
      json all = json::array();
      for (std::size_t k = 0; k < moves.size(); ++k) all.push_back(k);
      phases.push_back({{"time", m_opt.green_through}, {"availableRoadLinks", std::move(all)}});
      return phases;
    }
    std::size_t groups = 0;
    const std::vector<std::uint32_t> group = approach_groups(cl, groups);
    std::unordered_map<std::uint32_t, std::uint32_t> group_of_road;
    for (std::size_t i = 0; i < cl.in.size(); ++i) group_of_road[cl.in[i]] = group[i];
    // A left movement has a lane of its own when no straight movement of its road shares it.
    auto own_lane = [&](std::size_t k) {
      const Movement& m = moves[k];
      for (const Movement& o : moves) {
        if (o.in == m.in && o.type == 3 && o.lane_lo <= m.lane_hi && m.lane_lo <= o.lane_hi)
          return false;
      }
      return true;
    };
    json rights = json::array();
    for (std::size_t k = 0; k < moves.size(); ++k) {
      if (moves[k].type == 1) rights.push_back(k);
    }
    phases.push_back(
        {{"time", m_opt.yellow > 0 ? m_opt.yellow : 1.0}, {"availableRoadLinks", rights}});
    for (std::uint32_t g = 0; g < groups; ++g) {
      json through = rights, left = rights;
      bool has_through = false, has_left = false;
      for (std::size_t k = 0; k < moves.size(); ++k) {
        const Movement& m = moves[k];
        if (group_of_road.at(m.in) != g || m.type == 1) continue;
        if (m.type == 2 && own_lane(k)) {
          left.push_back(k);
          has_left = true;
        } else {
          through.push_back(k);
          has_through = true;
        }
      }
      if (has_through)
        phases.push_back({{"time", m_opt.green_through}, {"availableRoadLinks", through}});
      if (has_left) phases.push_back({{"time", m_opt.green_left}, {"availableRoadLinks", left}});
    }
    return phases;
  }

  TripGraph trip_graph() const {
    TripGraph g;
    std::vector<std::uint32_t> dense(m_roads.size(), kNone);
    for (std::uint32_t r = 0; r < m_roads.size(); ++r) {
      const Road& rd = m_roads[r];
      if (!rd.kept) continue;
      dense[r] = static_cast<std::uint32_t>(g.road_ids.size());
      g.road_ids.push_back(rd.id);
      g.length.push_back(rd.length);
      g.time.push_back(rd.length / rd.speed);
      g.start.push_back(rd.shape.front());
      g.end.push_back(rd.shape.back());
      g.source.push_back(m_clusters[rd.from].is_virtual ? 1 : 0);
      g.sink.push_back(m_clusters[rd.to].is_virtual ? 1 : 0);
      g.lanes.push_back(rd.lanes);
    }
    g.next.assign(g.road_ids.size(), {});
    for (const auto& moves : m_moves) {
      for (const Movement& m : moves) g.next[dense[m.in]].push_back(dense[m.out]);
    }
    return g;
  }
};

}  // namespace

OsmNetwork build_network(const RawData& raw, const OsmOptions& options, const std::string& name,
                         ImportReport& report) {
  return Builder(raw, options, name, report).build();
}

}  // namespace citybrain::import::osm_detail
