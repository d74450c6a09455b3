// The road graph map matching runs on: directed edges with polylines in metres, a compressed
// out-adjacency, and a static uniform-grid index over the edges' segments. Built once from a
// Kubicka .nodes/.arcs pair or a CityFlow network; immutable and shared by every matcher after.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "citybrain/core/geometry.hpp"
#include "citybrain/core/ids.hpp"

namespace citybrain::net {
struct Network;
}

namespace citybrain::sense {

struct GraphNodeTag;
struct GraphEdgeTag;
using NodeId = Id<GraphNodeTag>;
using EdgeId = Id<GraphEdgeTag>;

// Equirectangular projection about a reference point: exact enough (< 0.1 % on distances) over the
// tens of kilometres a city or a Kubicka cut-out spans, and cheap enough to run per probe point.
struct Projection {
  bool geographic = false;  // false: inputs are already planar metres
  double lon0 = 0;
  double lat0 = 0;
  double kx = 1;  // metres per degree of longitude at lat0
  double ky = 1;  // metres per degree of latitude

  static Projection identity() { return {}; }
  static Projection around(double lon0, double lat0);
  Point to_xy(double lon_or_x, double lat_or_y) const {
    if (!geographic) return {lon_or_x, lat_or_y};
    return {(lon_or_x - lon0) * kx, (lat_or_y - lat0) * ky};
  }
};

// A candidate position on an edge: which edge, how far along it and how far from the query point.
struct EdgeHit {
  EdgeId edge;
  float offset = 0;    // metres from the edge's start
  float distance = 0;  // metres from the query point
};

class RoadGraph {
 public:
  struct Builder;

  std::size_t node_count() const { return m_node_xy.size(); }
  std::size_t edge_count() const { return m_edge_from.size(); }
  NodeId from(EdgeId e) const { return NodeId(m_edge_from[e.index()]); }
  NodeId to(EdgeId e) const { return NodeId(m_edge_to[e.index()]); }
  float length(EdgeId e) const { return m_edge_length[e.index()]; }
  std::span<const Point> geometry(EdgeId e) const {
    return {m_geom.data() + m_geom_begin[e.index()],
            m_geom_begin[e.index() + 1] - m_geom_begin[e.index()]};
  }
  std::span<const std::uint32_t> out_edges(NodeId n) const {
    return {m_out_edges.data() + m_out_begin[n.index()],
            m_out_begin[n.index() + 1] - m_out_begin[n.index()]};
  }
  Point node_xy(NodeId n) const { return m_node_xy[n.index()]; }
  const Projection& projection() const { return m_proj; }
  // External name of an edge (CityFlow road id); the dense id as text when the source had none.
  std::string edge_name(EdgeId e) const;
  EdgeId find_edge(const std::string& name) const;

  // The k edges nearest to p within radius (one hit per edge, its nearest point), nearest first.
  // Appends to out (cleared first); never allocates once out has capacity for the hits.
  void nearest_edges(Point p, double radius, std::size_t k, std::vector<EdgeHit>& out) const;
  // Position on edge e at arc length `offset`.
  Point point_on(EdgeId e, double offset) const;
  // Bytes held by the graph and its index (for the precomputation report).
  std::size_t memory_bytes() const;

 private:
  friend struct Builder;
  Projection m_proj;
  std::vector<Point> m_node_xy;
  std::vector<std::uint32_t> m_edge_from, m_edge_to;
  std::vector<float> m_edge_length;
  std::vector<std::uint32_t> m_geom_begin;  // edge_count + 1
  std::vector<Point> m_geom;
  std::vector<float> m_seg_offset;         // arc length at the start of each geometry vertex
  std::vector<std::uint32_t> m_out_begin;  // node_count + 1
  std::vector<std::uint32_t> m_out_edges;
  std::vector<std::string> m_edge_names;  // empty when the source had no names
  // Uniform grid over segments: cell -> [m_cell_begin[c], m_cell_begin[c+1]) in m_cell_segs; a
  // segment is (edge, index of its first vertex in m_geom).
  double m_grid_x0 = 0, m_grid_y0 = 0, m_cell = 1;
  std::uint32_t m_grid_w = 1, m_grid_h = 1;
  std::vector<std::uint32_t> m_cell_begin;
  struct Seg {
    std::uint32_t edge;
    std::uint32_t vertex;
  };
  std::vector<Seg> m_cell_segs;
};

// Assembles a RoadGraph: add nodes and edges (polylines in the input coordinates), then build().
struct RoadGraph::Builder {
  Projection projection;
  std::vector<Point> nodes;  // projected
  struct EdgeIn {
    std::uint32_t from, to;
    std::uint32_t geom_begin, geom_end;  // into geom; empty: the straight from-to segment
  };
  std::vector<EdgeIn> edges;
  std::vector<Point> geom;  // projected
  std::vector<std::string> names;

  explicit Builder(Projection p) : projection(p) {}
  std::uint32_t add_node(double x, double y);
  void add_edge(std::uint32_t from, std::uint32_t to, std::span<const Point> raw_polyline = {},
                std::string name = {});
  // The same with a polyline already in the planar frame.
  void add_edge_xy(std::uint32_t from, std::uint32_t to, std::span<const Point> polyline,
                   std::string name = {});
  // cell_size <= 0 picks one from the network's extent and segment count.
  RoadGraph build(double cell_size = 0) &&;
};

// Kubicka et al. 2015 format: `.nodes` lines `lon<TAB>lat`, `.arcs` lines `from<TAB>to` (0-based),
// plain or gzip-compressed. Arc id = line number = EdgeId. Throws citybrain::Error (file:line).
RoadGraph load_kubicka_graph(const std::string& nodes_file, const std::string& arcs_file);
// The same, stopping before build() so the index construction can be timed on its own.
RoadGraph::Builder read_kubicka_graph(const std::string& nodes_file, const std::string& arcs_file);

// A CityFlow network: one edge per road, its polyline as geometry. With `lonlat` the road points
// are read as x = longitude, y = latitude and projected; otherwise they are metres already. With
// `lane_middle` each road's line is moved to the middle of its lanes (CityFlow lays lanes to the
// right of the road's line), so the two directions of a street are apart, as GPS sees them.
RoadGraph graph_from_network(const net::Network& network, bool lonlat = false,
                             bool lane_middle = true);

}  // namespace citybrain::sense
