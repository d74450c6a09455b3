#include "citybrain/serve/frame.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

namespace citybrain::serve {

static_assert(std::endian::native == std::endian::little,
              "the stream frame is written in the machine's byte order, little-endian");

namespace {
template <typename T>
void put(std::string& out, T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out.append(bytes, sizeof(T));
}
template <typename T>
T get(std::string_view bytes, std::size_t& at) {
  T value;
  std::memcpy(&value, bytes.data() + at, sizeof(T));
  at += sizeof(T);
  return value;
}
std::uint16_t quantise(double v, double lo, double hi) {
  const double q = std::round((v - lo) / (hi - lo) * 65535.0);
  return static_cast<std::uint16_t>(std::clamp(q, 0.0, 65535.0));
}
}  // namespace

Bbox network_bbox(const net::Network& net) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  Bbox b{inf, inf, -inf, -inf};
  auto add = [&](Point p) {
    b.minx = std::min(b.minx, p.x);
    b.miny = std::min(b.miny, p.y);
    b.maxx = std::max(b.maxx, p.x);
    b.maxy = std::max(b.maxy, p.y);
  };
  for (const auto& inter : net.intersections) add(inter.point);
  for (Point p : net.points) add(p);
  if (!(b.minx <= b.maxx)) b = {0, 0, 1, 1};
  // A degenerate extent would divide by zero when quantising.
  if (b.maxx - b.minx < 1) b.maxx = b.minx + 1;
  if (b.maxy - b.miny < 1) b.maxy = b.miny + 1;
  return b;
}

FrameKpis frame_kpis(const CityKpi& c, double speed) {
  FrameKpis k;
  const double v[8] = {c.vehicles,         c.att,   c.throughput,
                       c.mean_speed,       c.delay, c.travel_time_index,
                       c.congestion_index, speed};
  for (int i = 0; i < 8; ++i) k.values[i] = static_cast<float>(v[i]);
  return k;
}

void encode_frame(const sim::Engine& engine, const Bbox& bbox, std::uint32_t seq,
                  const FrameKpis& kpis, const std::vector<RoadKpi>& roads,
                  const std::vector<std::uint8_t>& signal_phases, std::string& out) {
  const net::Network& net = engine.network();
  const std::size_t lanes = net.lanes.size();
  const std::size_t drivables = lanes + net.lanelinks.size();
  std::uint32_t n = 0;
  for (sim::DrivableId d = 0; d < drivables; ++d) {
    for (sim::Slot v : engine.drivable_vehicles(d)) n += !engine.vehicle_is_shadow(v);
  }
  out.clear();
  out.reserve(kFrameHeaderBytes + 4 * std::size_t{n} + roads.size() + signal_phases.size());
  put<std::uint32_t>(out, kFrameMagic);
  put<std::uint32_t>(out, seq);
  put<double>(out, engine.time());
  put<std::uint32_t>(out, n);
  put<std::uint32_t>(out, static_cast<std::uint32_t>(roads.size()));
  put<std::uint32_t>(out, static_cast<std::uint32_t>(signal_phases.size()));
  for (float f : kpis.values) put<float>(out, f);
  for (sim::DrivableId d = 0; d < drivables; ++d) {
    const auto& list = engine.drivable_vehicles(d);
    if (list.empty()) continue;
    auto points = d < lanes
                      ? net.lane_points(LaneId(d))
                      : net.lanelink_points(LaneLinkId(d - static_cast<std::uint32_t>(lanes)));
    for (sim::Slot v : list) {
      if (engine.vehicle_is_shadow(v)) continue;
      const Point p = point_at(points, engine.vehicle_distance(v));
      put<std::uint16_t>(out, quantise(p.x, bbox.minx, bbox.maxx));
      put<std::uint16_t>(out, quantise(p.y, bbox.miny, bbox.maxy));
    }
  }
  for (const RoadKpi& r : roads) {
    const double c = std::round(std::clamp(static_cast<double>(r.congestion), 0.0, 1.0) * 255.0);
    out.push_back(static_cast<char>(static_cast<std::uint8_t>(c)));
  }
  for (std::uint8_t p : signal_phases) out.push_back(static_cast<char>(p));
}

bool decode_frame(std::string_view bytes, DecodedFrame& out) {
  if (bytes.size() < kFrameHeaderBytes) return false;
  std::size_t at = 0;
  if (get<std::uint32_t>(bytes, at) != kFrameMagic) return false;
  out.seq = get<std::uint32_t>(bytes, at);
  out.sim_time = get<double>(bytes, at);
  const std::uint64_t n = get<std::uint32_t>(bytes, at);
  const std::uint64_t roads = get<std::uint32_t>(bytes, at);
  const std::uint64_t signals = get<std::uint32_t>(bytes, at);
  for (float& f : out.kpis.values) f = get<float>(bytes, at);
  if (bytes.size() != kFrameHeaderBytes + 4 * n + roads + signals) return false;
  out.qx.resize(n);
  out.qy.resize(n);
  for (std::uint64_t i = 0; i < n; ++i) {
    out.qx[i] = get<std::uint16_t>(bytes, at);
    out.qy[i] = get<std::uint16_t>(bytes, at);
  }
  out.congestion.assign(bytes.begin() + static_cast<std::ptrdiff_t>(at),
                        bytes.begin() + static_cast<std::ptrdiff_t>(at + roads));
  at += roads;
  out.phases.assign(bytes.begin() + static_cast<std::ptrdiff_t>(at), bytes.end());
  return true;
}

}  // namespace citybrain::serve
