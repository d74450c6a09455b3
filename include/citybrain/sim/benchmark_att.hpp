// The average travel time of the signal-control literature (LLMLight / XLight / DiffLight;
// ../shared/data/tsc/PROTOCOL.md 3.1): per signalised intersection, the first time a vehicle is
// seen on one of its entering lanes and the last time it left them, sampled after every step.
// Reproduced with its quirks (first-enter/last-leave on revisits, the empty-previous rule, shadow
// ids counted for emptiness but excluded from the mean) so that figures compare with published
// ones.
#pragma once

#include <cstdint>
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
    std::uint32_t trip;
    std::uint32_t inter;
    double enter;
    double leave;  // < 0: not left yet
  };
  std::uint32_t find_record(std::uint32_t trip, std::uint32_t inter) const;  // or none
  std::uint32_t open_record(std::uint32_t trip, std::uint32_t inter, double enter);
  std::size_t slot_of(std::uint32_t trip, std::uint32_t inter, std::uint32_t hash) const;

  std::vector<std::uint32_t> m_lane_inter;  // per lane: signalised intersection it enters, or none
  std::vector<std::uint32_t> m_prev_count, m_cur_count;
  std::vector<std::uint32_t> m_prev_inter, m_cur_inter;  // per trip
  std::vector<std::uint32_t> m_prev_record;  // per trip: its record at m_prev_inter, or none
  std::vector<std::int64_t> m_cur_stamp;
  std::vector<std::uint32_t> m_prev_members, m_cur_members;
  std::vector<Record> m_records;  // in the order they were opened
  // Open addressing over m_records: per slot, the hash of (trip, intersection) and the record's
  // index + 1 (0: a free slot).
  std::vector<std::pair<std::uint32_t, std::uint32_t>> m_table;
  std::vector<std::uint8_t> m_has_record;  // per trip
  std::int64_t m_stamp = 0;
};

}  // namespace citybrain::sim
