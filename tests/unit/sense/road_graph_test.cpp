// RoadGraph: adjacency, the segment grid against brute force, the Kubicka and CityFlow loaders.
#include "citybrain/sense/road_graph.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>

#include "citybrain/core/error.hpp"
#include "citybrain/net/cityflow_roadnet.hpp"
#include "unit/sense/sense_test_util.hpp"

namespace citybrain::sense {
namespace {

TEST(RoadGraph, GridAdjacencyAndLengths) {
  const RoadGraph g = testing::grid(3, 4, 100);
  EXPECT_EQ(g.node_count(), 12u);
  EXPECT_EQ(g.edge_count(), 2u * (3 * 3 + 2 * 4));
  for (std::size_t e = 0; e < g.edge_count(); ++e) EXPECT_FLOAT_EQ(g.length(EdgeId(e)), 100.f);
  EXPECT_EQ(g.out_edges(NodeId(0u)).size(), 2u);
  EXPECT_EQ(g.out_edges(NodeId(5u)).size(), 4u);
}

TEST(RoadGraph, NearestEdgesMatchesBruteForce) {
  const RoadGraph g = testing::grid(6, 6, 87);
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> u(-50, 500);
  std::vector<EdgeHit> hits;
  for (int i = 0; i < 300; ++i) {
    const Point p{u(rng), u(rng)};
    g.nearest_edges(p, 60, 1000, hits);
    std::vector<std::pair<float, std::uint32_t>> brute;
    for (std::size_t e = 0; e < g.edge_count(); ++e) {
      const auto geom = g.geometry(EdgeId(e));
      const Point a = geom[0], b = geom[1];
      const Point ab = b - a;
      const double t = std::clamp(dot(p - a, ab) / dot(ab, ab), 0.0, 1.0);
      const double d = (p - (a + ab * t)).length();
      if (d <= 60) brute.push_back({static_cast<float>(d), static_cast<std::uint32_t>(e)});
    }
    ASSERT_EQ(hits.size(), brute.size()) << "query " << p.x << "," << p.y;
    std::sort(brute.begin(), brute.end());
    for (std::size_t j = 0; j < hits.size(); ++j)
      EXPECT_NEAR(hits[j].distance, brute[j].first, 1e-3);
    g.nearest_edges(p, 60, 3, hits);
    EXPECT_LE(hits.size(), 3u);
  }
}

TEST(RoadGraph, PolylineOffsets) {
  RoadGraph::Builder b(Projection::identity());
  b.add_node(0, 0);
  b.add_node(100, 100);
  const Point poly[] = {{0, 0}, {100, 0}, {100, 100}};
  b.add_edge(0, 1, poly, "bent");
  const RoadGraph g = std::move(b).build();
  EXPECT_FLOAT_EQ(g.length(EdgeId(0u)), 200.f);
  std::vector<EdgeHit> hits;
  g.nearest_edges({103, 40}, 20, 4, hits);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NEAR(hits[0].offset, 140, 1e-3);
  EXPECT_NEAR(hits[0].distance, 3, 1e-3);
  EXPECT_EQ(g.edge_name(EdgeId(0u)), "bent");
  EXPECT_EQ(g.find_edge("bent"), EdgeId(0u));
  EXPECT_FALSE(g.find_edge("straight").valid());
}

class KubickaFiles : public ::testing::Test {
 protected:
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("cb_kubicka_" + std::to_string(::getpid()));
  void SetUp() override { std::filesystem::create_directories(dir); }
  void TearDown() override { std::filesystem::remove_all(dir); }
  std::string write(const std::string& name, const std::string& text) {
    const auto p = dir / name;
    std::ofstream(p) << text;
    return p.string();
  }
};

TEST_F(KubickaFiles, LoadsAndProjects) {
  const auto nodes = write("a.nodes", "11.0\t48.0\n11.001\t48.0\n11.001\t48.001\n");
  const auto arcs = write("a.arcs", "0\t1\n1\t0\n1\t2\n");
  const RoadGraph g = load_kubicka_graph(nodes, arcs);
  EXPECT_EQ(g.node_count(), 3u);
  EXPECT_EQ(g.edge_count(), 3u);
  // 0.001 degree of longitude at 48 N is about 74.4 m; of latitude about 111.2 m.
  EXPECT_NEAR(g.length(EdgeId(0u)), 74.4, 0.3);
  EXPECT_NEAR(g.length(EdgeId(2u)), 111.2, 0.3);
  EXPECT_EQ(g.to(EdgeId(2u)), NodeId(2u));
}

TEST_F(KubickaFiles, ErrorsNameFileLineAndValue) {
  const auto nodes = write("b.nodes", "11.0\t48.0\n11.001\tnorth\n");
  const auto arcs = write("b.arcs", "0\t1\n");
  try {
    load_kubicka_graph(nodes, arcs);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("b.nodes:2"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("north"), std::string::npos) << e.what();
  }
  const auto good_nodes = write("c.nodes", "11.0\t48.0\n11.001\t48.0\n");
  const auto bad_arcs = write("c.arcs", "0\t1\n1\t7\n");
  try {
    load_kubicka_graph(good_nodes, bad_arcs);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("c.arcs:2"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("'7'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(load_kubicka_graph((dir / "missing.nodes").string(), arcs), Error);
}

TEST(RoadGraph, FromCityFlowNetwork) {
  const net::Network net =
      net::load_cityflow_roadnet(std::string(CITYBRAIN_FIXTURES_DIR) + "/cross_roadnet.json");
  const RoadGraph g = graph_from_network(net);
  EXPECT_EQ(g.edge_count(), net.roads.size());
  EXPECT_EQ(g.node_count(), net.intersections.size());
  for (std::size_t r = 0; r < net.roads.size(); ++r) {
    EXPECT_EQ(g.edge_name(EdgeId(r)), net.roads[r].id);
    EXPECT_EQ(g.from(EdgeId(r)).value, net.roads[r].from.value);
    EXPECT_NEAR(g.length(EdgeId(r)), polyline_length(net.road_points(RoadId(r))), 1e-3);
  }
}

}  // namespace
}  // namespace citybrain::sense
