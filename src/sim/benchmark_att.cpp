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
// A 256-bit filter per trip: the hash's top 2 bits choose a word, two 6-bit fields two bits in it.
constexpr std::size_t kFilterWords = 4;
std::size_t filter_word(std::uint32_t trip, std::uint32_t hash) {
  return trip * kFilterWords + (hash >> 30);
}
std::uint64_t filter_bits(std::uint32_t hash) {
  return std::uint64_t{1} << (hash >> 24 & 63) | std::uint64_t{1} << (hash >> 18 & 63);
}
}  // namespace

std::uint32_t BenchmarkAtt::find_record(std::uint32_t trip, std::uint32_t inter) const {
  const std::uint32_t hash = inter * 0x9E3779B9u;
  const std::uint64_t bits = filter_bits(hash);
  if ((m_inter_filter[filter_word(trip, hash)] & bits) != bits) return kNone;
  for (std::uint32_t r = m_trips[trip].last_record; r != kNone; r = m_records[r].before) {
    if (m_records[r].inter == inter) return r;
  }
  return kNone;
}

std::uint32_t BenchmarkAtt::open_record(std::uint32_t trip, std::uint32_t inter, double enter) {
  const auto index = static_cast<std::uint32_t>(m_records.size());
  m_records.push_back({trip, inter, enter, -1, m_trips[trip].last_record});
  m_trips[trip].last_record = index;
  const std::uint32_t hash = inter * 0x9E3779B9u;
  m_inter_filter[filter_word(trip, hash)] |= filter_bits(hash);
  return index;
}

void BenchmarkAtt::observe(const Engine& engine) {
  const double ts = engine.time();
  if (++m_stamp == 0) {  // wrapped: no trip may look seen by this sample
    for (Trip& trip : m_trips) trip.stamp = 0;
    m_stamp = 1;
  }
  const std::size_t trips = engine.trip_count();
  if (m_trips.size() < trips) {
    m_trips.resize(trips, {kNone, kNone, kNone, 0});
    m_inter_filter.resize(trips * kFilterWords, 0);
  }
  std::fill(m_cur_count.begin(), m_cur_count.end(), 0);
  m_cur_members.clear();
  const std::size_t n_lanes = m_lane_inter.size();
  for (DrivableId lane : engine.occupied_drivables()) {
    if (lane >= n_lanes) break;  // lane links follow the lanes
    const std::uint32_t k = m_lane_inter[lane];
    if (k == kNone) continue;
    for (Slot v : engine.drivable_vehicles(lane)) {
      const std::uint32_t t = engine.vehicle_trip(v);
      Trip& trip = m_trips[t];
      const std::uint32_t prev = trip.prev_inter;
      trip.stamp = m_stamp;
      trip.prev_inter = k;
      m_cur_members.push_back(t);
      ++m_cur_count[k];
      if (prev == k && m_prev_count[k] != 0) continue;  // still there
      // A departure from the intersection of the previous sample.
      if (prev != kNone && prev != k && trip.prev_record != kNone) {
        m_records[trip.prev_record].leave = ts;
      }
      // An arrival: a first record at k; then the empty-previous rule closes it at once.
      if (engine.trip_is_shadow(t)) continue;
      std::uint32_t r = prev == k ? trip.prev_record : find_record(t, k);
      if (prev != k && r == kNone) r = open_record(t, k, ts);
      if (m_prev_count[k] == 0 && r != kNone) m_records[r].leave = ts;
      trip.prev_record = r;
    }
  }
  // Departures of the vehicles no sample lane holds now (on a lane link, or gone).
  for (std::uint32_t t : m_prev_members) {
    Trip& trip = m_trips[t];
    if (trip.stamp == m_stamp) continue;
    if (trip.prev_record != kNone) m_records[trip.prev_record].leave = ts;
    trip.prev_inter = kNone;
  }
  std::swap(m_prev_members, m_cur_members);
  std::swap(m_prev_count, m_cur_count);
}

double BenchmarkAtt::att(double end_time) const {
  std::vector<double> total(m_trips.size(), 0.0);
  for (const Record& r : m_records) total[r.trip] += (r.leave >= 0 ? r.leave : end_time) - r.enter;
  double sum = 0;
  std::size_t n = 0;
  for (std::size_t t = 0; t < total.size(); ++t) {
    if (m_trips[t].last_record == kNone) continue;
    sum += total[t];
    ++n;
  }
  return n == 0 ? 0.0 : sum / static_cast<double>(n);
}

std::size_t BenchmarkAtt::vehicles() const {
  std::size_t n = 0;
  for (const Trip& trip : m_trips) n += trip.last_record != kNone;
  return n;
}

}  // namespace citybrain::sim
