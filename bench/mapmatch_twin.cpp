// Probes from the twin: a share of the simulated vehicles reports a noisy position every N
// seconds; the reports are map-matched and road travel times estimated, then compared with the
// twin's true road travel times (per road and 5-minute window, MAPE). Usage:
//   citybrain_mapmatch_twin [roadnet] [flow] [duration_s] [noise_m]
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "citybrain/citybrain.hpp"
#include "citybrain/core/error.hpp"
#include "citybrain/sense/matcher.hpp"
#include "citybrain/sense/road_state.hpp"

namespace {

using namespace citybrain;

struct Sample {
  std::uint32_t trip;
  float time;
  Point xy;
  std::int32_t road;  // -1 on a lane link (inside an intersection)
};

std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  return x ^ (x >> 33);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string data = "../shared/data/tsc/hangzhou_4x4/";
  const std::string roadnet = argc > 1 ? argv[1] : data + "roadnet_4_4.json";
  const std::string flow = argc > 2 ? argv[2] : data + "anon_4_4_hangzhou_real.json";
  const double duration = argc > 3 ? std::atof(argv[3]) : 3600;
  const double noise = argc > 4 ? std::atof(argv[4]) : 15;
  const double window = 300;
  try {
    const Scenario sc = load_scenario(roadnet, flow);
    const net::Network& net = *sc.network;
    sim::Engine engine(sc.network, sc.demand, sc.sim);
    // 1. Run the twin and record every real vehicle every step.
    std::vector<Sample> samples;
    while (engine.time() < duration) {
      engine.step();
      const auto t = static_cast<float>(engine.time());
      for (sim::Slot v : engine.vehicles(false)) {
        if (engine.vehicle_is_shadow(v)) continue;
        const sim::DrivableId d = engine.vehicle_drivable(v);
        const double dis = engine.vehicle_distance(v);
        Point p;
        std::int32_t road = -1;
        if (engine.is_lane(d)) {
          const LaneId lane(d);
          p = point_at(net.lane_points(lane), dis);
          road = static_cast<std::int32_t>(net.lanes[lane.index()].road.value);
        } else {
          p = point_at(net.lanelink_points(LaneLinkId(d - net.lanes.size())), dis);
        }
        samples.push_back({engine.vehicle_trip(v), t, p, road});
      }
    }
    // 2. True traversals: a vehicle's stay on a road between two intersections (not its first or
    // last road), credited to the window of its midpoint.
    std::map<std::uint32_t, std::vector<const Sample*>> by_trip;
    for (const Sample& s : samples) by_trip[s.trip].push_back(&s);
    std::map<std::pair<std::int64_t, std::int32_t>, std::pair<double, int>> truth;
    for (const auto& [trip, ss] : by_trip) {
      std::size_t i = 0;
      bool seen_link = false;
      while (i < ss.size()) {
        std::size_t j = i;
        while (j + 1 < ss.size() && ss[j + 1]->road == ss[i]->road) ++j;
        if (ss[i]->road >= 0 && seen_link && j + 1 < ss.size()) {
          const double tt = ss[j]->time - ss[i]->time + 1;
          const double mid = 0.5 * (ss[i]->time + ss[j]->time);
          auto& acc = truth[{static_cast<std::int64_t>(mid / window), ss[i]->road}];
          acc.first += tt;
          acc.second += 1;
        }
        if (ss[i]->road < 0) seen_link = true;
        i = j + 1;
      }
    }
    std::printf(
        "twin: %s, %.0f s, %zu vehicle-samples, %zu road-windows with traversals; GPS "
        "noise %.0f m\n",
        roadnet.c_str(), duration, samples.size(), truth.size(), noise);
    std::printf(
        "| probe share | interval s | probes | peak state B/vehicle | matched on true road | "
        "road-windows "
        "covered | MAPE travel time (covered) | MAPE city-wide TTI |\n|---|---|---|---|---|"
        "---|---|---|\n");
    const sense::RoadGraph graph = sense::graph_from_network(net);
    for (double share : {0.05, 0.2, 1.0}) {
      for (double interval : {5.0, 15.0, 30.0}) {
        // 3. Sample probes, add noise, match them as one live stream.
        std::mt19937 rng(7);
        std::normal_distribution<double> n(0, noise);
        sense::MatchParams mp;
        mp.sigma = std::max(5.0, noise);
        sense::OnlineMatcher matcher(graph, mp);
        sense::MatchOutput out;
        std::unordered_map<std::uint32_t, std::uint32_t> dense;
        std::vector<std::int32_t> true_road;  // per emitted point, by (vehicle, index)
        std::vector<std::vector<std::int32_t>> truth_of;
        std::size_t probes = 0;
        std::size_t peak_state = 0;  // bytes of all vehicles' windows, sampled
        const auto start = std::chrono::steady_clock::now();
        for (const Sample& s : samples) {
          const std::uint64_t h = mix(s.trip);
          if (static_cast<double>(h % 10000) >= share * 10000) continue;
          const auto phase =
              static_cast<std::int64_t>((h >> 20) % static_cast<std::uint64_t>(interval));
          if ((static_cast<std::int64_t>(s.time) + phase) % static_cast<std::int64_t>(interval) !=
              0)
            continue;
          auto [it, fresh] = dense.try_emplace(s.trip, static_cast<std::uint32_t>(dense.size()));
          if (fresh) truth_of.emplace_back();
          truth_of[it->second].push_back(s.road);
          matcher.push(it->second, s.time, {s.xy.x + n(rng), s.xy.y + n(rng)}, out);
          if (++probes % 4096 == 0) peak_state = std::max(peak_state, matcher.state_bytes());
        }
        matcher.finish_all(out);
        const double secs =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        std::size_t on_road = 0, right = 0;
        for (const auto& p : out.points) {
          const std::int32_t r = truth_of[p.vehicle][p.index];
          if (r < 0 || !p.edge.valid()) continue;
          ++on_road;
          right += static_cast<std::int32_t>(p.edge.value) == r;
        }
        // 4. Road state against the truth.
        sense::RoadStateParams rp;
        rp.window = window;
        sense::RoadStateEstimator est(graph, rp);
        for (std::size_t r = 0; r < net.roads.size(); ++r) {
          const auto& road = net.roads[r];
          double vmax = 0;
          for (std::uint32_t l = 0; l < road.lane_count; ++l) {
            vmax = std::max(vmax, net.lanes[road.first_lane.value + l].max_speed);
          }
          if (vmax > 0) est.set_historical(sense::EdgeId(r), graph.length(sense::EdgeId(r)) / vmax);
        }
        est.add(out);
        double ape = 0, est_sum = 0, true_sum = 0;
        std::size_t covered = 0;
        std::map<std::int64_t, std::pair<double, double>> city;  // window -> (est, true)
        for (const auto& [key, acc] : truth) {
          const double t_true = acc.first / acc.second;
          const sense::RoadEstimate e = est.estimate(sense::EdgeId(key.second), key.first);
          city[key.first].first += e.travel_time;
          city[key.first].second += t_true;
          if (e.vehicles == 0) continue;
          ++covered;
          ape += std::abs(e.travel_time - t_true) / t_true;
          est_sum += e.travel_time;
          true_sum += t_true;
        }
        double city_ape = 0;
        for (const auto& [w, v] : city) city_ape += std::abs(v.first - v.second) / v.second;
        std::printf(
            "| %.0f %% | %.0f | %zu (%.0f k/s matched) | %.0f | %.1f %% | %.1f %% | %.1f %% | %.1f "
            "%% |\n",
            100 * share, interval, probes, static_cast<double>(probes) / secs / 1e3,
            dense.empty() ? 0.0
                          : static_cast<double>(peak_state) / static_cast<double>(dense.size()),
            on_road ? 100.0 * static_cast<double>(right) / static_cast<double>(on_road) : 0.0,
            truth.empty()
                ? 0.0
                : 100.0 * static_cast<double>(covered) / static_cast<double>(truth.size()),
            covered ? 100 * ape / static_cast<double>(covered) : 0.0,
            city.empty() ? 0.0 : 100 * city_ape / static_cast<double>(city.size()));
        (void)est_sum;
        (void)true_sum;
      }
    }
  } catch (const Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
  return 0;
}
