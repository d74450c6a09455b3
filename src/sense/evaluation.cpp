// The Kubicka runner and the route metrics. Matching time excludes file parsing and the index
// build, which are reported apart.
#include "citybrain/sense/evaluation.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "citybrain/core/error.hpp"

namespace citybrain::sense {

namespace {

using Clock = std::chrono::steady_clock;

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::string read_all(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(ErrorCode::kIo, file, "cannot open the file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string_view> split_ws(std::string_view line) {
  std::vector<std::string_view> f;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    std::size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r') ++j;
    if (j > i) f.push_back(line.substr(i, j - i));
    i = j;
  }
  return f;
}

template <typename T>
T parse(std::string_view v, const std::string& where, const char* field) {
  T x{};
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (ec != std::errc() || ptr != v.data() + v.size()) {
    throw Error(ErrorCode::kInvalidInput, where,
                std::string(field) + ": value '" + std::string(v) + "', expected a number");
  }
  return x;
}

std::string existing(const std::string& base) {
  if (std::filesystem::exists(base)) return base;
  if (std::filesystem::exists(base + ".gz")) return base + ".gz";
  throw Error(ErrorCode::kFileNotFound, base, "no such file (nor " + base + ".gz)");
}

// Calls fn(fields, where) for every non-empty line of a whitespace-separated text file; `where`
// is "file:line" for error messages.
template <typename Fn>
void for_each_record(const std::string& file, Fn&& fn) {
  const std::string text = read_all(file);
  std::size_t line_no = 0;
  std::string_view rest = text;
  while (!rest.empty()) {
    const std::size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    ++line_no;
    auto fields = split_ws(line);
    if (fields.empty()) continue;
    fn(fields, file + ":" + std::to_string(line_no));
  }
}

}  // namespace

RouteScore score_route(const RoadGraph& g, std::span<const EdgeId> truth,
                       std::span<const EdgeId> matched) {
  RouteScore s;
  std::unordered_map<std::uint32_t, int> count;
  EdgeId prev;
  for (EdgeId e : truth) {
    if (e == prev) continue;
    prev = e;
    s.truth += g.length(e);
    ++count[e.value];
  }
  prev = EdgeId{};
  for (EdgeId e : matched) {
    if (e == prev) continue;
    prev = e;
    s.matched += g.length(e);
    auto it = count.find(e.value);
    if (it != count.end() && it->second > 0) {
      --it->second;
      s.correct += g.length(e);
    } else {
      s.added += g.length(e);
    }
  }
  s.missed = s.truth - s.correct;
  return s;
}

std::vector<EdgeId> route_edges(const MatchOutput& out) {
  std::vector<EdgeId> r;
  r.reserve(out.route.size());
  for (const RouteStep& st : out.route) {
    if (r.empty() || r.back() != st.edge) r.push_back(st.edge);
  }
  return r;
}

KubickaTrack load_kubicka_track(const std::string& dir, int number) {
  char name[16];
  std::snprintf(name, sizeof name, "%08d", number);
  const std::string base = dir + "/" + name + "/" + name;
  KubickaTrack t;
  auto t0 = Clock::now();
  RoadGraph::Builder b = read_kubicka_graph(existing(base + ".nodes"), existing(base + ".arcs"));
  t.read_seconds = seconds_since(t0);
  t0 = Clock::now();
  t.graph = std::move(b).build();
  t.index_seconds = seconds_since(t0);
  t0 = Clock::now();
  const Projection& proj = t.graph.projection();
  for_each_record(base + ".track", [&](const auto& f, const std::string& where) {
    if (f.size() < 3) throw Error(ErrorCode::kInvalidInput, where, "expected lon<TAB>lat<TAB>time");
    const double lon = parse<double>(f[0], where, "lon");
    const double lat = parse<double>(f[1], where, "lat");
    t.xy.push_back(proj.to_xy(lon, lat));
    t.time.push_back(parse<double>(f[2], where, "time"));
  });
  for_each_record(base + ".route", [&](const auto& f, const std::string& where) {
    const auto arc = parse<std::uint32_t>(f[0], where, "arc");
    if (arc >= t.graph.edge_count()) {
      throw Error(ErrorCode::kInvalidInput, where,
                  "arc: value '" + std::string(f[0]) + "', expected an arc of the network");
    }
    t.truth.push_back(EdgeId(arc));
  });
  t.read_seconds += seconds_since(t0);
  return t;
}

double KubickaReport::mean_mismatch() const {
  double s = 0;
  for (const auto& r : rows) s += r.score.mismatch();
  return rows.empty() ? 0 : s / static_cast<double>(rows.size());
}

double KubickaReport::mean_correct() const {
  double s = 0;
  for (const auto& r : rows) s += r.score.correct_fraction();
  return rows.empty() ? 0 : s / static_cast<double>(rows.size());
}

KubickaReport evaluate_kubicka(const std::string& dir, const MatchParams& params, int first,
                               int count, const std::function<void(const KubickaRow&)>& progress) {
  KubickaReport rep;
  for (int n = first; n < first + count; ++n) {
    KubickaTrack t = load_kubicka_track(dir, n);
    KubickaRow row;
    row.track = n;
    row.points = t.xy.size();
    row.index_seconds = t.index_seconds;
    row.graph_bytes = t.graph.memory_bytes();
    MatchStats stats;
    const double cpu0 = thread_cpu_seconds();
    auto t0 = Clock::now();
    MatchOutput out = match_track(t.graph, params, t.xy, t.time, &stats);
    row.match_seconds = seconds_since(t0);
    row.match_cpu_seconds = thread_cpu_seconds() - cpu0;
    row.unmatched_points = stats.unmatched;
    row.segments = 1 + stats.breaks;
    row.score = score_route(t.graph, t.truth, route_edges(out));
    rep.points += row.points;
    rep.match_seconds += row.match_seconds;
    rep.match_cpu_seconds += row.match_cpu_seconds;
    rep.index_seconds += row.index_seconds;
    rep.read_seconds += t.read_seconds;
    rep.max_graph_bytes = std::max(rep.max_graph_bytes, row.graph_bytes);
    rep.total_graph_bytes += row.graph_bytes;
    rep.total.truth += row.score.truth;
    rep.total.matched += row.score.matched;
    rep.total.correct += row.score.correct;
    rep.total.missed += row.score.missed;
    rep.total.added += row.score.added;
    if (row.score.matched > 0) ++rep.tracks_matched;
    if (progress) progress(row);
    rep.rows.push_back(row);
  }
  return rep;
}

}  // namespace citybrain::sense
