#include "citybrain/serve/frame.hpp"

#include <gtest/gtest.h>

#include "serve_fixture.hpp"

namespace citybrain::serve {
namespace {

TEST(Frame, EncodesEveryVehicleRoadAndSignal) {
  test::City c("frame");
  for (int k = 0; k < 50; ++k) c.service.step();
  const sim::Engine& engine = c.service.engine();
  Kpis kpis;
  compute_kpis(engine, kpis);
  ASSERT_GT(kpis.city.vehicles, 0);
  const Bbox bbox = network_bbox(engine.network());
  std::vector<std::uint8_t> phases{1, 2, 0, 4};
  std::string bytes;
  encode_frame(engine, bbox, 7, frame_kpis(kpis.city, 3.0), kpis.roads, phases, bytes);
  const std::size_t n = static_cast<std::size_t>(kpis.city.vehicles);
  EXPECT_EQ(bytes.size(), kFrameHeaderBytes + 4 * n + kpis.roads.size() + phases.size());
  EXPECT_EQ(bytes.substr(0, 4), "CBF1");

  DecodedFrame f;
  ASSERT_TRUE(decode_frame(bytes, f));
  EXPECT_EQ(f.seq, 7u);
  EXPECT_EQ(f.sim_time, 50.0);
  EXPECT_EQ(f.qx.size(), n);
  EXPECT_EQ(f.kpis.values[0], static_cast<float>(kpis.city.vehicles));
  EXPECT_EQ(f.kpis.values[7], 3.0f);
  EXPECT_EQ(f.phases, phases);
  ASSERT_EQ(f.congestion.size(), kpis.roads.size());
  for (std::size_t r = 0; r < kpis.roads.size(); ++r) {
    EXPECT_NEAR(f.congestion[r] / 255.0, kpis.roads[r].congestion, 0.5 / 255 + 1e-6);
  }
  // Every vehicle decodes to a point within a lane's width of a road of the network.
  const net::Network& net = engine.network();
  for (std::size_t i = 0; i < n; ++i) {
    const Point p{bbox.minx + f.qx[i] / 65535.0 * (bbox.maxx - bbox.minx),
                  bbox.miny + f.qy[i] / 65535.0 * (bbox.maxy - bbox.miny)};
    double best = 1e9;
    for (const Point& q : net.points)
      best = std::min(best, std::min(std::fabs(p.x - q.x), std::fabs(p.y - q.y)));
    EXPECT_LT(best, 30.0) << "vehicle " << i << " at " << p.x << "," << p.y;
  }
}

TEST(Frame, DecoderRejectsTruncatedAndForeignBytes) {
  test::City c("frame2");
  for (int k = 0; k < 20; ++k) c.service.step();
  Kpis kpis;
  compute_kpis(c.service.engine(), kpis);
  std::string bytes;
  encode_frame(c.service.engine(), network_bbox(c.service.network()), 1, frame_kpis(kpis.city, 1.0),
               kpis.roads, {}, bytes);
  DecodedFrame f;
  ASSERT_TRUE(decode_frame(bytes, f));
  for (std::size_t cut :
       {std::size_t{0}, std::size_t{3}, kFrameHeaderBytes - 1, kFrameHeaderBytes, bytes.size() - 1})
    EXPECT_FALSE(decode_frame(std::string_view(bytes).substr(0, cut), f)) << cut;
  EXPECT_FALSE(decode_frame(bytes + "x", f));
  std::string foreign = bytes;
  foreign[0] = 'X';
  EXPECT_FALSE(decode_frame(foreign, f));
}

TEST(Frame, BboxCoversTheNetwork) {
  test::City c("bbox");
  const Bbox b = network_bbox(c.service.network());
  for (const auto& inter : c.service.network().intersections) {
    EXPECT_GE(inter.point.x, b.minx);
    EXPECT_LE(inter.point.x, b.maxx);
    EXPECT_GE(inter.point.y, b.miny);
    EXPECT_LE(inter.point.y, b.maxy);
  }
}

}  // namespace
}  // namespace citybrain::serve
