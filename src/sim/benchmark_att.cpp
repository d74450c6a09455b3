#include "citybrain/sim/benchmark_att.hpp"

namespace citybrain::sim {

namespace {
constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
}

BenchmarkAtt::BenchmarkAtt(const Engine& engine) {
  const net::Network& net = engine.network();
  m_lane_inter.assign(net.lanes.size(), kNone);
  for (std::size_t l = 0; l < net.lanes.size(); ++l) {
    const net::Road& road = net.roads[net.lanes[l].road.index()];
    if (!net.intersections[road.to.index()].is_virtual) {
      m_lane_inter[l] = road.to.value;
      m_entering_lanes.push_back(static_cast<std::uint32_t>(l));
    }
  }
  m_prev_count.assign(net.intersections.size(), 0);
  m_cur_count.assign(net.intersections.size(), 0);
}

BenchmarkAtt::Record* BenchmarkAtt::record(std::uint32_t trip, std::uint32_t inter) {
  auto it = m_records.find((std::uint64_t{trip} << 32) | inter);
  return it == m_records.end() ? nullptr : &it->second;
}

void BenchmarkAtt::observe(const Engine& engine) {
  const double ts = engine.time();
  ++m_stamp;
  const std::size_t trips = engine.trip_count();
  if (m_prev_inter.size() < trips) {
    m_prev_inter.resize(trips, kNone);
    m_cur_inter.resize(trips, kNone);
    m_cur_stamp.resize(trips, 0);
    m_has_record.resize(trips, 0);
  }
  std::fill(m_cur_count.begin(), m_cur_count.end(), 0);
  m_cur_members.clear();
  for (std::uint32_t lane : m_entering_lanes) {
    std::uint32_t k = m_lane_inter[lane];
    for (Slot v : engine.drivable_vehicles(lane)) {
      std::uint32_t t = engine.vehicle_trip(v);
      m_cur_inter[t] = k;
      m_cur_stamp[t] = m_stamp;
      m_cur_members.push_back(t);
      ++m_cur_count[k];
    }
  }
  // Departures: in the previous sample at k, now elsewhere or gone.
  for (std::uint32_t t : m_prev_members) {
    std::uint32_t k = m_prev_inter[t];
    if (m_cur_stamp[t] == m_stamp && m_cur_inter[t] == k) continue;
    if (Record* r = record(t, k)) r->leave = ts;
  }
  // Arrivals: a first record at k; then the empty-previous rule closes it at once.
  for (std::uint32_t t : m_cur_members) {
    std::uint32_t k = m_cur_inter[t];
    if (engine.trip_is_shadow(t)) continue;
    bool was_here = m_prev_inter[t] == k;
    if (was_here && m_prev_count[k] != 0) continue;
    Record* r = record(t, k);
    if (!was_here && r == nullptr) {
      r = &m_records[(std::uint64_t{t} << 32) | k];
      r->enter = ts;
      m_has_record[t] = 1;
    }
    if (m_prev_count[k] == 0 && r != nullptr) r->leave = ts;
  }
  for (std::uint32_t t : m_prev_members) {
    if (m_cur_stamp[t] != m_stamp) m_prev_inter[t] = kNone;
  }
  for (std::uint32_t t : m_cur_members) m_prev_inter[t] = m_cur_inter[t];
  std::swap(m_prev_members, m_cur_members);
  std::swap(m_prev_count, m_cur_count);
}

double BenchmarkAtt::att(double end_time) const {
  std::vector<double> total(m_has_record.size(), 0.0);
  for (const auto& [key, r] : m_records) {
    std::uint32_t trip = static_cast<std::uint32_t>(key >> 32);
    total[trip] += (r.leave >= 0 ? r.leave : end_time) - r.enter;
  }
  double sum = 0;
  std::size_t n = 0;
  for (std::size_t t = 0; t < total.size(); ++t) {
    if (!m_has_record[t]) continue;
    sum += total[t];
    ++n;
  }
  return n == 0 ? 0.0 : sum / static_cast<double>(n);
}

std::size_t BenchmarkAtt::vehicles() const {
  std::size_t n = 0;
  for (auto h : m_has_record) n += h;
  return n;
}

}  // namespace citybrain::sim
