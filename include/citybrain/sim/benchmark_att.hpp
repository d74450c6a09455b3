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
    double leave;          // < 0: not left yet
    std::uint32_t before;  // the trip's record opened before this one, or none
  };
  std::uint32_t find_record(std::uint32_t trip, std::uint32_t inter) const;  // or none
  std::uint32_t open_record(std::uint32_t trip, std::uint32_t inter, double enter);

  std::vector<std::uint32_t> m_lane_inter;  // per lane: signalised intersection it enters, or none
  std::vector<std::uint32_t> m_prev_count, m_cur_count;
  // Per trip, in one 16-byte record: a step reads one record per vehicle, not four arrays.
  struct Trip {
    std::uint32_t prev_inter;   // where the last sample saw it, or none
    std::uint32_t prev_record;  // its record at prev_inter, or none
    std::uint32_t last_record;  // its last opened record, or none
    std::uint32_t stamp;        // the last sample that saw it
  };
  std::vector<Trip> m_trips;
  std::vector<std::uint32_t> m_prev_members, m_cur_members;
  std::vector<Record> m_records;  // in the order they were opened
  // Per trip: a 256-bit filter (4 words) of the intersections it has records at; most trips never
  // come back to an intersection, and the filter answers nearly all of those look-ups without
  // walking the trip's records.
  std::vector<std::uint64_t> m_inter_filter;
  std::uint32_t m_stamp = 0;
};

}  // namespace citybrain::sim
