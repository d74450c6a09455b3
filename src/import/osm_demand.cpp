// Demand on an imported OpenStreetMap network: seeded trips, either uniformly between roads that
// enter and roads that leave the network (random), or between all roads weighted by their lane
// length and an exponential deterrence in distance (gravity), each routed by the shortest
// free-flow time.
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <queue>

#include "citybrain/core/rng.hpp"
#include "import/osm_detail.hpp"

namespace citybrain::import::osm_detail {

namespace {

constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();
constexpr std::uint64_t kOriginStream = 1, kDestStream = 2, kDepartStream = 3;

double unit(std::uint64_t r) {
  return static_cast<double>(r >> 11) * 0x1p-53;
}

// Index drawn from cumulative weights.
std::uint32_t draw(const std::vector<double>& cumulative, double u) {
  const double x = u * cumulative.back();
  auto it = std::upper_bound(cumulative.begin(), cumulative.end(), x);
  return static_cast<std::uint32_t>(std::min<std::ptrdiff_t>(
      it - cumulative.begin(), static_cast<std::ptrdiff_t>(cumulative.size()) - 1));
}

// Shortest free-flow paths from road o (predecessor of every reached road), until every target is
// settled.
void shortest_paths(const TripGraph& g, std::uint32_t o, const std::vector<std::uint32_t>& targets,
                    std::vector<double>& dist, std::vector<std::uint32_t>& pred,
                    std::vector<std::uint8_t>& is_target) {
  const std::size_t n = g.road_ids.size();
  dist.assign(n, std::numeric_limits<double>::infinity());
  pred.assign(n, kNone);
  using Item = std::pair<double, std::uint32_t>;
  std::priority_queue<Item, std::vector<Item>, std::greater<>> heap;
  is_target.assign(n, 0);
  std::size_t left = 0;
  for (std::uint32_t t : targets) left += is_target[t] ? 0 : (is_target[t] = 1);
  dist[o] = g.time[o];
  heap.push({dist[o], o});
  while (!heap.empty() && left > 0) {
    auto [d, r] = heap.top();
    heap.pop();
    if (d > dist[r]) continue;
    if (is_target[r]) {
      is_target[r] = 0;
      --left;
    }
    for (std::uint32_t s : g.next[r]) {
      const double nd = d + g.time[s];
      if (nd < dist[s]) {
        dist[s] = nd;
        pred[s] = r;
        heap.push({nd, s});
      }
    }
  }
}

}  // namespace

std::vector<Trip> generate_trips(const TripGraph& g, const OsmOptions& opt, ImportReport& report) {
  const std::uint32_t n = static_cast<std::uint32_t>(g.road_ids.size());
  std::vector<Trip> trips;
  if (n < 2) {
    report.drop("trip", "all", "fewer than two roads to travel between");
    return trips;
  }
  const bool gravity = opt.demand == "gravity";
  std::vector<std::uint32_t> origins, dests;
  std::vector<double> o_cum, d_weight;
  double x0 = 1e18, x1 = -1e18, y0 = 1e18, y1 = -1e18;
  for (std::uint32_t r = 0; r < n; ++r) {
    x0 = std::min(x0, g.start[r].x);
    x1 = std::max(x1, g.start[r].x);
    y0 = std::min(y0, g.start[r].y);
    y1 = std::max(y1, g.start[r].y);
    const bool o = gravity || g.source[r], d = gravity || g.sink[r];
    if (o) origins.push_back(r);
    if (d) dests.push_back(r);
  }
  // A network without boundary roads (an island) trips between all roads.
  if (origins.empty() || dests.empty()) {
    origins.clear();
    dests.clear();
    for (std::uint32_t r = 0; r < n; ++r) origins.push_back(r), dests.push_back(r);
  }
  double acc = 0;
  for (std::uint32_t r : origins) o_cum.push_back(acc += gravity ? g.lanes[r] * g.length[r] : 1.0);
  for (std::uint32_t r : dests) d_weight.push_back(gravity ? g.lanes[r] * g.length[r] : 1.0);
  const double scale = std::max(500.0, std::hypot(x1 - x0, y1 - y0) / 4);

  std::vector<double> cum(dests.size());
  std::vector<double> dist;
  std::vector<std::uint32_t> pred;
  std::vector<std::uint8_t> is_target;
  std::uint64_t draws = 0;
  std::size_t unroutable = 0;
  const std::size_t max_draws = opt.trips * 20 + 100;
  // Draw origin-destination pairs in rounds; route all pairs of one origin with one search.
  while (trips.size() < opt.trips && draws < max_draws) {
    std::map<std::uint32_t, std::vector<std::uint32_t>> by_origin;
    const std::size_t want = opt.trips - trips.size();
    for (std::size_t k = 0; k < want && draws < max_draws; ++k, ++draws) {
      const std::uint32_t o =
          origins[draw(o_cum, unit(random_u64(opt.seed, kOriginStream, draws)))];
      double a = 0;
      for (std::size_t i = 0; i < dests.size(); ++i) {
        double w = d_weight[i];
        if (gravity) w *= std::exp(-(g.end[dests[i]] - g.start[o]).length() / scale);
        if (dests[i] == o) w = 0;
        cum[i] = a += w;
      }
      if (!(a > 0)) continue;
      by_origin[o].push_back(dests[draw(cum, unit(random_u64(opt.seed, kDestStream, draws)))]);
    }
    for (auto& [o, ds] : by_origin) {
      shortest_paths(g, o, ds, dist, pred, is_target);
      for (std::uint32_t d : ds) {
        if (pred[d] == kNone) {
          ++unroutable;
          continue;
        }
        Trip t;
        for (std::uint32_t r = d; r != kNone; r = pred[r]) t.roads.push_back(r);
        std::reverse(t.roads.begin(), t.roads.end());
        trips.push_back(std::move(t));
      }
    }
  }
  if (unroutable > 0) {
    report.drop("trip", std::to_string(unroutable) + " drawn pairs",
                "no route between the drawn roads (drawn again)");
  }
  if (trips.size() < opt.trips) {
    report.drop("trip", std::to_string(opt.trips - trips.size()) + " trips",
                "gave up drawing routable pairs");
  }
  // Departures uniform over the period, in time order.
  for (std::size_t i = 0; i < trips.size(); ++i) {
    trips[i].depart = unit(random_u64(opt.seed, kDepartStream, i)) * opt.duration;
  }
  std::stable_sort(trips.begin(), trips.end(),
                   [](const Trip& a, const Trip& b) { return a.depart < b.depart; });
  report.keep("trip", trips.size());
  return trips;
}

}  // namespace citybrain::import::osm_detail
