// The binary stream frame of WebSocket /api/stream (docs/api.md): little-endian header, KPIs,
// quantised vehicle positions, per-road congestion and per-signal phase. The decoder is for tests
// and the load benchmark; it rejects any frame whose sizes do not add up.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "citybrain/serve/kpi.hpp"
#include "citybrain/sim/engine.hpp"

namespace citybrain::serve {

inline constexpr std::uint32_t kFrameMagic = 0x31464243;  // "CBF1"
inline constexpr std::size_t kFrameHeaderBytes = 4 + 4 + 8 + 4 + 4 + 4 + 8 * 4;
inline constexpr std::uint8_t kUnknownPhase = 255;

struct Bbox {
  double minx = 0, miny = 0, maxx = 1, maxy = 1;
};
// The network's extent (intersections and road points), never empty.
Bbox network_bbox(const net::Network& net);

struct FrameKpis {
  float values[8] = {};  // vehicles, att, throughput, mean_speed, delay, tti, congestion, speed
};
FrameKpis frame_kpis(const CityKpi& city, double speed);

// Appends the frame to out (cleared first). signal_phases: per signal index, the light phase.
void encode_frame(const sim::Engine& engine, const Bbox& bbox, std::uint32_t seq,
                  const FrameKpis& kpis, const std::vector<RoadKpi>& roads,
                  const std::vector<std::uint8_t>& signal_phases, std::string& out);

struct DecodedFrame {
  std::uint32_t seq = 0;
  double sim_time = 0;
  FrameKpis kpis;
  std::vector<std::uint16_t> qx, qy;
  std::vector<std::uint8_t> congestion;
  std::vector<std::uint8_t> phases;
};
// False when the bytes are not one whole frame.
bool decode_frame(std::string_view bytes, DecodedFrame& out);

}  // namespace citybrain::serve
