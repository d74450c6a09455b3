// The KDD Cup 2021 City Brain Challenge's delay index (its final-round metric, described in
// ../shared/data/kddcup2021/PROVENANCE.md): over every vehicle that has entered the network,
// D_i = (TT_i + TT_i^rest) / TT_i^freeflow, where TT_i is the time it has spent in the network (its
// whole trip once it has left), TT_i^rest the rest of its route at free-flow speed and
// TT_i^freeflow its whole route at free-flow speed. Free-flow time of a road is its lane length
// over its speed limit (intersections are not counted); the index is the mean of D_i.
#pragma once

#include <cstdint>
#include <vector>

#include "citybrain/sim/engine.hpp"

namespace citybrain::sim {

class DelayIndex {
 public:
  explicit DelayIndex(const Engine& engine);

  // Call after every engine step. The rest of the route of every running vehicle (the costly
  // part: it walks each route) is measured only when `with_rest` is set; vehicles seen for the
  // first time always are. Calling it again for the same step is harmless.
  void observe(const Engine& engine, bool with_rest = true);

  // The mean delay index over the vehicles that entered so far (1 when none has). Needs the last
  // observe() to have been with_rest; throws Error (internal) otherwise.
  double value() const;
  // Vehicles that have entered the network (running or finished): the challenge's "served".
  std::size_t served() const { return m_finished + m_running.size(); }

 private:
  struct Trip {
    double enter = -1;       // time it entered the network
    double freeflow = 0;     // whole route at free-flow speed (s)
    double rest = 0;         // rest of the route at free-flow speed, as last seen (s)
    std::int64_t seen = -1;  // step it was last seen (< 0: not yet)
  };
  std::vector<double> m_road_freeflow;  // per road: lane length / speed limit
  std::vector<Trip> m_trips;
  std::vector<std::uint32_t> m_running, m_next_running;
  std::size_t m_finished = 0;
  double m_finished_sum = 0;  // sum of D_i over finished trips
  double m_time = 0;
  bool m_rest_current = false;  // the last observe() measured every running vehicle's rest
};

}  // namespace citybrain::sim
