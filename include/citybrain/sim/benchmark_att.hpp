// The average travel time of the signal-control literature (LLMLight / XLight / DiffLight;
// ../shared/data/tsc/PROTOCOL.md 3.1): per signalised intersection, the first time a vehicle is
// seen on one of its entering lanes and the last time it left them, sampled after every step.
// Reproduced with its quirks (first-enter/last-leave on revisits, the empty-previous rule, shadow
// ids counted for emptiness but excluded from the mean) so that figures compare with published
// ones.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "citybrain/sim/engine.hpp"

namespace citybrain::sim {

class BenchmarkAtt {
 public:
  explicit BenchmarkAtt(const Engine& engine);

  // Call after every engine step.
  void observe(const Engine& engine);

  // The mean over vehicles with at least one record; open records close at `end_time`.
  double att(double end_time) const;
  std::size_t vehicles() const;

 private:
  struct Record {
    double enter = 0;
    double leave = -1;  // < 0: not left yet
  };
  Record* record(std::uint32_t trip, std::uint32_t inter);

  std::vector<std::uint32_t> m_lane_inter;  // per lane: signalised intersection it enters, or none
  std::vector<std::uint32_t> m_entering_lanes;
  std::vector<std::uint32_t> m_prev_count, m_cur_count;
  std::vector<std::uint32_t> m_prev_inter, m_cur_inter;  // per trip
  std::vector<std::int64_t> m_cur_stamp;
  std::vector<std::uint32_t> m_prev_members, m_cur_members;
  std::unordered_map<std::uint64_t, Record> m_records;  // (trip << 32 | intersection)
  std::vector<std::uint8_t> m_has_record;               // per trip
  std::int64_t m_stamp = 0;
};

}  // namespace citybrain::sim
