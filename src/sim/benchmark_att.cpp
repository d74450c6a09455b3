#include "citybrain/sim/benchmark_att.hpp"

#include <algorithm>

namespace citybrain::sim {

namespace {
constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
}

BenchmarkAtt::BenchmarkAtt(const Engine& engine) {
  const net::Network& net = engine.network();
  m_lane_inter.assign(net.lanes.size(), kNone);
  for (std::size_t l = 0; l < net.lanes.size(); ++l) {
    const net::Road& road = net.roads[net.lanes[l].road.index()];
    if (!net.intersections[road.to.index()].is_virtual) m_lane_inter[l] = road.to.value;
  }
  m_prev_count.assign(net.intersections.size(), 0);
  m_cur_count.assign(net.intersections.size(), 0);
}

namespace {
std::uint32_t hash_of(std::uint32_t trip, std::uint32_t inter) {
  return static_cast<std::uint32_t>(((std::uint64_t{trip} << 32 | inter) * 0x9E3779B97F4A7C15ull) >>
                                    32);
}
}  // namespace

std::size_t BenchmarkAtt::slot_of(std::uint32_t trip, std::uint32_t inter,
                                  std::uint32_t hash) const {
  const std::size_t mask = m_table.size() - 1;
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    const auto [h, index] = m_table[i];
    if (index == 0) return i;
    if (h == hash && m_records[index - 1].trip == trip && m_records[index - 1].inter == inter)
      return i;
  }
}

std::uint32_t BenchmarkAtt::find_record(std::uint32_t trip, std::uint32_t inter) const {
  if (m_table.empty()) return kNone;
  const std::uint32_t index = m_table[slot_of(trip, inter, hash_of(trip, inter))].second;
  return index == 0 ? kNone : index - 1;
}

std::uint32_t BenchmarkAtt::open_record(std::uint32_t trip, std::uint32_t inter, double enter) {
  if (2 * (m_records.size() + 1) > m_table.size()) {  // at most half full
    std::vector<std::pair<std::uint32_t, std::uint32_t>> old(
        std::max<std::size_t>(1024, 2 * m_table.size()));
    old.swap(m_table);
    const std::size_t mask = m_table.size() - 1;
    for (const auto& entry : old) {
      if (entry.second == 0) continue;
      std::size_t i = entry.first & mask;
      while (m_table[i].second != 0) i = (i + 1) & mask;  // keys are distinct
      m_table[i] = entry;
    }
  }
  const std::uint32_t hash = hash_of(trip, inter);
  const std::size_t slot = slot_of(trip, inter, hash);
  const auto index = static_cast<std::uint32_t>(m_records.size());
  m_records.push_back({trip, inter, enter, -1});
  m_table[slot] = {hash, index + 1};
  m_has_record[trip] = 1;
  return index;
}

void BenchmarkAtt::observe(const Engine& engine) {
  const double ts = engine.time();
  ++m_stamp;
  const std::size_t trips = engine.trip_count();
  if (m_prev_inter.size() < trips) {
    m_prev_inter.resize(trips, kNone);
    m_prev_record.resize(trips, kNone);
    m_cur_inter.resize(trips, kNone);
    m_cur_stamp.resize(trips, 0);
    m_has_record.resize(trips, 0);
  }
  std::fill(m_cur_count.begin(), m_cur_count.end(), 0);
  m_cur_members.clear();
  const std::size_t n_lanes = m_lane_inter.size();
  for (DrivableId lane : engine.occupied_drivables()) {
    if (lane >= n_lanes) break;  // lane links follow the lanes
    const std::uint32_t k = m_lane_inter[lane];
    if (k == kNone) continue;
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
    if (m_prev_record[t] != kNone) m_records[m_prev_record[t]].leave = ts;
  }
  // Arrivals: a first record at k; then the empty-previous rule closes it at once.
  for (std::uint32_t t : m_cur_members) {
    std::uint32_t k = m_cur_inter[t];
    if (engine.trip_is_shadow(t)) continue;
    bool was_here = m_prev_inter[t] == k;
    if (was_here && m_prev_count[k] != 0) continue;
    std::uint32_t r = was_here ? m_prev_record[t] : find_record(t, k);
    if (!was_here && r == kNone) r = open_record(t, k, ts);
    if (m_prev_count[k] == 0 && r != kNone) m_records[r].leave = ts;
    m_prev_record[t] = r;
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
  for (const Record& r : m_records) total[r.trip] += (r.leave >= 0 ? r.leave : end_time) - r.enter;
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
