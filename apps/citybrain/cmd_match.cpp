// citybrain match / match-eval: map-match a probe CSV onto a network; measure accuracy and speed
// on the Kubicka et al. tracks.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include "citybrain/core/error.hpp"
#include "citybrain/net/cityflow_roadnet.hpp"
#include "citybrain/sense/evaluation.hpp"
#include "citybrain/sense/matcher.hpp"
#include "citybrain/sense/probe.hpp"
#include "commands.hpp"

namespace citybrain::cli {

namespace {

void add_params(CLI::App* c, sense::MatchParams& p) {
  c->add_option("--radius", p.radius, "Candidate search radius, m")->capture_default_str();
  c->add_option("--k", p.k, "Candidates per point (1..32)")->capture_default_str();
  c->add_option("--sigma", p.sigma, "GPS noise, m")->capture_default_str();
  c->add_option("--beta", p.beta, "Transition scale, m")->capture_default_str();
  c->add_option("--lag", p.max_lag, "Points until a road is final at the latest")
      ->capture_default_str();
  c->add_option("--max-gap", p.max_gap, "Seconds of silence that split a track")
      ->capture_default_str();
  c->add_option("--reorder-window", p.reorder_window, "Seconds a late point may arrive")
      ->capture_default_str();
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

sense::RoadGraph load_graph(const std::string& network, bool lonlat) {
  for (const char* tail : {".nodes", ".nodes.gz"}) {
    if (ends_with(network, tail)) {
      const std::string base = network.substr(0, network.size() - std::string(tail).size());
      const std::string arcs = base + (ends_with(network, ".gz") ? ".arcs.gz" : ".arcs");
      return sense::load_kubicka_graph(network, arcs);
    }
  }
  const net::Network net = net::load_cityflow_roadnet(network);
  return sense::graph_from_network(net, lonlat);
}

}  // namespace

void add_match(CLI::App& app, MatchArgs& args) {
  args.match = app.add_subcommand("match", "Map-match probe points (id,time,lon,lat) to roads");
  auto* m = args.match;
  m->add_option("--network", args.network,
                "CityFlow roadnet.json, or a Kubicka .nodes[.gz] file (its .arcs beside it)")
      ->required();
  m->add_option("--points", args.points, "Probe CSV: id,time,lon,lat[,speed,heading]")->required();
  m->add_option("--out", args.out, "Matched CSV: id,time,road,offset,distance,segment")->required();
  m->add_flag("--lonlat", args.lonlat,
              "CityFlow road points are longitude/latitude (projected); default: metres");
  add_params(m, args.params);

  args.eval =
      app.add_subcommand("match-eval", "Accuracy and speed of map matching on the Kubicka tracks");
  auto* e = args.eval;
  e->add_option("--data", args.data, "Folder of the Kubicka tracks")->capture_default_str();
  e->add_option("--first", args.first, "First track")->capture_default_str();
  e->add_option("--count", args.count, "Number of tracks")->capture_default_str();
  e->add_flag("--per-track", args.per_track, "Print a row per track");
  add_params(e, args.eval_params);
}

int run_match(const MatchArgs& a) {
  using Clock = std::chrono::steady_clock;
  const sense::RoadGraph graph = load_graph(a.network, a.lonlat);
  const sense::ProbeSet probes = sense::load_probe_csv(a.points);
  const bool planar_graph = !graph.projection().geographic;
  sense::OnlineMatcher matcher(graph, a.params);
  sense::MatchOutput out;
  const auto t0 = Clock::now();
  for (const sense::ProbePoint& p : probes.points) {
    const Point xy = planar_graph ? Point{p.x, p.y} : graph.projection().to_xy(p.x, p.y);
    matcher.push(p.vehicle, p.time, xy, out);
  }
  matcher.finish_all(out);
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  std::ofstream f(a.out);
  if (!f) throw Error(ErrorCode::kIo, a.out, "cannot write the file");
  f << "id,time,road,offset,distance,segment\n";
  char buf[64];
  for (const sense::MatchedPoint& m : out.points) {
    f << probes.vehicle_names[m.vehicle] << ',';
    std::snprintf(buf, sizeof buf, "%.3f", m.time);
    f << buf << ',';
    if (m.edge.valid()) {
      f << graph.edge_name(m.edge);
      std::snprintf(buf, sizeof buf, ",%.2f,%.2f,%u\n", m.offset, m.distance, m.segment);
      f << buf;
    } else {
      f << ",,," << m.segment << '\n';
    }
  }
  if (!f) throw Error(ErrorCode::kIo, a.out, "cannot write the file");
  const auto& st = matcher.stats();
  std::fprintf(stderr,
               "matched %llu points of %zu vehicles in %.3f s (%.0f points/s); %llu unmatched, "
               "%llu splits, %llu late dropped -> %s\n",
               static_cast<unsigned long long>(st.points), probes.vehicle_names.size(), secs,
               secs > 0 ? static_cast<double>(st.points) / secs : 0.0,
               static_cast<unsigned long long>(st.unmatched),
               static_cast<unsigned long long>(st.breaks),
               static_cast<unsigned long long>(st.late_dropped), a.out.c_str());
  return 0;
}

int run_match_eval(const MatchArgs& a) {
  const auto row = [&](const sense::KubickaRow& r) {
    if (!a.per_track) return;
    std::printf("%08d %7zu pts %4zu unmatched %3zu segs  correct %6.2f %%  mismatch %6.2f %%\n",
                r.track, r.points, r.unmatched_points, r.segments, 100 * r.score.correct_fraction(),
                100 * r.score.mismatch());
  };
  const sense::KubickaReport rep =
      sense::evaluate_kubicka(a.data, a.eval_params, a.first, a.count, row);
  const auto& p = a.eval_params;
  std::printf(
      "Kubicka et al. 2015, tracks %d..%d (radius %.0f m, k %u, sigma %.2f m, beta %.2f m, "
      "lag %u)\n",
      a.first, a.first + a.count - 1, p.radius, p.k, p.sigma, p.beta, p.max_lag);
  std::printf("| metric | value |\n|---|---|\n");
  std::printf("| tracks matched | %zu / %zu |\n", rep.tracks_matched, rep.rows.size());
  std::printf("| points | %zu |\n", rep.points);
  std::printf("| length-weighted correct (all tracks) | %.2f %% |\n",
              100 * rep.total.correct_fraction());
  std::printf("| route mismatch, Newson-Krumm (all tracks, length-weighted) | %.2f %% |\n",
              100 * rep.total.mismatch());
  std::printf("| mean per-track correct | %.2f %% |\n", 100 * rep.mean_correct());
  std::printf("| mean per-track route mismatch | %.2f %% |\n", 100 * rep.mean_mismatch());
  std::printf("| matching time, one thread | %.3f s |\n", rep.match_seconds);
  std::printf("| matching CPU time, one thread | %.3f s |\n", rep.match_cpu_seconds);
  std::printf("| points per second (wall / CPU) | %.0f / %.0f |\n", rep.points_per_second(),
              rep.points_per_cpu_second());
  std::printf("| precomputation (graph + segment grid), all tracks | %.3f s |\n",
              rep.index_seconds);
  std::printf("| graph + index memory, largest track / all tracks | %.1f MB / %.1f MB |\n",
              static_cast<double>(rep.max_graph_bytes) / 1e6,
              static_cast<double>(rep.total_graph_bytes) / 1e6);
  std::printf("| file parsing (not counted) | %.3f s |\n", rep.read_seconds);
  return 0;
}

}  // namespace citybrain::cli
