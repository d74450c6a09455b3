// SUMO scenario import: pugixml reads the XML (gunzipped with zlib when needed), and the scenario
// is written out as CityFlow roadnet and flow JSON with citybrain's extensions (the junctions'
// right of way, actuated phase bounds, junction keep-clear and lane balancing flags). SUMO's lane
// index 0 is the rightmost lane, CityFlow's is the innermost: lane indices are mirrored.
#include "citybrain/import/sumo.hpp"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <queue>
#include <set>
#include <sstream>
#include <unordered_map>

#include "citybrain/core/error.hpp"
#include "citybrain/core/geometry.hpp"
#include "citybrain/core/json.hpp"
#include "citybrain/core/rng.hpp"

namespace citybrain::import {

namespace {

using nlohmann::json;

// ---------------------------------------------------------------------------------------------
// Reading XML with error messages that name the file, line, element and attribute.

struct Doc {
  std::string name;
  std::string text;
  pugi::xml_document doc;
};

std::string line_of(const Doc& d, const pugi::xml_node& n) {
  std::ptrdiff_t off = n.offset_debug();
  if (off < 0 || static_cast<std::size_t>(off) > d.text.size()) return d.name;
  std::size_t line =
      1 + static_cast<std::size_t>(std::count(d.text.begin(), d.text.begin() + off, '\n'));
  return d.name + ":" + std::to_string(line);
}

std::string describe(const pugi::xml_node& n) {
  std::string s = "<" + std::string(n.name());
  if (auto id = n.attribute("id")) s += " id=\"" + std::string(id.value()) + "\"";
  return s + ">";
}

[[noreturn]] void fail(const Doc& d, const pugi::xml_node& n, const std::string& what) {
  throw Error(ErrorCode::kInvalidInput, line_of(d, n) + ": " + describe(n), what);
}

void load_doc(Doc& d) {
  if (const std::size_t line = invalid_utf8_line(d.text)) {
    throw Error(ErrorCode::kInvalidInput, d.name + ":" + std::to_string(line),
                "text that is not valid UTF-8 (expected UTF-8, as SUMO writes its files)");
  }
  pugi::xml_parse_result r =
      d.doc.load_buffer(d.text.data(), d.text.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!r) {
    std::size_t off = std::min<std::size_t>(
        static_cast<std::size_t>(std::max<std::ptrdiff_t>(r.offset, 0)), d.text.size());
    std::size_t line =
        1 + static_cast<std::size_t>(std::count(d.text.begin(), d.text.begin() + off, '\n'));
    throw Error(ErrorCode::kInvalidInput, d.name + ":" + std::to_string(line),
                std::string("malformed XML: ") + r.description());
  }
}

// A number as SUMO writes one; magnitudes beyond 1e9 (metres, seconds) are rejected so that later
// arithmetic stays finite.
bool parse_double(const char* s, double& out) {
  if (s == nullptr || *s == '\0') return false;
  char* end = nullptr;
  out = std::strtod(s, &end);
  while (end && (*end == ' ' || *end == '\t')) ++end;
  return end && *end == '\0' && std::isfinite(out) && std::fabs(out) <= 1e9;
}

// A required (or defaulted) finite number.
double num(const Doc& d, const pugi::xml_node& n, const char* attr,
           std::optional<double> def = {}) {
  pugi::xml_attribute a = n.attribute(attr);
  if (!a) {
    if (def) return *def;
    fail(d, n, std::string("missing attribute ") + attr + " (expected a number)");
  }
  double v = 0;
  if (!parse_double(a.value(), v)) {
    fail(d, n, std::string("attribute ") + attr + "=\"" + a.value() + "\" is not a number");
  }
  return v;
}

int integer(const Doc& d, const pugi::xml_node& n, const char* attr, std::optional<int> def = {}) {
  double v = num(d, n, attr, def ? std::optional<double>(*def) : std::nullopt);
  if (v != std::floor(v) || v < -1e9 || v > 1e9) {
    fail(d, n,
         std::string("attribute ") + attr + "=\"" + n.attribute(attr).value() +
             "\" is not an integer");
  }
  return static_cast<int>(v);
}

std::string str(const Doc& d, const pugi::xml_node& n, const char* attr) {
  pugi::xml_attribute a = n.attribute(attr);
  if (!a || *a.value() == '\0') fail(d, n, std::string("missing attribute ") + attr);
  return a.value();
}

std::vector<std::string> split(std::string_view s, char sep = ' ') {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() &&
           (s[i] == sep || s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
      ++i;
    std::size_t j = i;
    while (j < s.size() && s[j] != sep && s[j] != ' ' && s[j] != '\t' && s[j] != '\n' &&
           s[j] != '\r')
      ++j;
    if (j > i) out.emplace_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

std::vector<Point> shape(const Doc& d, const pugi::xml_node& n, const char* attr = "shape") {
  std::vector<Point> pts;
  for (const std::string& p : split(n.attribute(attr).value())) {
    std::vector<std::string> xy = split(p, ',');
    Point pt;
    if (xy.size() < 2 || xy.size() > 3 || !parse_double(xy[0].c_str(), pt.x) ||
        !parse_double(xy[1].c_str(), pt.y)) {
      fail(d, n,
           std::string("attribute ") + attr + ": \"" + p + "\" is not a point (expected x,y)");
    }
    if (pts.empty() ||
        !(std::fabs(pts.back().x - pt.x) < 1e-6 && std::fabs(pts.back().y - pt.y) < 1e-6))
      pts.push_back(pt);
  }
  return pts;
}

// ---------------------------------------------------------------------------------------------
// The SUMO model as read.

struct SLane {
  std::string id;
  int index = 0;
  double speed = 13.89, length = 0, width = 3.2;
  std::vector<Point> shape;
  bool passenger = true, bus = true;
  bool motorized = true;  // admits some vehicle class but pedestrians and bicycles
  bool kept = false;
  int cf_index = -1;
};

struct SEdge {
  std::string id, from, to;
  std::vector<SLane> lanes;
  std::vector<int> kept;  // SUMO lane indices kept, ascending
  int road = -1;
};

struct SConn {
  std::string from, to, via, tl;
  int from_lane = 0, to_lane = 0, link_index = -1;
  char dir = 's';
  bool minor = false;  // the link's state is a lower-case letter (it does not have priority)
  pugi::xml_node node;
};

struct SJunction {
  std::string type;
  Point p;
  std::unordered_map<std::string, int> int_lane_index;
  std::vector<std::string> response, foes;  // by request index
};

struct SPhase {
  double duration = 0, min_dur = -1, max_dur = -1;
  std::string state;
  std::vector<int> next;
};

struct STl {
  std::string id, program, type, source;
  double offset = 0;
  std::vector<SPhase> phases;
};

// Vehicle class permissions, as SUMO reads allow/disallow.
bool permits(const pugi::xml_node& lane, const char* vclass) {
  auto has = [&](const char* attr) {
    for (const std::string& c : split(lane.attribute(attr).value()))
      if (c == vclass || c == "all") return true;
    return false;
  };
  if (lane.attribute("allow")) return has("allow");
  if (lane.attribute("disallow")) return !has("disallow");
  return true;
}

// SUMO's "motorized" lanes: those that admit a vehicle class other than pedestrian and bicycle.
bool motorized(const pugi::xml_node& lane) {
  if (lane.attribute("allow")) {
    for (const std::string& c : split(lane.attribute("allow").value()))
      if (c != "pedestrian" && c != "bicycle") return true;
    return false;
  }
  for (const std::string& c : split(lane.attribute("disallow").value()))
    if (c == "all") return false;
  return true;
}

struct VType {
  double length = 5, width = 1.8, accel = 2.6, decel = 4.5, min_gap = 2.5, max_speed = 55.56,
         tau = 1.0, speed_factor = 1.0;
  std::string vclass = "passenger";
};

VType vclass_defaults(const std::string& vclass) {
  VType t;
  t.vclass = vclass;
  if (vclass == "bus") {
    t.length = 12, t.width = 2.5, t.accel = 1.2, t.decel = 4, t.max_speed = 27.78;
  } else if (vclass == "coach") {
    t.length = 14, t.width = 2.6, t.accel = 2, t.decel = 4, t.max_speed = 27.78;
  } else if (vclass == "truck") {
    t.length = 7.1, t.width = 2.4, t.accel = 1.3, t.decel = 4, t.max_speed = 36.11;
  } else if (vclass == "trailer") {
    t.length = 16.5, t.width = 2.55, t.accel = 1.1, t.decel = 4, t.max_speed = 36.11;
  } else if (vclass == "delivery") {
    t.length = 6.5, t.width = 2.16, t.max_speed = 55.56;
  } else if (vclass == "motorcycle") {
    t.length = 2.2, t.width = 0.9, t.accel = 6, t.decel = 10, t.max_speed = 55.56;
  }
  return t;
}

// ---------------------------------------------------------------------------------------------

class Importer {
 public:
  ImportedCity run(const SumoText& net, const std::vector<SumoText>& routes,
                   const std::vector<SumoText>& adds, double begin, double end);

 private:
  void read_net(Doc& d);
  void read_tls(Doc& d, const pugi::xml_node& tl);
  void read_vtype(Doc& d, const pugi::xml_node& n);
  void read_routes(Doc& d);
  void read_types(Doc& d);
  void build_roadnet();

  std::vector<std::string> connection_shape(const SConn& c, std::vector<Point>& pts) const;
  bool routable(const std::vector<int>& roads) const;
  std::vector<int> shortest(int from, int to) const;
  std::vector<std::set<std::string>> loop_lanes(const std::string& tl_id, const STl& tl) const;
  void add_vehicle(Doc& d, const pugi::xml_node& n, double depart, const std::string& type,
                   std::vector<int> roads, const std::string& id);
  std::string pick_type(const std::string& type, const std::string& id);
  int road_of(const std::string& edge) const {
    auto it = m_edge_index.find(edge);
    if (it == m_edge_index.end()) return -1;
    return m_edges[it->second].road;
  }

  ImportReport m_report;
  double m_begin = 0;
  std::vector<SEdge> m_edges;
  std::unordered_map<std::string, std::size_t> m_edge_index;
  std::unordered_map<std::string, std::vector<Point>> m_internal_shape;  // internal lane id
  std::unordered_map<std::string, std::string> m_internal_next;  // "via|to_lane" -> next via
  std::unordered_map<std::string, double> m_internal_time;       // internal lane id -> free-flow s
  std::vector<SConn> m_conns;
  std::map<std::string, SJunction> m_junctions;
  std::map<std::string, STl> m_tls;  // the active program per controller id
  std::map<std::string, VType> m_vtypes;
  std::map<std::string, std::vector<std::pair<std::string, double>>> m_vtype_dists;
  std::map<std::string, std::vector<std::pair<std::vector<std::string>, double>>> m_routes;
  std::vector<std::size_t> m_road_edge;
  // Road graph for routing and validation: per road, the roads reachable through a connection.
  std::vector<std::vector<int>> m_next_roads;
  std::vector<std::vector<double>> m_next_cost;  // per m_next_roads entry: crossing the junction
  std::vector<double> m_road_cost;
  // The vehicle being added is a trip without via edges: SUMO routes it when it is inserted.
  bool m_trip_without_via = false;
  double m_max_lane_speed = 13.89;
  json m_flow = json::array();
  std::uint64_t m_draws = 0;
  json m_roadnet;
};

void Importer::read_net(Doc& d) {
  pugi::xml_node root = d.doc.child("net");
  if (!root) {
    throw Error(ErrorCode::kInvalidInput, d.name, "expected a SUMO network (root element <net>)");
  }
  for (pugi::xml_node n : root.children()) {
    std::string_view name = n.name();
    if (name == "edge") {
      std::string id = str(d, n, "id");
      std::string function = n.attribute("function").value();
      if (function == "internal") {
        for (pugi::xml_node l : n.children("lane")) {
          std::string lid = str(d, l, "id");
          std::vector<Point> pts = shape(d, l);
          if (pts.size() < 1) fail(d, l, "attribute shape is empty (expected x,y points)");
          m_internal_shape[lid] = std::move(pts);
          const double len = l.attribute("length").as_double(0);
          const double speed = l.attribute("speed").as_double(0);
          if (len > 0 && speed > 0 && std::isfinite(len / speed))
            m_internal_time[lid] = len / speed;
        }
        continue;
      }
      if (!function.empty() && function != "normal") {
        m_report.drop("edge", id, "function=\"" + function + "\" (only roads are simulated)");
        continue;
      }
      SEdge e;
      e.id = id;
      e.from = str(d, n, "from");
      e.to = str(d, n, "to");
      for (pugi::xml_node l : n.children("lane")) {
        SLane lane;
        lane.id = str(d, l, "id");
        lane.index = integer(d, l, "index");
        lane.speed = num(d, l, "speed");
        lane.length = num(d, l, "length");
        lane.width = num(d, l, "width", 3.2);
        if (!(lane.speed > 0)) fail(d, l, "attribute speed must be positive");
        if (!(lane.length >= 0)) fail(d, l, "attribute length must not be negative");
        if (!(lane.width > 0)) fail(d, l, "attribute width must be positive");
        if (lane.index < 0 || lane.index > 63) fail(d, l, "attribute index must be in 0..63");
        lane.shape = shape(d, l);
        lane.passenger = permits(l, "passenger");
        lane.bus = permits(l, "bus");
        lane.motorized = motorized(l);
        e.lanes.push_back(std::move(lane));
      }
      std::sort(e.lanes.begin(), e.lanes.end(),
                [](const SLane& a, const SLane& b) { return a.index < b.index; });
      for (std::size_t i = 0; i < e.lanes.size(); ++i) {
        if (e.lanes[i].index != static_cast<int>(i)) {
          fail(d, n, "lane indices must be 0..n-1 without gaps or repeats");
        }
      }
      if (!m_edge_index.emplace(id, m_edges.size()).second) fail(d, n, "duplicate edge id");
      m_edges.push_back(std::move(e));
    } else if (name == "junction") {
      std::string id = str(d, n, "id");
      std::string type = n.attribute("type").value();
      if (type == "internal") continue;
      SJunction j;
      j.type = type;
      j.p = {num(d, n, "x"), num(d, n, "y")};
      int k = 0;
      for (const std::string& l : split(n.attribute("intLanes").value())) j.int_lane_index[l] = k++;
      for (pugi::xml_node r : n.children("request")) {
        int idx = integer(d, r, "index");
        if (idx < 0 || idx > 4096) fail(d, r, "attribute index out of range (expected 0..4096)");
        if (static_cast<std::size_t>(idx) >= j.response.size()) {
          j.response.resize(idx + 1);
          j.foes.resize(idx + 1);
        }
        j.response[idx] = r.attribute("response").value();
        j.foes[idx] = r.attribute("foes").value();
        for (char c : j.response[idx] + j.foes[idx]) {
          if (c != '0' && c != '1') fail(d, r, "response and foes must be strings of 0 and 1");
        }
      }
      if (!m_junctions.emplace(id, std::move(j)).second) fail(d, n, "duplicate junction id");
    } else if (name == "connection") {
      SConn c;
      c.from = str(d, n, "from");
      c.to = str(d, n, "to");
      c.from_lane = integer(d, n, "fromLane");
      c.to_lane = integer(d, n, "toLane");
      c.via = n.attribute("via").value();
      c.tl = n.attribute("tl").value();
      if (!c.tl.empty()) c.link_index = integer(d, n, "linkIndex");
      std::string dir = n.attribute("dir").value();
      c.dir = dir.empty() ? 's' : dir[0];
      const char* state = n.attribute("state").value();
      c.minor = state[0] >= 'a' && state[0] <= 'z';
      c.node = n;
      if (!c.from.empty() && c.from[0] == ':') {
        std::string key = c.from + "_" + std::to_string(c.from_lane) + "|" + c.to + "_" +
                          std::to_string(c.to_lane);
        if (!c.via.empty()) m_internal_next[key] = c.via;
        continue;
      }
      m_conns.push_back(std::move(c));
    } else if (name == "tlLogic") {
      read_tls(d, n);
    } else if (name == "roundabout" || name == "location" || name == "type" || name == "neigh" ||
               name == "param" || name == "prohibition") {
      continue;
    } else {
      m_report.drop("net element", name.empty() ? "?" : std::string(name),
                    "not used by the simulation");
    }
  }
}

void Importer::read_tls(Doc& d, const pugi::xml_node& n) {
  STl tl;
  tl.id = str(d, n, "id");
  tl.program = n.attribute("programID").value();
  tl.type = n.attribute("type").value();
  tl.offset = num(d, n, "offset", 0.0);
  tl.source = d.name;
  std::map<std::string, int> names;
  int k = 0;
  for (pugi::xml_node p : n.children("phase")) {
    if (auto nm = p.attribute("name")) names.emplace(nm.value(), k);
    ++k;
  }
  for (pugi::xml_node p : n.children("phase")) {
    SPhase ph;
    ph.duration = num(d, p, "duration");
    if (!(ph.duration >= 0)) fail(d, p, "attribute duration must not be negative");
    ph.min_dur = num(d, p, "minDur", ph.duration);
    ph.max_dur = num(d, p, "maxDur", ph.duration);
    ph.state = str(d, p, "state");
    for (char c : ph.state) {
      if (!std::strchr("rRyYgGsuoO", c)) {
        fail(d, p, std::string("unknown signal state '") + c + "' (expected one of rygGsuoO)");
      }
    }
    if (!tl.phases.empty() && ph.state.size() != tl.phases.front().state.size()) {
      fail(d, p,
           "state length " + std::to_string(ph.state.size()) + " differs from the first phase's " +
               std::to_string(tl.phases.front().state.size()));
    }
    for (const std::string& nx : split(p.attribute("next").value())) {
      double v = 0;
      if (parse_double(nx.c_str(), v) && v == std::floor(v) && v >= 0 && v < k) {
        ph.next.push_back(static_cast<int>(v));
      } else {
        fail(d, p,
             "attribute next=\"" + nx + "\" is not a phase index (expected 0.." +
                 std::to_string(k - 1) + ")");
      }
    }
    tl.phases.push_back(std::move(ph));
  }
  if (tl.phases.empty()) fail(d, n, "a traffic-light program needs at least one <phase>");
  auto it = m_tls.find(tl.id);
  if (it != m_tls.end()) {
    m_report.drop("tlLogic", tl.id + " program " + it->second.program,
                  "replaced by program " + tl.program + " loaded later from " + d.name);
  }
  m_tls[tl.id] = std::move(tl);
}

void Importer::read_vtype(Doc& d, const pugi::xml_node& n) {
  std::string id = str(d, n, "id");
  std::string vclass = n.attribute("vClass") ? n.attribute("vClass").value() : "passenger";
  VType t = vclass_defaults(vclass);
  t.length = num(d, n, "length", t.length);
  t.width = num(d, n, "width", t.width);
  t.accel = num(d, n, "accel", t.accel);
  t.decel = num(d, n, "decel", t.decel);
  t.min_gap = num(d, n, "minGap", t.min_gap);
  t.max_speed = num(d, n, "maxSpeed", t.max_speed);
  t.tau = num(d, n, "tau", t.tau);
  if (auto sf = n.attribute("speedFactor")) {
    // A number, or a distribution "norm(mean,dev)" / "normc(mean,dev,min,max)": its mean.
    std::string s = sf.value();
    std::size_t open = s.find('(');
    std::string first =
        open == std::string::npos ? s : s.substr(open + 1, s.find_first_of(",)", open) - open - 1);
    if (!parse_double(first.c_str(), t.speed_factor) || !(t.speed_factor > 0)) {
      fail(d, n, "attribute speedFactor=\"" + s + "\" (expected a number or norm(mean,dev))");
    }
  }
  if (!(t.length > 0) || !(t.width > 0) || !(t.accel > 0) || !(t.decel > 0) || !(t.max_speed > 0) ||
      !(t.min_gap >= 0) || !(t.tau >= 0)) {
    fail(d, n,
         "length, width, accel, decel and maxSpeed must be positive, minGap and tau not "
         "negative");
  }
  m_vtypes[id] = t;
}

std::vector<std::string> Importer::connection_shape(const SConn& c, std::vector<Point>& pts) const {
  std::vector<std::string> vias;
  std::string via = c.via;
  std::string target = c.to + "_" + std::to_string(c.to_lane);
  for (int guard = 0; !via.empty() && guard < 16; ++guard) {
    auto s = m_internal_shape.find(via);
    if (s == m_internal_shape.end()) break;
    vias.push_back(via);
    for (Point p : s->second) {
      if (pts.empty() || (p - pts.back()).length() > 1e-6) pts.push_back(p);
    }
    auto nx = m_internal_next.find(via + "|" + target);
    via = nx == m_internal_next.end() ? std::string() : nx->second;
  }
  return vias;
}

void Importer::build_roadnet() {
  // Lanes kept: passenger lanes; on edges without one, bus lanes (bus-only streets).
  for (SEdge& e : m_edges) {
    bool any_passenger = false;
    for (const SLane& l : e.lanes) any_passenger |= l.passenger;
    for (SLane& l : e.lanes) {
      l.kept = any_passenger ? l.passenger : l.bus;
      if (l.kept && l.shape.size() < 2) {
        l.kept = false;
        m_report.drop("lane", l.id, "shape has fewer than 2 distinct points");
      } else if (!l.kept) {
        m_report.drop("lane", l.id,
                      any_passenger ? "does not allow passenger cars"
                                    : "allows neither passenger cars nor buses");
      }
    }
    for (const SLane& l : e.lanes) {
      if (l.kept) e.kept.push_back(l.index);
    }
    if (e.kept.empty()) {
      m_report.drop("edge", e.id, "no lane open to passenger cars or buses");
      continue;
    }
    if (!m_junctions.count(e.from) || !m_junctions.count(e.to)) {
      m_report.drop(
          "edge", e.id,
          "junction \"" + (m_junctions.count(e.from) ? e.to : e.from) + "\" is not in the network");
      continue;
    }
    if (e.from == e.to) {
      m_report.drop("edge", e.id, "starts and ends at the same junction");
      continue;
    }
    const int n = static_cast<int>(e.kept.size());
    for (int k = 0; k < n; ++k) e.lanes[e.kept[k]].cf_index = n - 1 - k;
    e.road = static_cast<int>(m_road_edge.size());
    m_road_edge.push_back(static_cast<std::size_t>(&e - m_edges.data()));
    m_report.keep("edge");
    m_report.keep("lane", e.kept.size());
  }

  // Intersections: every junction an edge touches.
  std::map<std::string, std::vector<int>> junction_roads;
  for (std::size_t r = 0; r < m_road_edge.size(); ++r) {
    const SEdge& e = m_edges[m_road_edge[r]];
    junction_roads[e.from].push_back(static_cast<int>(r));
    junction_roads[e.to].push_back(static_cast<int>(r));
  }
  // Connections per junction (the from edge's end).
  std::map<std::string, std::vector<const SConn*>> junction_conns;
  for (const SConn& c : m_conns) {
    auto fi = m_edge_index.find(c.from);
    auto ti = m_edge_index.find(c.to);
    std::string key =
        c.from + "_" + std::to_string(c.from_lane) + "->" + c.to + "_" + std::to_string(c.to_lane);
    if (fi == m_edge_index.end() || ti == m_edge_index.end()) {
      m_report.drop("connection", key, "edge not in the network");
      continue;
    }
    const SEdge& fe = m_edges[fi->second];
    const SEdge& te = m_edges[ti->second];
    if (fe.road < 0 || te.road < 0) {
      m_report.drop("connection", key, "an edge was dropped");
      continue;
    }
    if (c.from_lane < 0 || c.from_lane >= static_cast<int>(fe.lanes.size()) || c.to_lane < 0 ||
        c.to_lane >= static_cast<int>(te.lanes.size())) {
      throw Error(ErrorCode::kInvalidInput, describe(c.node) + " " + key,
                  "lane index out of range for its edge");
    }
    if (!fe.lanes[c.from_lane].kept || !te.lanes[c.to_lane].kept) {
      m_report.drop("connection", key, "a lane was dropped (vehicle class)");
      continue;
    }
    if (fe.to != te.from) {
      m_report.drop("connection", key, "the edges do not meet at one junction");
      continue;
    }
    if (c.dir == 't') {
      // U-turns stay (CityFlow calls them left turns).
    }
    junction_conns[fe.to].push_back(&c);
  }

  json intersections = json::array();
  json roads = json::array();
  m_next_roads.assign(m_road_edge.size(), {});
  m_next_cost.assign(m_road_edge.size(), {});
  m_road_cost.assign(m_road_edge.size(), 0);
  for (std::size_t r = 0; r < m_road_edge.size(); ++r) {
    const SEdge& e = m_edges[m_road_edge[r]];
    // The road's reference line is the left border of its leftmost kept lane, so that CityFlow's
    // layout (lanes to the right of the line, innermost first) puts lanes on SUMO's centre-lines.
    const SLane& left = e.lanes[e.kept.back()];
    const std::vector<Point>& s = left.shape;
    json pts = json::array();
    std::vector<Point> ref;
    for (std::size_t j = 0; j < s.size(); ++j) {
      Point u = j == 0              ? (s[1] - s[0]).unit()
                : j + 1 == s.size() ? (s[j] - s[j - 1]).unit()
                                    : ((s[j + 1] - s[j]).unit() + (s[j] - s[j - 1]).unit()).unit();
      if (!std::isfinite(u.x) || !std::isfinite(u.y)) u = (s.back() - s.front()).unit();
      if (!std::isfinite(u.x) || !std::isfinite(u.y)) u = {1, 0};
      Point p = s[j] + u.normal() * (left.width / 2);
      if (!ref.empty() && (p - ref.back()).length() < 1e-6) continue;
      ref.push_back(p);
    }
    if (ref.size() < 2) ref = {s.front(), s.back()};
    for (Point p : ref) pts.push_back({{"x", p.x}, {"y", p.y}});
    json lanes = json::array();
    double speed = 0, length = 0;
    for (auto it = e.kept.rbegin(); it != e.kept.rend(); ++it) {
      const SLane& l = e.lanes[*it];
      lanes.push_back({{"width", l.width}, {"maxSpeed", l.speed}});
      speed = std::max(speed, l.speed);
      length = std::max(length, l.length);
      m_max_lane_speed = std::max(m_max_lane_speed, l.speed);
    }
    m_road_cost[r] = length / speed;
    roads.push_back({{"id", e.id},
                     {"points", pts},
                     {"lanes", lanes},
                     {"startIntersection", e.from},
                     {"endIntersection", e.to}});
  }

  for (const auto& [jid, jroads] : junction_roads) {
    const SJunction& j = m_junctions.at(jid);
    json inter = {{"id", jid}, {"point", {{"x", j.p.x}, {"y", j.p.y}}}, {"width", 0}};
    json rids = json::array();
    for (int r : jroads) rids.push_back(m_edges[m_road_edge[r]].id);
    inter["roads"] = rids;
    auto cit = junction_conns.find(jid);
    if (cit == junction_conns.end() || cit->second.empty()) {
      inter["virtual"] = true;
      inter["roadLinks"] = json::array();
      inter["trafficLight"] = {{"lightphases", json::array()}};
      m_report.keep("junction");
      intersections.push_back(std::move(inter));
      continue;
    }
    inter["virtual"] = false;
    const std::vector<const SConn*>& conns = cit->second;
    json links = json::array();
    std::vector<int> junction_link(conns.size(), -1);
    std::string tl_id;
    for (std::size_t k = 0; k < conns.size(); ++k) {
      const SConn& c = *conns[k];
      const SEdge& fe = m_edges[m_edge_index.at(c.from)];
      const SEdge& te = m_edges[m_edge_index.at(c.to)];
      std::vector<Point> pts;
      std::vector<std::string> vias = connection_shape(c, pts);
      // The junction's intLanes name one lane of each connection's chain (the last one for turns
      // that wait at an internal junction): that position is the link's request index.
      for (const std::string& via : vias) {
        auto ji = j.int_lane_index.find(via);
        if (ji != j.int_lane_index.end()) {
          junction_link[k] = ji->second;
          break;
        }
      }
      json ll = {{"startLaneIndex", fe.lanes[c.from_lane].cf_index},
                 {"endLaneIndex", te.lanes[c.to_lane].cf_index}};
      if (pts.size() >= 2) {
        json jp = json::array();
        for (Point p : pts) jp.push_back({{"x", p.x}, {"y", p.y}});
        ll["points"] = jp;
      } else {
        // No internal lane: a straight segment from the lane's end to the next lane's start.
        Point a = fe.lanes[c.from_lane].shape.back();
        Point b = te.lanes[c.to_lane].shape.front();
        if ((b - a).length() > 1e-6) {
          ll["points"] = json::array({{{"x", a.x}, {"y", a.y}}, {{"x", b.x}, {"y", b.y}}});
        } else {
          ll["points"] = json::array({{{"x", a.x}, {"y", a.y}}, {{"x", b.x + 0.01}, {"y", b.y}}});
        }
      }
      const char* type = "go_straight";
      if (c.dir == 'l' || c.dir == 'L' || c.dir == 't') type = "turn_left";
      if (c.dir == 'r' || c.dir == 'R') type = "turn_right";
      json link = {{"type", type},
                   {"startRoad", c.from},
                   {"endRoad", c.to},
                   {"direction", 0},
                   {"laneLinks", json::array({ll})}};
      links.push_back(std::move(link));
      if (!c.tl.empty()) {
        if (tl_id.empty()) tl_id = c.tl;
        if (c.tl != tl_id) {
          m_report.drop("signal", c.from + "->" + c.to,
                        "junction " + jid + " is driven by two programs (" + tl_id + ", " + c.tl +
                            "): the link keeps a permanent green");
        }
      }
      // SUMO's routing cost of the connection: its internal lanes at their speed, plus
      // --weights.minor-penalty (1.5 s by default) where the link has no priority.
      double cost = c.minor ? 1.5 : 0.0;
      for (const std::string& via : vias) {
        auto it = m_internal_time.find(via);
        if (it != m_internal_time.end()) cost += it->second;
      }
      m_next_roads[fe.road].push_back(te.road);
      m_next_cost[fe.road].push_back(cost);
      m_report.keep("connection");
    }
    // Right of way: per link, the links it conflicts with and those it yields to.
    bool have_row = false;
    for (std::size_t a = 0; a < conns.size(); ++a) {
      int ia = junction_link[a];
      if (ia < 0 || static_cast<std::size_t>(ia) >= j.response.size()) continue;
      const std::string& resp = j.response[ia];
      const std::string& foes = j.foes[ia];
      json jf = json::array(), jy = json::array();
      for (std::size_t b = 0; b < conns.size(); ++b) {
        int ib = junction_link[b];
        if (ib < 0 || b == a) continue;
        auto bit = [&](const std::string& s) {
          return static_cast<std::size_t>(ib) < s.size() && s[s.size() - 1 - ib] == '1';
        };
        if (bit(foes)) jf.push_back(b);
        if (bit(resp)) jy.push_back(b);
      }
      links[a]["foes"] = jf;
      links[a]["yieldTo"] = jy;
      have_row = true;
    }
    (void)have_row;
    inter["roadLinks"] = links;

    // Signals.
    json phases = json::array();
    auto all_green = [&](double t) {
      json avail = json::array();
      for (std::size_t k = 0; k < conns.size(); ++k) avail.push_back(k);
      return json{{"time", t}, {"availableRoadLinks", avail}};
    };
    auto tit = tl_id.empty() ? m_tls.end() : m_tls.find(tl_id);
    if (!tl_id.empty() && tit == m_tls.end()) {
      m_report.drop("signal", jid, "program \"" + tl_id + "\" is not defined: links stay green");
    }
    if (tit == m_tls.end()) {
      phases.push_back(all_green(3600));
    } else {
      const STl& tl = tit->second;
      // The phase sequence, following `next` from phase 0 (the first listed next when several).
      std::vector<int> order;
      std::vector<char> seen(tl.phases.size(), 0);
      for (int p = 0; p >= 0 && !seen[p];) {
        seen[p] = 1;
        order.push_back(p);
        const SPhase& ph = tl.phases[p];
        p = ph.next.empty() ? (p + 1) % static_cast<int>(tl.phases.size()) : ph.next.front();
      }
      bool bad = false;
      for (std::size_t k = 0; k < conns.size(); ++k) {
        if (conns[k]->tl == tl_id &&
            (conns[k]->link_index < 0 ||
             conns[k]->link_index >= static_cast<int>(tl.phases.front().state.size()))) {
          bad = true;
        }
      }
      if (bad) {
        m_report.drop(
            "signal", jid,
            "program \"" + tl_id + "\" has fewer states than linkIndex: links stay green");
        phases.push_back(all_green(3600));
      } else {
        const bool actuated = tl.type != "static";
        const std::vector<std::set<std::string>> loops =
            actuated ? loop_lanes(tl_id, tl) : std::vector<std::set<std::string>>();
        double cycle = 0;
        for (int p : order) cycle += tl.phases[p].duration;
        for (int p : order) {
          const SPhase& ph = tl.phases[p];
          json avail = json::array();
          for (std::size_t k = 0; k < conns.size(); ++k) {
            if (conns[k]->tl != tl_id) {
              avail.push_back(k);
              continue;
            }
            char s = ph.state[conns[k]->link_index];
            if (s == 'G' || s == 'g' || s == 's' || s == 'o' || s == 'O') avail.push_back(k);
          }
          json jp = {{"time", ph.duration}, {"availableRoadLinks", avail}};
          if (actuated && ph.min_dur != ph.max_dur) {
            jp["minTime"] = ph.min_dur;
            jp["maxTime"] = ph.max_dur;
            // The links whose lanes' loops may hold this green (links of other controllers
            // never stop a loop from serving).
            json act = json::array();
            for (std::size_t k = 0; k < conns.size(); ++k) {
              if (conns[k]->tl != tl_id ||
                  loops[p].count(conns[k]->from + "_" + std::to_string(conns[k]->from_lane)))
                act.push_back(k);
            }
            jp["actuatingRoadLinks"] = act;
          }
          phases.push_back(std::move(jp));
        }
        if (cycle > 0 && tl.offset != 0) {
          // SUMO shows at time t the program's state at cycle position (t - offset): rotate the
          // sequence so that it starts there, splitting the phase it starts in.
          double pos = std::fmod(-tl.offset, cycle);
          if (pos < 0) pos += cycle;
          json rotated = json::array();
          std::size_t n = phases.size();
          double acc = 0;
          std::size_t start = 0;
          for (; start < n; ++start) {
            double t = phases[start]["time"].get<double>();
            if (acc + t > pos) break;
            acc += t;
          }
          if (start < n) {
            double into = pos - acc;
            json head = phases[start], tail = phases[start];
            tail["time"] = phases[start]["time"].get<double>() - into;
            head["time"] = into;
            rotated.push_back(tail);
            for (std::size_t i = 1; i < n; ++i) rotated.push_back(phases[(start + i) % n]);
            if (into > 0) rotated.push_back(head);
            phases = rotated;
          }
        }
        inter["trafficLight"]["group"] = tl_id;
        if (actuated) inter["trafficLight"]["actuated"] = true;
        for (std::size_t p = 0; p < tl.phases.size(); ++p) {
          if (!seen[p]) {
            m_report.drop("phase", tl_id + "#" + std::to_string(p),
                          "never reached when following next from phase 0");
          }
        }
      }
    }
    inter["trafficLight"]["lightphases"] = phases;
    m_report.keep("junction");
    intersections.push_back(std::move(inter));
  }
  for (const auto& [id, tl] : m_tls) {
    (void)tl;
    m_report.keep("tlLogic");
  }
  m_roadnet = {
      {"intersections", std::move(intersections)},
      {"roads", std::move(roads)},
      {"citybrain",
       {{"keepClear", true}, {"laneBalance", true}, {"routeTrips", true}, {"source", "sumo"}}}};
}

bool Importer::routable(const std::vector<int>& roads) const {
  for (std::size_t i = 1; i < roads.size(); ++i) {
    const auto& nx = m_next_roads[roads[i - 1]];
    if (std::find(nx.begin(), nx.end(), roads[i]) == nx.end()) return false;
  }
  return true;
}

// SUMO's actuated logic (MSActuatedTrafficLightLogic::init in SUMO 1.15): per phase of the
// controller, the lanes (as "edge_laneindex") whose loop detector may hold its green. A loop sits
// on each motorized lane with a link green ('G' or 'g') in an actuated phase. It serves a phase
// only when every link from its lane is green there, where a 'g' counts only if the link is never
// 'G' (or turns around) and another link from the same lane is 'G', or if its road has one
// motorized lane; and only when no link from its lane leads to a lane of the same controller
// whose loop is not served (two junctions of one controller).
std::vector<std::set<std::string>> Importer::loop_lanes(const std::string& tl_id,
                                                        const STl& tl) const {
  const int n_links = static_cast<int>(tl.phases.front().state.size());
  auto lane_key = [](const std::string& edge, int index) {
    return edge + "_" + std::to_string(index);
  };
  std::vector<std::vector<const SConn*>> at(n_links);
  std::map<std::string, std::vector<const SConn*>> from_lane;
  for (const SConn& c : m_conns) {
    if (c.tl != tl_id || c.link_index < 0 || c.link_index >= n_links) continue;
    if (!m_edge_index.count(c.from)) continue;  // a connection from an unknown edge is dropped
    at[c.link_index].push_back(&c);
    from_lane[lane_key(c.from, c.from_lane)].push_back(&c);
  }
  std::vector<char> never_major(n_links, 1), turnaround(n_links, 1), one_lane(n_links, 0);
  for (const SPhase& ph : tl.phases) {
    for (int i = 0; i < n_links; ++i) never_major[i] &= ph.state[i] != 'G';
  }
  for (int i = 0; i < n_links; ++i) {
    for (const SConn* c : at[i]) {
      turnaround[i] &= c->dir == 't';
      const SEdge& e = m_edges[m_edge_index.at(c->from)];
      int motor = 0;
      for (const SLane& l : e.lanes) motor += l.motorized;
      one_lane[i] |= motor == 1;
    }
  }
  auto actuated = [](const SPhase& ph) { return ph.min_dur != ph.max_dur; };
  std::set<std::string> loops;
  for (const auto& [key, conns] : from_lane) {
    const SEdge& e = m_edges[m_edge_index.at(conns.front()->from)];
    const int index = conns.front()->from_lane;
    if (index < 0 || index >= static_cast<int>(e.lanes.size()) || !e.lanes[index].motorized)
      continue;
    for (const SPhase& ph : tl.phases) {
      if (!actuated(ph)) continue;
      for (const SConn* c : conns) {
        const char st = ph.state[c->link_index];
        if (st == 'G' || st == 'g') loops.insert(key);
      }
    }
  }
  std::vector<std::set<std::string>> out(tl.phases.size());
  for (std::size_t p = 0; p < tl.phases.size(); ++p) {
    const std::string& state = tl.phases[p].state;
    if (!actuated(tl.phases[p])) continue;
    std::vector<char> green(n_links, 0);
    for (int i = 0; i < n_links; ++i) {
      if (state[i] == 'G') {
        green[i] = 1;
      } else if (state[i] == 'g') {
        bool major = false;  // another link from one of this link's lanes is 'G'
        for (const SConn* c : at[i]) {
          for (const SConn* o : from_lane[lane_key(c->from, c->from_lane)])
            major |= state[o->link_index] == 'G';
        }
        green[i] = ((never_major[i] || turnaround[i]) && major) || one_lane[i];
      }
    }
    auto all_green = [&](const std::string& key) {
      for (const SConn* c : from_lane.at(key))
        if (!green[c->link_index]) return false;
      return true;
    };
    for (const std::string& key : loops) {
      bool usable = all_green(key);
      for (const SConn* c : from_lane.at(key)) {
        const std::string next = lane_key(c->to, c->to_lane);
        if (usable && c->dir != 't' && loops.count(next)) usable = all_green(next);
      }
      if (usable) out[p].insert(key);
    }
  }
  return out;
}

std::vector<int> Importer::shortest(int from, int to) const {
  // Dijkstra by free-flow travel time (lane length over speed, junctions' internal lanes
  // included, and SUMO's minor-link penalty), as SUMO routes trips on an empty network.
  const std::size_t n = m_next_roads.size();
  std::vector<double> dist(n, std::numeric_limits<double>::infinity());
  std::vector<int> prev(n, -1);
  using Item = std::pair<double, int>;
  std::priority_queue<Item, std::vector<Item>, std::greater<>> q;
  dist[from] = 0;
  q.push({0, from});
  while (!q.empty()) {
    auto [dd, u] = q.top();
    q.pop();
    if (dd > dist[u]) continue;
    if (u == to) break;
    for (std::size_t i = 0; i < m_next_roads[u].size(); ++i) {
      const int v = m_next_roads[u][i];
      double nd = dd + m_next_cost[u][i] + m_road_cost[v];
      if (nd < dist[v]) {
        dist[v] = nd;
        prev[v] = u;
        q.push({nd, v});
      }
    }
  }
  if (from != to && prev[to] < 0) return {};
  std::vector<int> path;
  for (int v = to; v != from; v = prev[v]) path.push_back(v);
  path.push_back(from);
  std::reverse(path.begin(), path.end());
  return path;
}

std::string Importer::pick_type(const std::string& type, const std::string& id) {
  auto dit = m_vtype_dists.find(type);
  if (dit == m_vtype_dists.end()) return type;
  double total = 0;
  for (const auto& [t, p] : dit->second) total += p;
  double u =
      static_cast<double>(random_u64(0x73756d6f, std::hash<std::string>{}(id), m_draws++) >> 11) *
      0x1.0p-53 * total;
  for (const auto& [t, p] : dit->second) {
    if (u < p) return t;
    u -= p;
  }
  return dit->second.back().first;
}

void Importer::add_vehicle(Doc& d, const pugi::xml_node& n, double depart,
                           const std::string& type_id, std::vector<int> roads,
                           const std::string& id) {
  std::string tid = pick_type(type_id.empty() ? "DEFAULT_VEHTYPE" : type_id, id);
  VType t;
  auto tit = m_vtypes.find(tid);
  if (tit != m_vtypes.end()) {
    t = tit->second;
  } else if (tid != "DEFAULT_VEHTYPE") {
    fail(d, n, "unknown vehicle type \"" + tid + "\" (expected a vType or vTypeDistribution id)");
  }
  if (roads.empty()) {
    m_report.drop("vehicle", id, "empty route");
    return;
  }
  for (std::size_t i = 1; i < roads.size(); ++i) {
    // SUMO tolerates repeated consecutive edges in a route: one road.
    if (roads[i] == roads[i - 1]) roads.erase(roads.begin() + static_cast<std::ptrdiff_t>(i--));
  }
  if (!routable(roads)) {
    m_report.drop("vehicle", id, "route has consecutive edges without a kept connection");
    return;
  }
  double rel = depart - m_begin;
  if (rel < 0) {
    m_report.drop("vehicle", id, "departs before the simulation begins");
    return;
  }
  int start = static_cast<int>(std::ceil(rel - 1e-9));
  json route = json::array();
  for (int r : roads) route.push_back(m_edges[m_road_edge[r]].id);
  double vmax = std::min(t.max_speed, m_max_lane_speed * t.speed_factor);
  json vehicle = {{"length", t.length},   {"width", t.width},       {"maxPosAcc", t.accel},
                  {"maxNegAcc", t.decel}, {"usualPosAcc", t.accel}, {"usualNegAcc", t.decel},
                  {"minGap", t.min_gap},  {"maxSpeed", vmax},       {"headwayTime", t.tau}};
  m_flow.push_back({{"vehicle", vehicle},
                    {"route", route},
                    {"interval", 1e6},
                    {"startTime", start},
                    {"endTime", start},
                    {"id", id}});
  if (m_trip_without_via) m_flow.back()["routeAtInsertion"] = true;
  m_report.keep("vehicle");
}

// The root of a routes or additionals file.
pugi::xml_node routes_root(const Doc& d) {
  pugi::xml_node root = d.doc.document_element();
  const std::string_view name = root ? root.name() : "";
  if (name != "routes" && name != "additional" && name != "add") {
    throw Error(
        ErrorCode::kInvalidInput, d.name,
        "expected SUMO routes or additionals (root element <routes>, <additional> or <add>)");
  }
  return root;
}

void Importer::read_types(Doc& d) {
  pugi::xml_node root = routes_root(d);
  for (pugi::xml_node n : root.children()) {
    std::string_view name = n.name();
    if (name == "vType") {
      read_vtype(d, n);
    } else if (name == "vTypeDistribution") {
      std::string id = str(d, n, "id");
      auto& dist = m_vtype_dists[id];
      for (pugi::xml_node t : n.children("vType")) {
        read_vtype(d, t);
        dist.push_back({str(d, t, "id"), num(d, t, "probability", 1.0)});
      }
      for (const std::string& t : split(n.attribute("vTypes").value())) {
        if (!m_vtypes.count(t)) fail(d, n, "unknown vType \"" + t + "\" in vTypes");
        dist.push_back({t, 1.0});
      }
      if (dist.empty()) fail(d, n, "a vTypeDistribution needs at least one vType");
    }
  }
}

void Importer::read_routes(Doc& d) {
  pugi::xml_node root = routes_root(d);
  auto depart_of = [&](const pugi::xml_node& n, const char* attr, bool& ok) {
    std::string dep = n.attribute(attr).value();
    double v = 0;
    ok = true;
    if (parse_double(dep.c_str(), v) && v >= 0) return v;
    if (dep == "triggered" || dep == "containerTriggered" || dep == "split") {
      ok = false;
      return 0.0;
    }
    if (dep == "now" || dep == "begin") return m_begin;
    fail(d, n, std::string("attribute ") + attr + "=\"" + dep + "\" (expected seconds)");
  };
  auto route_edges = [&](const pugi::xml_node& n, const std::string& vid, std::vector<int>& roads,
                         bool& ok) {
    // A route by reference (route="id", possibly a distribution) or nested.
    std::vector<std::string> edges;
    ok = true;
    std::vector<std::pair<std::vector<std::string>, double>> nested;
    if (pugi::xml_node rd = n.child("routeDistribution")) {
      for (pugi::xml_node alt : rd.children("route"))
        nested.push_back({split(alt.attribute("edges").value()), num(d, alt, "probability", 1.0)});
      if (nested.empty()) fail(d, rd, "a route distribution needs at least one <route>");
    }
    if (n.attribute("route") || !nested.empty()) {
      const std::vector<std::pair<std::vector<std::string>, double>>* found = &nested;
      if (auto ra = n.attribute("route")) {
        auto it = m_routes.find(ra.value());
        if (it == m_routes.end()) fail(d, n, "unknown route \"" + std::string(ra.value()) + "\"");
        found = &it->second;
      }
      const auto& alts = *found;
      double total = 0;
      for (const auto& [e, p] : alts) total += p;
      double u = static_cast<double>(
                     random_u64(0x726f7574, std::hash<std::string>{}(vid), m_draws++) >> 11) *
                 0x1.0p-53 * total;
      std::size_t pick = alts.size() - 1;
      for (std::size_t i = 0; i < alts.size(); ++i) {
        if (u < alts[i].second) {
          pick = i;
          break;
        }
        u -= alts[i].second;
      }
      edges = alts[pick].first;
    } else if (pugi::xml_node r = n.child("route")) {
      edges = split(r.attribute("edges").value());
    } else {
      fail(d, n, "no route (expected a route attribute or a nested <route>)");
    }
    roads.clear();
    for (const std::string& e : edges) {
      int r = road_of(e);
      if (r < 0) {
        if (!m_edge_index.count(e)) fail(d, n, "unknown edge \"" + e + "\" in the route");
        m_report.drop("vehicle", vid, "route uses dropped edge \"" + e + "\"");
        ok = false;
        return;
      }
      roads.push_back(r);
    }
    if (roads.empty()) fail(d, n, "empty route");
  };
  auto trip_roads = [&](const pugi::xml_node& n, const std::string& vid, std::vector<int>& roads,
                        bool& ok) {
    ok = true;
    if (n.attribute("fromTaz") || n.attribute("fromJunction")) {
      m_report.drop("vehicle", vid, "trips between TAZs or junctions are not supported");
      ok = false;
      return;
    }
    std::vector<std::string> stops = {str(d, n, "from")};
    for (const std::string& v : split(n.attribute("via").value())) stops.push_back(v);
    stops.push_back(str(d, n, "to"));
    roads.clear();
    for (std::size_t i = 0; i < stops.size(); ++i) {
      int r = road_of(stops[i]);
      if (r < 0) {
        if (!m_edge_index.count(stops[i])) fail(d, n, "unknown edge \"" + stops[i] + "\"");
        m_report.drop("vehicle", vid, "trip uses dropped edge \"" + stops[i] + "\"");
        ok = false;
        return;
      }
      if (i == 0) {
        roads.push_back(r);
        continue;
      }
      std::vector<int> leg = shortest(roads.back(), r);
      if (leg.empty()) {
        m_report.drop("vehicle", vid,
                      "no path from \"" + stops[i - 1] + "\" to \"" + stops[i] + "\"");
        ok = false;
        return;
      }
      roads.insert(roads.end(), leg.begin() + 1, leg.end());
    }
  };

  for (pugi::xml_node n : root.children()) {
    std::string_view name = n.name();
    if (name == "vType" || name == "vTypeDistribution") {
      continue;  // read_types
    } else if (name == "route") {
      m_routes[str(d, n, "id")] = {{split(str(d, n, "edges")), 1.0}};
    } else if (name == "routeDistribution") {
      auto& alts = m_routes[str(d, n, "id")];
      alts.clear();
      for (pugi::xml_node r : n.children("route")) {
        std::vector<std::string> edges;
        if (r.attribute("refId")) {
          auto it = m_routes.find(r.attribute("refId").value());
          if (it == m_routes.end()) fail(d, r, "unknown route in refId");
          edges = it->second.front().first;
        } else {
          edges = split(str(d, r, "edges"));
        }
        alts.push_back({edges, num(d, r, "probability", 1.0)});
      }
      if (alts.empty()) fail(d, n, "a routeDistribution needs at least one <route>");
    } else if (name == "vehicle" || name == "trip") {
      std::string id = str(d, n, "id");
      bool ok = true;
      double depart = depart_of(n, "depart", ok);
      if (!ok) {
        m_report.drop("vehicle", id,
                      "depart=\"" + std::string(n.attribute("depart").value()) +
                          "\" (triggered departures are not supported)");
        continue;
      }
      std::vector<int> roads;
      if (name == "trip" || (!n.attribute("route") && !n.child("route") &&
                             !n.child("routeDistribution") && n.attribute("from"))) {
        trip_roads(n, id, roads, ok);
      } else {
        route_edges(n, id, roads, ok);
      }
      if (!ok) continue;
      for (pugi::xml_node s : n.children("stop")) {
        m_report.drop("stop",
                      id + " at " + s.attribute("busStop").value() + s.attribute("lane").value(),
                      "stops are not simulated");
      }
      m_trip_without_via =
          (name == "trip" || (!n.attribute("route") && !n.child("route") &&
                              !n.child("routeDistribution") && n.attribute("from"))) &&
          !n.attribute("via");
      add_vehicle(d, n, depart, n.attribute("type").value(), std::move(roads), id);
      m_trip_without_via = false;
    } else if (name == "flow") {
      std::string id = str(d, n, "id");
      double fbegin = num(d, n, "begin", m_begin);
      double fend = num(d, n, "end", std::numeric_limits<double>::quiet_NaN());
      double period = 0, prob = 0;
      int number = -1;
      if (n.attribute("number")) number = integer(d, n, "number");
      if (n.attribute("period")) period = num(d, n, "period");
      if (n.attribute("vehsPerHour")) period = 3600.0 / num(d, n, "vehsPerHour");
      if (n.attribute("probability")) prob = num(d, n, "probability");
      if (std::isnan(fend)) fend = number >= 0 && period > 0 ? fbegin + number * period : 86400;
      if (!(fend >= fbegin)) fail(d, n, "end is before begin");
      if (number >= 0 && period <= 0 && prob <= 0) {
        period = number > 0 ? (fend - fbegin) / number : 0;
      }
      if (!(period > 0) && !(prob > 0 && prob <= 1)) {
        fail(d, n,
             "a flow needs a positive period, vehsPerHour, number with end, or a "
             "probability in (0, 1]");
      }
      std::vector<int> roads;
      bool ok = true;
      if (n.attribute("from") && !n.attribute("route") && !n.child("route")) {
        trip_roads(n, id, roads, ok);
      } else {
        route_edges(n, id, roads, ok);
      }
      if (!ok) continue;
      std::vector<double> departs;
      if (period > 0) {
        for (int i = 0;; ++i) {
          double t = fbegin + i * period;
          if (t >= fend - 1e-9 && !(i == 0 && fend == fbegin)) break;
          if (number >= 0 && i >= number) break;
          if (i > 1000000) fail(d, n, "more than a million vehicles in one flow");
          departs.push_back(t);
        }
      } else {
        for (double t = fbegin; t < fend; t += 1.0) {
          double u = static_cast<double>(random_u64(0x666c6f77, std::hash<std::string>{}(id),
                                                    static_cast<std::uint64_t>(t)) >>
                                         11) *
                     0x1.0p-53;
          if (u < prob) departs.push_back(t);
          if (number >= 0 && static_cast<int>(departs.size()) >= number) break;
        }
      }
      for (std::size_t i = 0; i < departs.size(); ++i) {
        add_vehicle(d, n, departs[i], n.attribute("type").value(), roads,
                    id + "." + std::to_string(i));
      }
    } else if (name == "tlLogic") {
      read_tls(d, n);
    } else if (name == "person" || name == "personFlow" || name == "container" ||
               name == "containerFlow") {
      m_report.drop(std::string(name), n.attribute("id").value(),
                    "persons and containers are not simulated");
    } else if (n.type() == pugi::node_element) {
      m_report.drop("element", std::string(name), "not used by the simulation (" + d.name + ")");
    }
  }
}

ImportedCity Importer::run(const SumoText& net, const std::vector<SumoText>& routes,
                           const std::vector<SumoText>& adds, double begin, double end) {
  m_begin = begin;
  m_vtypes["DEFAULT_VEHTYPE"] = vclass_defaults("passenger");
  m_vtypes["DEFAULT_BIKETYPE"] = vclass_defaults("bicycle");
  Doc nd;
  nd.name = net.name;
  nd.text = std::string(net.text);
  load_doc(nd);
  read_net(nd);
  // Additional files: programs override the net's, vTypes join the route files'.
  for (const SumoText& a : adds) {
    Doc d;
    d.name = a.name;
    d.text = std::string(a.text);
    load_doc(d);
    read_types(d);
    for (pugi::xml_node n : d.doc.document_element().children()) {
      std::string_view name = n.name();
      if (name == "tlLogic") {
        read_tls(d, n);
      } else if (name == "vType" || name == "vTypeDistribution") {
        continue;
      } else if (n.type() == pugi::node_element) {
        m_report.drop("additional", std::string(name) + " " + n.attribute("id").value(),
                      "<" + std::string(name) + "> is not simulated");
      }
    }
  }
  build_roadnet();
  // Types first (route files may use types defined in a later file), then the demand.
  std::vector<std::unique_ptr<Doc>> route_docs;
  for (const SumoText& r : routes) {
    auto d = std::make_unique<Doc>();
    d->name = r.name;
    d->text = std::string(r.text);
    load_doc(*d);
    read_types(*d);
    route_docs.push_back(std::move(d));
  }
  for (auto& d : route_docs) read_routes(*d);
  // Flow entries in departure order (stable: file order for equal times), as SUMO inserts them.
  std::vector<json> items(m_flow.begin(), m_flow.end());
  std::stable_sort(items.begin(), items.end(), [](const json& a, const json& b) {
    return a["startTime"].get<int>() < b["startTime"].get<int>();
  });
  ImportedCity city;
  city.roadnet_json = m_roadnet.dump();
  city.flow_json = json(items).dump();
  city.begin = begin;
  city.end = end;
  city.report = std::move(m_report);
  return city;
}

std::string dir_of(const std::string& file) {
  std::filesystem::path p(file);
  return p.has_parent_path() ? p.parent_path().string() : std::string(".");
}

}  // namespace

std::string read_maybe_gzip(const std::string& file) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) {
    throw Error(ErrorCode::kFileNotFound, file, "no such file");
  }
  gzFile gz = gzopen(file.c_str(), "rb");
  if (gz == nullptr) throw Error(ErrorCode::kIo, file, "cannot open the file");
  std::string out;
  char buf[1 << 16];
  for (;;) {
    int n = gzread(gz, buf, sizeof buf);
    if (n < 0) {
      int errnum = 0;
      std::string msg = gzerror(gz, &errnum);
      gzclose(gz);
      throw Error(ErrorCode::kInvalidInput, file, "corrupt gzip data: " + msg);
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  gzclose(gz);
  return out;
}

SumoInputs read_sumocfg(const std::string& sumocfg_file) {
  Doc d;
  d.name = sumocfg_file;
  d.text = read_maybe_gzip(sumocfg_file);
  load_doc(d);
  pugi::xml_node root = d.doc.document_element();
  if (!root || (std::string_view(root.name()) != "configuration" &&
                std::string_view(root.name()) != "sumoConfiguration")) {
    throw Error(ErrorCode::kInvalidInput, sumocfg_file,
                "expected a SUMO configuration (root element <configuration>)");
  }
  SumoInputs in;
  const std::string dir = dir_of(sumocfg_file);
  auto files = [&](const pugi::xml_node& n) {
    std::vector<std::string> out;
    for (const std::string& f : split(n.attribute("value").value(), ',')) {
      std::filesystem::path p(f);
      out.push_back(p.is_absolute() ? f : (std::filesystem::path(dir) / p).string());
    }
    return out;
  };
  for (pugi::xml_node section : root.children()) {
    for (pugi::xml_node n : section.children()) {
      std::string_view name = n.name();
      if (name == "net-file") {
        auto f = files(n);
        if (f.size() != 1) fail(d, n, "expected one net file");
        in.net_file = f.front();
      } else if (name == "route-files") {
        for (auto& f : files(n)) in.route_files.push_back(f);
      } else if (name == "additional-files") {
        for (auto& f : files(n)) in.additional_files.push_back(f);
      } else if (name == "begin") {
        in.begin = num(d, n, "value");
      } else if (name == "end") {
        in.end = num(d, n, "value");
      }
    }
  }
  if (in.net_file.empty()) {
    throw Error(ErrorCode::kInvalidInput, sumocfg_file, "no <net-file value=...> in <input>");
  }
  return in;
}

ImportedCity parse_sumo(const SumoText& net, const std::vector<SumoText>& routes,
                        const std::vector<SumoText>& additionals, double begin, double end) {
  Importer imp;
  return imp.run(net, routes, additionals, begin, end);
}

ImportedCity import_sumo(const SumoInputs& in) {
  std::vector<std::string> texts;
  texts.reserve(1 + in.route_files.size() + in.additional_files.size());
  texts.push_back(read_maybe_gzip(in.net_file));
  SumoText net{in.net_file, texts.back()};
  std::vector<SumoText> routes, adds;
  for (const auto& f : in.additional_files) texts.push_back(read_maybe_gzip(f));
  for (const auto& f : in.route_files) texts.push_back(read_maybe_gzip(f));
  net.text = texts[0];
  std::size_t k = 1;
  for (const auto& f : in.additional_files) adds.push_back({f, texts[k++]});
  for (const auto& f : in.route_files) routes.push_back({f, texts[k++]});
  return parse_sumo(net, routes, adds, in.begin, in.end);
}

ImportedCity import_sumo_config(const std::string& sumocfg_file) {
  return import_sumo(read_sumocfg(sumocfg_file));
}

}  // namespace citybrain::import
