// The KDD Cup 2021 CBEngine text format (roadnet and flow) as CityFlow JSON.
//
// Layout of the result:
// - one CityFlow intersection per CBEngine intersection with at least one road segment, at its
//   latitude/longitude projected to metres around the network's centre; an intersection with one
//   segment only is virtual (a boundary where vehicles enter and leave);
// - one CityFlow road per direction of a segment (ids are CBEngine's direction ids), lanes as in
//   the file (lane 0 is the inner, left-turn lane in both formats), the speed limit on every lane;
//   the road's polyline is as long as the stated length plus the intersections' widths (so the
//   lanes are as long as stated) unless the intersections lie farther apart than that;
// - road links: at a signalised intersection, from each approach to the other three legs with the
//   turn given by the approaches' clockwise order; elsewhere every pair of entering and leaving
//   roads except U-turns, the turn by the angle between them. Lane links from every lane whose
//   movement mask permits the turn to every lane of the exit road;
// - light phases of a signalised intersection: 0 all red (CBEngine's 5 s after a change), then
//   CBEngine's phases 1..8 (each two through/left movements, right turns always green). Other
//   intersections have one phase with every link green.
// - one CityFlow flow per CBEngine flow (same route, interval and time window).
#include "citybrain/import/cbengine.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <numbers>
#include <sstream>
#include <unordered_map>

#include "citybrain/core/error.hpp"

namespace citybrain::import {

namespace {

using nlohmann::json;

constexpr double kEarthRadius = 6371000.0;   // metres
constexpr double kIntersectionWidth = 10.0;  // metres, every non-virtual intersection
constexpr double kLaneWidth = 3.5;           // metres
constexpr double kAllRedTime = 5;            // CBEngine's all-red after a phase change
constexpr double kPhaseTime = 30;            // each phase in the fixed plan (no controller)
constexpr int kMaxLanes = 16;

enum Turn { kLeft = 0, kThrough = 1, kRight = 2 };
constexpr std::array<const char*, 3> kTurnName{"turn_left", "go_straight", "turn_right"};

// CBEngine's phases 1..8 as (approach, turn) pairs; approaches 0..3 are north, east, south, west.
struct Movement {
  int approach;
  Turn turn;
};
constexpr std::array<std::array<Movement, 2>, 8> kPhases{{
    {{{0, kLeft}, {2, kLeft}}},
    {{{0, kThrough}, {2, kThrough}}},
    {{{1, kLeft}, {3, kLeft}}},
    {{{1, kThrough}, {3, kThrough}}},
    {{{0, kThrough}, {0, kLeft}}},
    {{{1, kThrough}, {1, kLeft}}},
    {{{2, kThrough}, {2, kLeft}}},
    {{{3, kThrough}, {3, kLeft}}},
}};

// The records of a CBEngine file: non-empty lines split on blanks, "//" comments removed (the
// format's documentation writes them; the data files have none).
class Records {
 public:
  Records(std::string_view text, std::string name) : m_text(text), m_name(std::move(name)) {}

  // The next record's fields; what names it in the error at the end of the file.
  const std::vector<std::string_view>& next(const std::string& what) {
    while (!m_text.empty()) {
      const std::size_t nl = m_text.find('\n');
      std::string_view line = m_text.substr(0, nl);
      m_text.remove_prefix(nl == std::string_view::npos ? m_text.size() : nl + 1);
      ++m_line;
      if (const std::size_t c = line.find("//"); c != std::string_view::npos) {
        line = line.substr(0, c);
      }
      m_fields.clear();
      std::size_t i = 0;
      while (i < line.size()) {
        while (i < line.size() && is_blank(line[i])) ++i;
        const std::size_t start = i;
        while (i < line.size() && !is_blank(line[i])) ++i;
        if (i > start) m_fields.push_back(line.substr(start, i - start));
      }
      if (!m_fields.empty()) return m_fields;
    }
    throw Error(ErrorCode::kInvalidInput, m_name + ":" + std::to_string(m_line),
                "expected " + what + ", found the end of the file");
  }
  bool at_end() {
    while (!m_text.empty()) {
      const std::size_t nl = m_text.find('\n');
      std::string_view line = m_text.substr(0, nl);
      if (const std::size_t c = line.find("//"); c != std::string_view::npos) {
        line = line.substr(0, c);
      }
      if (std::any_of(line.begin(), line.end(), [](char ch) { return !is_blank(ch); })) {
        ++m_line;  // where() names the line with the extra data
        return false;
      }
      m_text.remove_prefix(nl == std::string_view::npos ? m_text.size() : nl + 1);
      ++m_line;
    }
    return true;
  }
  std::string where() const { return m_name + ":" + std::to_string(m_line); }
  const std::string& name() const { return m_name; }

  // Fails unless the record has exactly n fields.
  void expect_fields(std::size_t n, const std::string& layout) const {
    if (m_fields.size() != n) {
      throw Error(ErrorCode::kInvalidInput, where(),
                  "expected " + std::to_string(n) + " fields (" + layout + "), found " +
                      std::to_string(m_fields.size()));
    }
  }
  [[noreturn]] void fail(const std::string& field, std::string_view value,
                         const std::string& expected) const {
    throw Error(ErrorCode::kInvalidInput, where(),
                field + ": value '" + shown(value) + "', expected " + expected);
  }
  double number(std::string_view v, const std::string& field, double lo, double hi,
                const std::string& expected) const {
    double d = 0;
    auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
    if (ec != std::errc() || ptr != v.data() + v.size() || !std::isfinite(d) || d < lo || d > hi) {
      fail(field, v, expected);
    }
    return d;
  }
  std::int64_t integer(std::string_view v, const std::string& field, std::int64_t lo,
                       std::int64_t hi, const std::string& expected) const {
    std::int64_t x = 0;
    auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
    if (ec != std::errc() || ptr != v.data() + v.size() || x < lo || x > hi)
      fail(field, v, expected);
    return x;
  }
  // An id: a decimal integer (CBEngine's ids are), kept as written.
  std::string id(std::string_view v, const std::string& field) const {
    integer(v, field, std::numeric_limits<std::int64_t>::min(),
            std::numeric_limits<std::int64_t>::max(), "an integer id");
    return std::string(v);
  }

 private:
  static bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }
  std::string_view m_text;
  std::string m_name;
  std::size_t m_line = 0;
  std::vector<std::string_view> m_fields;
};

struct Inter {
  std::string id;
  double lat = 0, lon = 0;
  bool signal_flag = false;
  double x = 0, y = 0;
  std::vector<std::size_t> in, out;                      // roads entering / leaving
  std::array<std::int64_t, 4> approach{-1, -1, -1, -1};  // signal: segment per approach
  bool signalised = false;
  bool is_virtual = false;
};

struct Road {
  std::string id;
  std::size_t from = 0, to = 0;
  std::size_t segment = 0;
  std::size_t twin = 0;  // the other direction (itself when it has no lanes)
  double length = 0, speed = 0;
  int lanes = 0;
  std::vector<std::array<bool, 3>> mask;  // per lane: left, through, right permitted
};

struct Roadnet {
  std::vector<Inter> inters;
  std::vector<Road> roads;  // two per segment, dir1 then dir2
  std::unordered_map<std::string, std::size_t> inter_index, road_index;
};

std::string count_text(std::int64_t n, const char* what) {
  return std::to_string(n) + " " + what;
}

Roadnet parse_roadnet(std::string_view text, const std::string& name) {
  Records rec(text, name);
  Roadnet net;
  constexpr std::int64_t kMaxCount = 10'000'000;
  // Intersections.
  const std::string_view h_intersections = rec.next("the number of intersections")[0];
  rec.expect_fields(1, "number of intersections");
  const auto n_inter = rec.integer(h_intersections, "number of intersections", 1, kMaxCount,
                                   "an integer in 1..10000000");
  // Counts are checked against the records that follow, not trusted for allocation.
  net.inters.reserve(std::min(static_cast<std::size_t>(n_inter), text.size() / 8));
  for (std::int64_t i = 0; i < n_inter; ++i) {
    const auto& f = rec.next("intersection " + std::to_string(i + 1) + " of " +
                             std::to_string(n_inter) + " (latitude longitude inter_id signalized)");
    rec.expect_fields(4, "latitude longitude inter_id signalized");
    Inter in;
    in.lat = rec.number(f[0], "latitude", -90, 90, "a number in -90..90");
    in.lon = rec.number(f[1], "longitude", -180, 180, "a number in -180..180");
    in.id = rec.id(f[2], "inter_id");
    in.signal_flag = rec.integer(f[3], "signalized", 0, 1, "0 or 1") == 1;
    if (!net.inter_index.emplace(in.id, net.inters.size()).second) {
      rec.fail("inter_id", f[2], "an id not used by an earlier intersection");
    }
    net.inters.push_back(std::move(in));
  }
  // Road segments: a header line and two movement-mask lines each.
  const std::string_view h_segments = rec.next("the number of road segments")[0];
  rec.expect_fields(1, "number of road segments");
  const auto n_seg =
      rec.integer(h_segments, "number of road segments", 0, kMaxCount, "an integer in 0..10000000");
  net.roads.reserve(std::min(static_cast<std::size_t>(2 * n_seg), text.size() / 8));
  for (std::int64_t s = 0; s < n_seg; ++s) {
    const std::string layout =
        "from_inter to_inter length speed_limit dir1_num_lanes dir2_num_lanes dir1_id dir2_id";
    const auto& f = rec.next("road segment " + std::to_string(s + 1) + " of " +
                             std::to_string(n_seg) + " (" + layout + ")");
    rec.expect_fields(8, layout);
    Road dir[2];
    for (int d = 0; d < 2; ++d) {
      const char* field = d == 0 ? "from_inter" : "to_inter";
      auto it = net.inter_index.find(std::string(f[static_cast<std::size_t>(d)]));
      if (it == net.inter_index.end()) {
        rec.fail(field, f[static_cast<std::size_t>(d)], "an inter_id of the intersection section");
      }
      (d == 0 ? dir[0].from : dir[0].to) = it->second;
    }
    if (dir[0].from == dir[0].to)
      rec.fail("to_inter", f[1], "an intersection other than from_inter");
    const double length = rec.number(f[2], "length", 1e-3, 1e6, "metres in (0, 1000000]");
    const double speed = rec.number(f[3], "speed_limit", 1e-3, 100, "m/s in (0, 100]");
    for (int d = 0; d < 2; ++d) {
      const std::size_t k = static_cast<std::size_t>(d);
      dir[d].lanes =
          static_cast<int>(rec.integer(f[4 + k], d == 0 ? "dir1_num_lanes" : "dir2_num_lanes", 0,
                                       kMaxLanes, "an integer in 0..16"));
      dir[d].id = rec.id(f[6 + k], d == 0 ? "dir1_id" : "dir2_id");
      dir[d].length = length;
      dir[d].speed = speed;
      dir[d].segment = static_cast<std::size_t>(s);
    }
    if (dir[0].lanes == 0 && dir[1].lanes == 0) {
      rec.fail("dir2_num_lanes", f[5], "at least one lane in one of the two directions");
    }
    if (dir[0].id == dir[1].id) rec.fail("dir2_id", f[7], "an id other than dir1_id");
    dir[1].from = dir[0].to;
    dir[1].to = dir[0].from;
    const std::size_t first = net.roads.size();
    for (int d = 0; d < 2; ++d) {
      if (!net.road_index.emplace(dir[d].id, first + static_cast<std::size_t>(d)).second) {
        rec.fail(d == 0 ? "dir1_id" : "dir2_id", f[6 + static_cast<std::size_t>(d)],
                 "a road id not used by an earlier road");
      }
      dir[d].twin = first + static_cast<std::size_t>(1 - d);
    }
    for (int d = 0; d < 2; ++d) {
      const std::string field = d == 0 ? "dir1_mov" : "dir2_mov";
      const auto& m = rec.next(field + " of road segment " + std::to_string(s + 1) +
                               " (3 digits 0/1 per lane: left through right)");
      const auto expected = static_cast<std::size_t>(3 * dir[d].lanes);
      if (m.size() != expected) {
        throw Error(ErrorCode::kInvalidInput, rec.where(),
                    field + ": expected " + std::to_string(expected) + " fields (3 per lane, " +
                        std::to_string(dir[d].lanes) + " lanes), found " +
                        std::to_string(m.size()));
      }
      for (int l = 0; l < dir[d].lanes; ++l) {
        std::array<bool, 3> lane{};
        for (int t = 0; t < 3; ++t) {
          lane[static_cast<std::size_t>(t)] =
              rec.integer(m[static_cast<std::size_t>(3 * l + t)], field, 0, 1, "0 or 1") == 1;
        }
        dir[d].mask.push_back(lane);
      }
    }
    for (int d = 0; d < 2; ++d) net.roads.push_back(std::move(dir[d]));
  }
  // Signals: the approaches of each signalised intersection, clockwise from north.
  const std::string_view h_signals = rec.next("the number of signalized intersections")[0];
  rec.expect_fields(1, "number of signalized intersections");
  const auto n_sig = rec.integer(h_signals, "number of signalized intersections", 0, n_inter,
                                 "an integer in 0..number of intersections");
  for (std::int64_t s = 0; s < n_sig; ++s) {
    const std::string layout = "inter_id approach_N approach_E approach_S approach_W";
    const auto& f = rec.next("signal " + std::to_string(s + 1) + " of " + std::to_string(n_sig) +
                             " (" + layout + ")");
    rec.expect_fields(5, layout);
    auto it = net.inter_index.find(std::string(f[0]));
    if (it == net.inter_index.end())
      rec.fail("inter_id", f[0], "an inter_id of the intersection section");
    Inter& in = net.inters[it->second];
    if (in.signalised) rec.fail("inter_id", f[0], "an intersection without an earlier signal line");
    in.signalised = true;
    static constexpr std::array<const char*, 4> kField{"approach_N", "approach_E", "approach_S",
                                                       "approach_W"};
    for (std::size_t a = 0; a < 4; ++a) {
      if (f[a + 1] == "-1") continue;
      auto r = net.road_index.find(std::string(f[a + 1]));
      if (r == net.road_index.end())
        rec.fail(kField[a], f[a + 1], "-1 or a road id of the road section");
      const Road& road = net.roads[r->second];
      if (road.from != it->second && road.to != it->second) {
        rec.fail(kField[a], f[a + 1], "a road that starts or ends at intersection " + in.id);
      }
      const auto seg = static_cast<std::int64_t>(road.segment);
      for (std::size_t b = 0; b < a; ++b) {
        if (in.approach[b] == seg)
          rec.fail(kField[a], f[a + 1], "a segment not already an approach");
      }
      in.approach[a] = seg;
    }
  }
  if (!rec.at_end()) {
    throw Error(ErrorCode::kInvalidInput, rec.where(),
                "expected the end of the file after " + count_text(n_sig, "signal lines") +
                    ", found more data");
  }
  return net;
}

// Angle of the turn from road a (entering) to road b (leaving), radians, counter-clockwise
// positive, in (-pi, pi].
double turn_angle(const Roadnet& net, const Road& a, const Road& b) {
  const Inter& a0 = net.inters[a.from];
  const Inter& a1 = net.inters[a.to];
  const Inter& b1 = net.inters[b.to];
  const double h1 = std::atan2(a1.y - a0.y, a1.x - a0.x);
  const double h2 = std::atan2(b1.y - a1.y, b1.x - a1.x);
  double d = h2 - h1;
  while (d <= -std::numbers::pi) d += 2 * std::numbers::pi;
  while (d > std::numbers::pi) d -= 2 * std::numbers::pi;
  return d;
}

std::vector<int> source_lanes(const Road& r, Turn turn) {
  std::vector<int> lanes;
  for (int l = 0; l < r.lanes; ++l) {
    if (r.mask[static_cast<std::size_t>(l)][turn]) lanes.push_back(l);
  }
  return lanes;
}

json point(double x, double y) {
  return json{{"x", x}, {"y", y}};
}

}  // namespace

ImportedCity parse_cbengine(std::string_view roadnet_text, std::string_view flow_text,
                            const std::string& roadnet_name, const std::string& flow_name) {
  Roadnet net = parse_roadnet(roadnet_text, roadnet_name);
  ImportedCity city;
  ImportReport& report = city.report;

  // Topology and projection (equirectangular around the mean position).
  double lat0 = 0, lon0 = 0;
  for (const Inter& in : net.inters) {
    lat0 += in.lat;
    lon0 += in.lon;
  }
  lat0 /= static_cast<double>(net.inters.size());
  lon0 /= static_cast<double>(net.inters.size());
  const double k = kEarthRadius * std::numbers::pi / 180.0;
  for (Inter& in : net.inters) {
    in.x = (in.lon - lon0) * k * std::cos(lat0 * std::numbers::pi / 180.0);
    in.y = (in.lat - lat0) * k;
  }
  std::vector<bool> road_kept(net.roads.size());
  for (std::size_t r = 0; r < net.roads.size(); ++r) {
    Road& road = net.roads[r];
    if (road.lanes == 0) {
      report.drop("road", road.id, "no lanes in this direction");
      continue;
    }
    road_kept[r] = true;
    net.inters[road.from].out.push_back(r);
    net.inters[road.to].in.push_back(r);
  }
  std::vector<std::size_t> segments_at(net.inters.size(), 0);
  for (std::size_t r = 0; r < net.roads.size(); r += 2) {
    ++segments_at[net.roads[r].from];
    ++segments_at[net.roads[r].to];
  }
  for (std::size_t i = 0; i < net.inters.size(); ++i) {
    Inter& in = net.inters[i];
    if (segments_at[i] == 0) {
      report.drop("intersection", in.id, "no road segment reaches it");
      continue;
    }
    if (in.signal_flag && !in.signalised) {
      report.drop("signal", in.id, "signalized is 1 but the signal section has no line for it");
    }
    in.is_virtual = segments_at[i] == 1;
    if (in.is_virtual && in.signalised) {
      report.drop("signal", in.id, "a dead end (one road segment) has nothing to signal");
      in.signalised = false;
    }
    report.keep(in.is_virtual ? "intersection (boundary)" : "intersection");
    if (in.signalised) report.keep("signal");
  }
  auto width = [&](std::size_t i) { return net.inters[i].is_virtual ? 0.0 : kIntersectionWidth; };

  // Roads.
  double max_speed = 0;
  json roads = json::array();
  std::size_t stretched = 0;
  for (std::size_t r = 0; r < net.roads.size(); ++r) {
    if (!road_kept[r]) continue;
    const Road& road = net.roads[r];
    max_speed = std::max(max_speed, road.speed);
    // dir1's geometry, reversed for dir2, so both directions share one centre line.
    const bool is_dir1 = r % 2 == 0;
    const Inter& a = net.inters[is_dir1 ? road.from : road.to];
    const Inter& b = net.inters[is_dir1 ? road.to : road.from];
    const double dx = b.x - a.x, dy = b.y - a.y;
    const double dist = std::hypot(dx, dy);
    const double target = road.length + width(road.from) + width(road.to);
    json pts = json::array();
    pts.push_back(point(a.x, a.y));
    if (dist < target) {
      // Bend the centre line sideways at its middle so that it has the stated length.
      const double ux = dist > 1e-9 ? dx / dist : 1.0, uy = dist > 1e-9 ? dy / dist : 0.0;
      const double h = std::sqrt(std::max(0.0, target * target / 4 - dist * dist / 4));
      pts.push_back(point((a.x + b.x) / 2 - uy * h, (a.y + b.y) / 2 + ux * h));
    } else if (dist > target + 1e-6 && is_dir1) {
      ++stretched;
    }
    pts.push_back(point(b.x, b.y));
    if (!is_dir1) std::reverse(pts.begin(), pts.end());
    json lanes = json::array();
    for (int l = 0; l < road.lanes; ++l) {
      lanes.push_back({{"width", kLaneWidth}, {"maxSpeed", road.speed}});
    }
    roads.push_back({{"id", road.id},
                     {"points", std::move(pts)},
                     {"lanes", std::move(lanes)},
                     {"startIntersection", net.inters[road.from].id},
                     {"endIntersection", net.inters[road.to].id}});
    report.keep("road");
  }
  if (stretched > 0)
    report.keep("segment longer than stated (its intersections lie farther apart)", stretched);

  // Intersections, road links and phases. connected[in road] lists its leaving roads.
  std::vector<std::vector<std::size_t>> connected(net.roads.size());
  json inters = json::array();
  for (std::size_t i = 0; i < net.inters.size(); ++i) {
    const Inter& in = net.inters[i];
    if (segments_at[i] == 0) continue;
    json road_ids = json::array();
    for (std::size_t r : in.in) road_ids.push_back(net.roads[r].id);
    for (std::size_t r : in.out) road_ids.push_back(net.roads[r].id);
    json links = json::array();
    json phases = json::array();
    auto add_link = [&](std::size_t from, std::size_t to, Turn turn) {
      const Road& a = net.roads[from];
      const Road& b = net.roads[to];
      std::vector<int> src = source_lanes(a, turn);
      if (src.empty()) {
        report.drop("movement", a.id + "->" + b.id,
                    std::string("no lane of road ") + a.id + " permits the " +
                        (turn == kLeft      ? "left turn"
                         : turn == kThrough ? "through movement"
                                            : "right turn"));
        return false;
      }
      json lane_links = json::array();
      for (int s : src) {
        for (int e = 0; e < b.lanes; ++e) {
          lane_links.push_back({{"startLaneIndex", s}, {"endLaneIndex", e}});
        }
      }
      links.push_back({{"type", kTurnName[turn]},
                       {"startRoad", a.id},
                       {"endRoad", b.id},
                       {"direction", static_cast<int>(turn)},
                       {"laneLinks", std::move(lane_links)}});
      connected[from].push_back(to);
      report.keep("movement");
      return true;
    };
    if (!in.is_virtual && in.signalised) {
      // Entering and leaving road of each approach.
      std::array<std::int64_t, 4> enter{-1, -1, -1, -1}, leave{-1, -1, -1, -1};
      for (std::size_t a = 0; a < 4; ++a) {
        if (in.approach[a] < 0) continue;
        const std::size_t d1 = 2 * static_cast<std::size_t>(in.approach[a]);
        for (std::size_t r : {d1, d1 + 1}) {
          if (!road_kept[r]) continue;
          if (net.roads[r].to == i) enter[a] = static_cast<std::int64_t>(r);
          if (net.roads[r].from == i) leave[a] = static_cast<std::int64_t>(r);
        }
      }
      // Roads at the intersection that are none of its approaches get no green.
      for (std::size_t r : in.in) {
        if (std::find(enter.begin(), enter.end(), static_cast<std::int64_t>(r)) == enter.end()) {
          report.drop("movement", net.roads[r].id + "->*",
                      "road " + net.roads[r].id + " enters signalised intersection " + in.id +
                          " but is none of its four approaches");
        }
      }
      // link_of[approach][turn]: index in links, or -1.
      std::array<std::array<int, 3>, 4> link_of{};
      for (auto& row : link_of) row.fill(-1);
      for (std::size_t a = 0; a < 4; ++a) {
        if (enter[a] < 0) continue;
        for (int t = 0; t < 3; ++t) {
          const std::size_t exit_leg = (a + 1 + static_cast<std::size_t>(t)) % 4;
          if (leave[exit_leg] < 0) continue;
          const int index = static_cast<int>(links.size());
          if (add_link(static_cast<std::size_t>(enter[a]),
                       static_cast<std::size_t>(leave[exit_leg]), static_cast<Turn>(t))) {
            link_of[a][static_cast<std::size_t>(t)] = index;
          }
        }
      }
      json rights = json::array();
      for (std::size_t a = 0; a < 4; ++a) {
        if (link_of[a][kRight] >= 0) rights.push_back(link_of[a][kRight]);
      }
      phases.push_back({{"time", kAllRedTime}, {"availableRoadLinks", json::array()}});
      for (const auto& phase : kPhases) {
        json avail = rights;
        for (const Movement& m : phase) {
          const int l = link_of[static_cast<std::size_t>(m.approach)][m.turn];
          if (l >= 0) avail.push_back(l);
        }
        phases.push_back({{"time", kPhaseTime}, {"availableRoadLinks", std::move(avail)}});
      }
    } else if (!in.is_virtual) {
      for (std::size_t from : in.in) {
        for (std::size_t to : in.out) {
          if (net.roads[from].twin == to) continue;  // no U-turns
          const double angle = turn_angle(net, net.roads[from], net.roads[to]);
          const Turn turn = std::abs(angle) < std::numbers::pi / 4 ? kThrough
                            : angle > 0                            ? kLeft
                                                                   : kRight;
          add_link(from, to, turn);
        }
      }
      json all = json::array();
      for (std::size_t l = 0; l < links.size(); ++l) all.push_back(l);
      phases.push_back({{"time", kPhaseTime}, {"availableRoadLinks", std::move(all)}});
    }
    json indices = json::array();
    for (std::size_t l = 0; l < links.size(); ++l) indices.push_back(l);
    inters.push_back(
        {{"id", in.id},
         {"point", point(in.x, in.y)},
         {"width", in.is_virtual ? 0.0 : kIntersectionWidth},
         {"roads", std::move(road_ids)},
         {"roadLinks", std::move(links)},
         {"trafficLight",
          {{"roadLinkIndices", std::move(indices)}, {"lightphases", std::move(phases)}}},
         {"virtual", in.is_virtual}});
  }
  city.roadnet_json =
      json{{"intersections", std::move(inters)}, {"roads", std::move(roads)}}.dump();

  // Flows.
  Records rec(flow_text, flow_name);
  const std::string_view h_flows = rec.next("the number of flows")[0];
  rec.expect_fields(1, "number of flows");
  const auto n_flows =
      rec.integer(h_flows, "number of flows", 0, 100'000'000, "an integer in 0..100000000");
  const json vehicle{{"length", 5.0},      {"width", 2.0},
                     {"maxPosAcc", 2.0},   {"maxNegAcc", 4.5},
                     {"usualPosAcc", 2.0}, {"usualNegAcc", 4.5},
                     {"minGap", 2.5},      {"maxSpeed", max_speed > 0 ? max_speed : 16.67},
                     {"headwayTime", 1.5}};
  json flows = json::array();
  std::vector<std::size_t> route;
  for (std::int64_t f = 0; f < n_flows; ++f) {
    const std::string flow_id = std::to_string(f + 1);
    const std::string layout = "start_time end_time vehicle_interval";
    const auto& t =
        rec.next("flow " + flow_id + " of " + std::to_string(n_flows) + " (" + layout + ")");
    rec.expect_fields(3, layout);
    const auto start =
        rec.integer(t[0], "start_time", 0, 100'000'000, "whole seconds in 0..100000000");
    const auto end = rec.integer(t[1], "end_time", 0, 100'000'000, "whole seconds in 0..100000000");
    if (end < start)
      rec.fail("end_time", t[1], "a time not before start_time " + std::to_string(start));
    const double interval =
        rec.number(t[2], "vehicle_interval", 1e-3, 1e8, "seconds in (0, 100000000]");
    const std::string_view h_k = rec.next("the route length of flow " + flow_id)[0];
    rec.expect_fields(1, "number of roads in the route");
    const auto route_len = rec.integer(h_k, "route length", 1, 100'000, "an integer in 1..100000");
    const auto& ids =
        rec.next("the route of flow " + flow_id + " (" + std::to_string(route_len) + " road ids)");
    if (ids.size() != static_cast<std::size_t>(route_len)) {
      throw Error(ErrorCode::kInvalidInput, rec.where(),
                  "route of flow " + flow_id + ": expected " + std::to_string(route_len) +
                      " road ids (its route length), found " + std::to_string(ids.size()));
    }
    route.clear();
    std::string problem;
    for (std::size_t j = 0; j < ids.size() && problem.empty(); ++j) {
      rec.id(ids[j], "route road id");
      auto it = net.road_index.find(std::string(ids[j]));
      if (it == net.road_index.end()) {
        problem = "unknown road " + std::string(ids[j]);
      } else if (!road_kept[it->second]) {
        problem = "road " + std::string(ids[j]) + " has no lanes";
      } else if (!route.empty()) {
        const auto& next = connected[route.back()];
        if (std::find(next.begin(), next.end(), it->second) == next.end()) {
          problem = "no movement from road " + net.roads[route.back()].id + " to road " +
                    std::string(ids[j]);
        }
      }
      route.push_back(it == net.road_index.end() ? 0 : it->second);
    }
    if (!problem.empty()) {
      report.drop("flow", flow_id + " (" + rec.where() + ")", problem);
      continue;
    }
    json r = json::array();
    for (std::size_t x : route) r.push_back(net.roads[x].id);
    flows.push_back({{"vehicle", vehicle},
                     {"route", std::move(r)},
                     {"interval", interval},
                     {"startTime", start},
                     {"endTime", end}});
    report.keep("flow");
    report.keep(
        "vehicle",
        static_cast<std::size_t>(std::floor(static_cast<double>(end - start) / interval)) + 1);
  }
  if (!rec.at_end()) {
    throw Error(
        ErrorCode::kInvalidInput, rec.where(),
        "expected the end of the file after " + count_text(n_flows, "flows") + ", found more data");
  }
  city.flow_json = flows.dump();
  city.begin = 0;
  city.end = -1;
  return city;
}

ImportedCity import_cbengine(const std::string& roadnet_file, const std::string& flow_file) {
  auto read = [](const std::string& file, const char* what) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      throw Error(ErrorCode::kFileNotFound, file,
                  std::string("file not found (expected a readable CBEngine ") + what + " file)");
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  const std::string roadnet = read(roadnet_file, "roadnet");
  const std::string flow = read(flow_file, "flow");
  return parse_cbengine(roadnet, flow, roadnet_file, flow_file);
}

}  // namespace citybrain::import
