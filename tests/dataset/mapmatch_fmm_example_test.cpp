// FMM's own example (../shared/data/mapmatch/fmm-example, cyang-kth/fmm@19ef34e) as a regression
// fixture: the 3 trips on its 17-node grid must give FMM's matched paths (mr.txt, produced with
// `fmm -k 4 -r 0.4 -e 0.5`). The network is read from the shapefile (edges.shp + edges.dbf).
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <unordered_map>

#include "citybrain/sense/evaluation.hpp"
#include "citybrain/sense/matcher.hpp"

namespace citybrain::sense {
namespace {

const std::string kDir = std::string(CITYBRAIN_SHARED_DATA_DIR) + "/mapmatch/fmm-example";

std::string slurp(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

template <typename T>
T le(const std::string& d, std::size_t at) {
  T v;
  std::memcpy(&v, d.data() + at, sizeof v);
  return v;
}

std::int32_t be32(const std::string& d, std::size_t at) {
  const auto* b = reinterpret_cast<const unsigned char*>(d.data() + at);
  return static_cast<std::int32_t>((std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) |
                                   (std::uint32_t{b[2]} << 8) | b[3]);
}

struct FmmNetwork {
  RoadGraph graph;
  std::vector<std::string> fmm_id;  // by EdgeId
};

// Polylines from the .shp, (id, source, target) from the .dbf, in record order.
FmmNetwork load_fmm_edges() {
  const std::string shp = slurp(kDir + "/edges.shp");
  const std::string dbf = slurp(kDir + "/edges.dbf");
  std::vector<std::vector<Point>> lines;
  for (std::size_t at = 100; at + 8 <= shp.size();) {
    const std::size_t len = static_cast<std::size_t>(be32(shp, at + 4)) * 2;
    const std::size_t c = at + 8;
    const auto parts = le<std::int32_t>(shp, c + 36);
    const auto npts = le<std::int32_t>(shp, c + 40);
    const std::size_t pts = c + 44 + 4 * static_cast<std::size_t>(parts);
    std::vector<Point> line;
    for (std::int32_t i = 0; i < npts; ++i) {
      line.push_back({le<double>(shp, pts + 16 * i), le<double>(shp, pts + 16 * i + 8)});
    }
    lines.push_back(std::move(line));
    at = c + len;
  }
  const auto n = le<std::uint32_t>(dbf, 4);
  const auto header = le<std::uint16_t>(dbf, 8);
  const auto record = le<std::uint16_t>(dbf, 10);
  std::map<std::string, std::pair<std::size_t, std::size_t>> fields;  // name -> offset, width
  std::size_t off = 1;
  for (std::size_t f = 32; static_cast<unsigned char>(dbf[f]) != 0x0d; f += 32) {
    const std::string name(dbf.c_str() + f);
    const std::size_t width = static_cast<unsigned char>(dbf[f + 16]);
    fields[name] = {off, width};
    off += width;
  }
  const auto field = [&](std::size_t r, const std::string& name) {
    auto [o, w] = fields.at(name);
    std::string v = dbf.substr(header + r * record + o, w);
    v.erase(v.find_last_not_of(' ') + 1);
    v.erase(0, v.find_first_not_of(' '));
    return v;
  };
  FmmNetwork net{RoadGraph{}, {}};
  RoadGraph::Builder b(Projection::identity());
  std::unordered_map<std::string, std::uint32_t> node;
  const auto node_of = [&](const std::string& id, Point p) {
    auto [it, fresh] = node.try_emplace(id, 0);
    if (fresh) it->second = b.add_node(p.x, p.y);
    return it->second;
  };
  for (std::uint32_t r = 0; r < n && r < lines.size(); ++r) {
    const auto& line = lines[r];
    const std::uint32_t s = node_of(field(r, "source"), line.front());
    const std::uint32_t t = node_of(field(r, "target"), line.back());
    b.add_edge(s, t, line);
    net.fmm_id.push_back(field(r, "id"));
  }
  net.graph = std::move(b).build();
  return net;
}

TEST(MapMatchFmmExample, SamePathsAsFmm) {
  if (!std::filesystem::exists(kDir + "/edges.shp")) GTEST_SKIP() << "no FMM example at " << kDir;
  const FmmNetwork net = load_fmm_edges();
  ASSERT_EQ(net.graph.edge_count(), 30u);
  // gps.csv: id;x;y, one row per point, trips in order.
  std::map<int, std::vector<Point>> trips;
  {
    std::istringstream in(slurp(kDir + "/gps.csv"));
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
      int id = 0;
      double x = 0, y = 0;
      ASSERT_EQ(std::sscanf(line.c_str(), "%d;%lf;%lf", &id, &x, &y), 3) << line;
      trips[id].push_back({x, y});
    }
  }
  std::map<int, std::string> expected;
  {
    std::istringstream in(slurp(kDir + "/mr.txt"));
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
      const auto a = line.find(';'), b = line.find(';', a + 1);
      expected[std::stoi(line.substr(0, a))] = line.substr(a + 1, b - a - 1);
    }
  }
  ASSERT_EQ(trips.size(), 3u);
  // FMM's settings in planar units: radius 0.4, k 4, GPS error 0.5.
  MatchParams p;
  p.radius = 0.4;
  p.k = 4;
  p.sigma = 0.5;
  p.beta = 0.5;
  p.backward_jitter = 0.05;
  p.route_slack = 3;  // FMM's UBODT delta for this example
  for (const auto& [id, pts] : trips) {
    std::vector<double> time(pts.size());
    for (std::size_t i = 0; i < time.size(); ++i) time[i] = static_cast<double>(i);
    const MatchOutput out = match_track(net.graph, p, pts, time);
    std::string cpath;
    for (EdgeId e : route_edges(out)) cpath += (cpath.empty() ? "" : ",") + net.fmm_id[e.index()];
    EXPECT_EQ(cpath, expected[id]) << "trip " << id;
  }
}

}  // namespace
}  // namespace citybrain::sense
