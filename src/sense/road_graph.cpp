// RoadGraph: construction, the segment grid, nearest-edge queries and the two network loaders.
#include "citybrain/sense/road_graph.hpp"

#include <zlib.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <numbers>

#include "citybrain/core/error.hpp"
#include "citybrain/net/network.hpp"

namespace citybrain::sense {

namespace {

constexpr double kEarthRadius = 6371008.8;

struct SegmentProjection {
  double distance;
  double t;  // 0..1 along the segment
};

SegmentProjection project(Point p, Point a, Point b) {
  const Point ab = b - a;
  const double len2 = dot(ab, ab);
  double t = len2 > 0 ? dot(p - a, ab) / len2 : 0.0;
  t = std::clamp(t, 0.0, 1.0);
  const Point q = a + ab * t;
  const Point d = p - q;
  return {std::sqrt(dot(d, d)), t};
}

// Reads a plain or gzip-compressed text file line by line (zlib reads plain files transparently).
class LineReader {
 public:
  explicit LineReader(const std::string& file) : m_file(file) {
    m_gz = gzopen(file.c_str(), "rb");
    if (!m_gz) throw Error(ErrorCode::kIo, file, "cannot open the file");
    gzbuffer(m_gz, 1 << 17);
  }
  ~LineReader() { gzclose(m_gz); }
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  bool next(std::string_view& line) {
    if (!gzgets(m_gz, m_buf, sizeof m_buf)) return false;
    ++m_line;
    std::size_t n = std::strlen(m_buf);
    while (n > 0 && (m_buf[n - 1] == '\n' || m_buf[n - 1] == '\r')) --n;
    line = {m_buf, n};
    return true;
  }
  std::string where() const { return m_file + ":" + std::to_string(m_line); }

 private:
  std::string m_file;
  gzFile m_gz = nullptr;
  std::size_t m_line = 0;
  char m_buf[512];
};

template <typename T>
T parse_field(std::string_view& rest, const LineReader& r, const char* field,
              const char* expected) {
  std::size_t i = 0;
  while (i < rest.size() && (rest[i] == ' ' || rest[i] == '\t')) ++i;
  rest.remove_prefix(i);
  T value{};
  auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
  if (ec != std::errc() || (ptr != rest.data() + rest.size() && *ptr != '\t' && *ptr != ' ')) {
    std::size_t end = rest.find_first_of("\t ");
    throw Error(ErrorCode::kInvalidInput, r.where(),
                std::string(field) + ": value '" + std::string(rest.substr(0, end)) +
                    "', expected " + expected);
  }
  rest.remove_prefix(static_cast<std::size_t>(ptr - rest.data()));
  return value;
}

}  // namespace

Projection Projection::around(double lon0, double lat0) {
  Projection p;
  p.geographic = true;
  p.lon0 = lon0;
  p.lat0 = lat0;
  p.ky = kEarthRadius * std::numbers::pi / 180.0;
  p.kx = p.ky * std::cos(lat0 * std::numbers::pi / 180.0);
  return p;
}

std::string RoadGraph::edge_name(EdgeId e) const {
  if (!m_edge_names.empty()) return m_edge_names[e.index()];
  return std::to_string(e.value);
}

EdgeId RoadGraph::find_edge(const std::string& name) const {
  if (m_edge_names.empty()) {
    std::uint32_t v = 0;
    auto [ptr, ec] = std::from_chars(name.data(), name.data() + name.size(), v);
    if (ec != std::errc() || ptr != name.data() + name.size() || v >= edge_count()) return {};
    return EdgeId(v);
  }
  auto it = std::find(m_edge_names.begin(), m_edge_names.end(), name);
  if (it == m_edge_names.end()) return {};
  return EdgeId(static_cast<std::size_t>(it - m_edge_names.begin()));
}

Point RoadGraph::point_on(EdgeId e, double offset) const {
  return citybrain::point_at(geometry(e), offset);
}

std::size_t RoadGraph::memory_bytes() const {
  std::size_t b = 0;
  b += m_node_xy.capacity() * sizeof(Point);
  b += (m_edge_from.capacity() + m_edge_to.capacity() + m_geom_begin.capacity() +
        m_out_begin.capacity() + m_out_edges.capacity() + m_cell_begin.capacity()) *
       sizeof(std::uint32_t);
  b += m_edge_length.capacity() * sizeof(float) + m_seg_offset.capacity() * sizeof(float);
  b += m_geom.capacity() * sizeof(Point);
  b += m_cell_segs.capacity() * sizeof(Seg);
  for (const auto& n : m_edge_names) b += sizeof(std::string) + n.capacity();
  return b;
}

void RoadGraph::nearest_edges(Point p, double radius, std::size_t k,
                              std::vector<EdgeHit>& out) const {
  out.clear();
  const auto cell_of = [&](double v, double v0, std::uint32_t n) {
    double c = std::floor((v - v0) / m_cell);
    return static_cast<std::int64_t>(std::clamp(c, -1.0, static_cast<double>(n)));
  };
  const std::int64_t cx0 = std::max<std::int64_t>(0, cell_of(p.x - radius, m_grid_x0, m_grid_w));
  const std::int64_t cx1 =
      std::min<std::int64_t>(m_grid_w - 1, cell_of(p.x + radius, m_grid_x0, m_grid_w));
  const std::int64_t cy0 = std::max<std::int64_t>(0, cell_of(p.y - radius, m_grid_y0, m_grid_h));
  const std::int64_t cy1 =
      std::min<std::int64_t>(m_grid_h - 1, cell_of(p.y + radius, m_grid_y0, m_grid_h));
  for (std::int64_t cy = cy0; cy <= cy1; ++cy) {
    for (std::int64_t cx = cx0; cx <= cx1; ++cx) {
      const std::size_t c = static_cast<std::size_t>(cy) * m_grid_w + static_cast<std::size_t>(cx);
      for (std::uint32_t i = m_cell_begin[c]; i < m_cell_begin[c + 1]; ++i) {
        const Seg s = m_cell_segs[i];
        const Point a = m_geom[s.vertex];
        const Point b = m_geom[s.vertex + 1];
        const SegmentProjection sp = project(p, a, b);
        if (sp.distance > radius) continue;
        const double seg_len = m_seg_offset[s.vertex + 1] - m_seg_offset[s.vertex];
        const float offset = static_cast<float>(m_seg_offset[s.vertex] + sp.t * seg_len);
        const float dist = static_cast<float>(sp.distance);
        // One hit per edge (its nearest segment): a segment spans several cells and an edge
        // several segments, so dedupe here; the hit lists are short.
        bool merged = false;
        for (EdgeHit& h : out) {
          if (h.edge.value == s.edge) {
            if (dist < h.distance) {
              h.distance = dist;
              h.offset = offset;
            }
            merged = true;
            break;
          }
        }
        if (!merged) out.push_back({EdgeId(s.edge), offset, dist});
      }
    }
  }
  const auto closer = [](const EdgeHit& a, const EdgeHit& b) {
    return a.distance != b.distance ? a.distance < b.distance : a.edge < b.edge;
  };
  if (out.size() > k) {
    std::partial_sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(k), out.end(), closer);
    out.resize(k);
  } else {
    std::sort(out.begin(), out.end(), closer);
  }
}

std::uint32_t RoadGraph::Builder::add_node(double x, double y) {
  nodes.push_back(projection.to_xy(x, y));
  return static_cast<std::uint32_t>(nodes.size() - 1);
}

void RoadGraph::Builder::add_edge(std::uint32_t from, std::uint32_t to,
                                  std::span<const Point> raw_polyline, std::string name) {
  EdgeIn e{from, to, static_cast<std::uint32_t>(geom.size()), 0};
  for (const Point& q : raw_polyline) geom.push_back(projection.to_xy(q.x, q.y));
  e.geom_end = static_cast<std::uint32_t>(geom.size());
  edges.push_back(e);
  if (!name.empty() || !names.empty()) {
    names.resize(edges.size() - 1);
    names.push_back(std::move(name));
  }
}

void RoadGraph::Builder::add_edge_xy(std::uint32_t from, std::uint32_t to,
                                     std::span<const Point> polyline, std::string name) {
  EdgeIn e{from, to, static_cast<std::uint32_t>(geom.size()), 0};
  geom.insert(geom.end(), polyline.begin(), polyline.end());
  e.geom_end = static_cast<std::uint32_t>(geom.size());
  edges.push_back(e);
  if (!name.empty() || !names.empty()) {
    names.resize(edges.size() - 1);
    names.push_back(std::move(name));
  }
}

RoadGraph RoadGraph::Builder::build(double cell_size) && {
  RoadGraph g;
  g.m_proj = projection;
  g.m_node_xy = std::move(nodes);
  const std::size_t n_nodes = g.m_node_xy.size();
  const std::size_t n_edges = edges.size();
  g.m_edge_from.resize(n_edges);
  g.m_edge_to.resize(n_edges);
  g.m_edge_length.resize(n_edges);
  g.m_geom_begin.resize(n_edges + 1);
  g.m_geom.reserve(n_edges * 2 + geom.size());
  for (std::size_t i = 0; i < n_edges; ++i) {
    const EdgeIn& e = edges[i];
    if (e.from >= n_nodes || e.to >= n_nodes) {
      throw Error(ErrorCode::kInvalidInput, "edge " + std::to_string(i),
                  "node " + std::to_string(std::max(e.from, e.to)) +
                      " does not exist (expected 0.." +
                      std::to_string(n_nodes == 0 ? 0 : n_nodes - 1) + ")");
    }
    g.m_edge_from[i] = e.from;
    g.m_edge_to[i] = e.to;
    g.m_geom_begin[i] = static_cast<std::uint32_t>(g.m_geom.size());
    if (e.geom_end - e.geom_begin >= 2) {
      g.m_geom.insert(g.m_geom.end(), geom.begin() + e.geom_begin, geom.begin() + e.geom_end);
    } else {
      g.m_geom.push_back(g.m_node_xy[e.from]);
      g.m_geom.push_back(g.m_node_xy[e.to]);
    }
  }
  g.m_geom_begin[n_edges] = static_cast<std::uint32_t>(g.m_geom.size());
  g.m_seg_offset.resize(g.m_geom.size());
  double min_x = std::numeric_limits<double>::max(), min_y = min_x;
  double max_x = std::numeric_limits<double>::lowest(), max_y = max_x;
  std::size_t n_segs = 0;
  for (std::size_t i = 0; i < n_edges; ++i) {
    double acc = 0;
    for (std::uint32_t v = g.m_geom_begin[i]; v < g.m_geom_begin[i + 1]; ++v) {
      if (v > g.m_geom_begin[i]) acc += (g.m_geom[v] - g.m_geom[v - 1]).length();
      g.m_seg_offset[v] = static_cast<float>(acc);
      min_x = std::min(min_x, g.m_geom[v].x);
      min_y = std::min(min_y, g.m_geom[v].y);
      max_x = std::max(max_x, g.m_geom[v].x);
      max_y = std::max(max_y, g.m_geom[v].y);
    }
    g.m_edge_length[i] = static_cast<float>(acc);
    n_segs += g.m_geom_begin[i + 1] - g.m_geom_begin[i] - 1;
  }
  // Out-adjacency (counting sort by from-node; stable, so edges keep id order).
  g.m_out_begin.assign(n_nodes + 1, 0);
  for (std::size_t i = 0; i < n_edges; ++i) ++g.m_out_begin[g.m_edge_from[i] + 1];
  for (std::size_t n = 0; n < n_nodes; ++n) g.m_out_begin[n + 1] += g.m_out_begin[n];
  g.m_out_edges.resize(n_edges);
  {
    std::vector<std::uint32_t> fill(g.m_out_begin.begin(), g.m_out_begin.end() - 1);
    for (std::size_t i = 0; i < n_edges; ++i) {
      g.m_out_edges[fill[g.m_edge_from[i]]++] = static_cast<std::uint32_t>(i);
    }
  }
  if (!names.empty()) names.resize(n_edges);
  g.m_edge_names = std::move(names);

  // Segment grid. Cells of ~the mean segment length (at least 25 m) keep a query at a handful of
  // cells and a cell at a handful of segments; the cell count is capped to bound memory.
  if (n_segs == 0) {
    min_x = min_y = 0;
    max_x = max_y = 1;
  }
  const double w = std::max(1.0, max_x - min_x), h = std::max(1.0, max_y - min_y);
  double cell = cell_size;
  if (cell <= 0) {
    cell = std::max(50.0, std::sqrt(w * h / static_cast<double>(std::max<std::size_t>(1, n_segs))));
  }
  while ((w / cell + 1) * (h / cell + 1) > 16e6) cell *= 1.5;
  g.m_cell = cell;
  g.m_grid_x0 = min_x;
  g.m_grid_y0 = min_y;
  g.m_grid_w = static_cast<std::uint32_t>(w / cell) + 1;
  g.m_grid_h = static_cast<std::uint32_t>(h / cell) + 1;
  const std::size_t n_cells = static_cast<std::size_t>(g.m_grid_w) * g.m_grid_h;
  g.m_cell_begin.assign(n_cells + 1, 0);
  const auto for_cells = [&](Point a, Point b, auto&& fn) {
    const auto cx = [&](double x) {
      return std::min<std::uint32_t>(g.m_grid_w - 1,
                                     static_cast<std::uint32_t>(std::max(0.0, (x - min_x) / cell)));
    };
    const auto cy = [&](double y) {
      return std::min<std::uint32_t>(g.m_grid_h - 1,
                                     static_cast<std::uint32_t>(std::max(0.0, (y - min_y) / cell)));
    };
    const std::uint32_t x0 = cx(std::min(a.x, b.x)), x1 = cx(std::max(a.x, b.x));
    const std::uint32_t y0 = cy(std::min(a.y, b.y)), y1 = cy(std::max(a.y, b.y));
    for (std::uint32_t y = y0; y <= y1; ++y) {
      for (std::uint32_t x = x0; x <= x1; ++x) fn(static_cast<std::size_t>(y) * g.m_grid_w + x);
    }
  };
  for (std::size_t i = 0; i < n_edges; ++i) {
    for (std::uint32_t v = g.m_geom_begin[i]; v + 1 < g.m_geom_begin[i + 1]; ++v) {
      for_cells(g.m_geom[v], g.m_geom[v + 1], [&](std::size_t c) { ++g.m_cell_begin[c + 1]; });
    }
  }
  for (std::size_t c = 0; c < n_cells; ++c) g.m_cell_begin[c + 1] += g.m_cell_begin[c];
  g.m_cell_segs.resize(g.m_cell_begin[n_cells]);
  {
    std::vector<std::uint32_t> fill(g.m_cell_begin.begin(), g.m_cell_begin.end() - 1);
    for (std::size_t i = 0; i < n_edges; ++i) {
      for (std::uint32_t v = g.m_geom_begin[i]; v + 1 < g.m_geom_begin[i + 1]; ++v) {
        for_cells(g.m_geom[v], g.m_geom[v + 1], [&](std::size_t c) {
          g.m_cell_segs[fill[c]++] = {static_cast<std::uint32_t>(i), v};
        });
      }
    }
  }
  return g;
}

RoadGraph load_kubicka_graph(const std::string& nodes_file, const std::string& arcs_file) {
  return read_kubicka_graph(nodes_file, arcs_file).build();
}

RoadGraph::Builder read_kubicka_graph(const std::string& nodes_file, const std::string& arcs_file) {
  std::vector<Point> lonlat;
  {
    LineReader r(nodes_file);
    std::string_view line;
    while (r.next(line)) {
      if (line.empty()) continue;
      const double lon = parse_field<double>(line, r, "lon", "a longitude in degrees");
      const double lat = parse_field<double>(line, r, "lat", "a latitude in degrees");
      if (!(lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90)) {
        throw Error(ErrorCode::kInvalidInput, r.where(),
                    "lon/lat: value '" + std::to_string(lon) + " " + std::to_string(lat) +
                        "', expected -180..180 and -90..90");
      }
      lonlat.push_back({lon, lat});
    }
  }
  double lon_min = 180, lon_max = -180, lat_min = 90, lat_max = -90;
  for (const Point& q : lonlat) {
    lon_min = std::min(lon_min, q.x);
    lon_max = std::max(lon_max, q.x);
    lat_min = std::min(lat_min, q.y);
    lat_max = std::max(lat_max, q.y);
  }
  RoadGraph::Builder b(lonlat.empty()
                           ? Projection::around(0, 0)
                           : Projection::around((lon_min + lon_max) / 2, (lat_min + lat_max) / 2));
  b.nodes.reserve(lonlat.size());
  for (const Point& q : lonlat) b.add_node(q.x, q.y);
  {
    LineReader r(arcs_file);
    std::string_view line;
    while (r.next(line)) {
      if (line.empty()) continue;
      const auto from = parse_field<std::uint32_t>(line, r, "from", "a node index");
      const auto to = parse_field<std::uint32_t>(line, r, "to", "a node index");
      if (from >= lonlat.size() || to >= lonlat.size()) {
        throw Error(ErrorCode::kInvalidInput, r.where(),
                    "node: value '" + std::to_string(std::max(from, to)) + "', expected 0.." +
                        std::to_string(lonlat.empty() ? 0 : lonlat.size() - 1));
      }
      b.add_edge(from, to);
    }
  }
  return b;
}

RoadGraph graph_from_network(const net::Network& network, bool lonlat, bool lane_middle) {
  Projection proj = Projection::identity();
  if (lonlat && !network.points.empty()) {
    double x0 = network.points[0].x, x1 = x0, y0 = network.points[0].y, y1 = y0;
    for (const Point& q : network.points) {
      x0 = std::min(x0, q.x);
      x1 = std::max(x1, q.x);
      y0 = std::min(y0, q.y);
      y1 = std::max(y1, q.y);
    }
    proj = Projection::around((x0 + x1) / 2, (y0 + y1) / 2);
  }
  RoadGraph::Builder b(proj);
  for (const auto& in : network.intersections) b.add_node(in.point.x, in.point.y);
  std::vector<Point> line;
  for (std::size_t r = 0; r < network.roads.size(); ++r) {
    const auto& road = network.roads[r];
    line.clear();
    for (const Point& q : network.road_points(RoadId(r))) line.push_back(proj.to_xy(q.x, q.y));
    double half = 0;
    for (std::uint32_t l = 0; l < road.lane_count; ++l) {
      half += network.lanes[road.first_lane.index() + l].width / 2;
    }
    if (lane_middle && half > 0 && line.size() >= 2) {
      // Shift each vertex along the mean right-hand normal of its segments.
      std::vector<Point> moved(line.size());
      for (std::size_t i = 0; i < line.size(); ++i) {
        Point n{0, 0};
        if (i > 0) {
          const Point d = line[i] - line[i - 1];
          if (d.length() > 0) n = n + Point{d.y, -d.x} * (1 / d.length());
        }
        if (i + 1 < line.size()) {
          const Point d = line[i + 1] - line[i];
          if (d.length() > 0) n = n + Point{d.y, -d.x} * (1 / d.length());
        }
        moved[i] = n.length() > 0 ? line[i] + n * (half / n.length()) : line[i];
      }
      line.swap(moved);
    }
    b.add_edge_xy(road.from.value, road.to.value, line, road.id);
  }
  return std::move(b).build();
}

}  // namespace citybrain::sense
