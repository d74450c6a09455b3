// Accuracy and speed of map matching against ground-truth routes: the Kubicka et al. 2015
// dataset runner and the route metrics (Newson & Krumm's route mismatch fraction and the
// length-weighted correct fraction).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "citybrain/sense/matcher.hpp"
#include "citybrain/sense/road_graph.hpp"

namespace citybrain::sense {

// Lengths in metres. Routes are compared as multisets of edges (an edge driven twice counts
// twice); consecutive repeats of one edge are one traversal.
struct RouteScore {
  double truth = 0;    // d0: length of the true route
  double matched = 0;  // length of the matched route
  double correct = 0;  // length of the true route's edges also in the matched route
  double missed = 0;   // d-: true length not matched (includes unmatched parts of the track)
  double added = 0;    // d+: matched length not in the true route
  // Newson & Krumm's route mismatch fraction (d- + d+) / d0.
  double mismatch() const { return truth > 0 ? (missed + added) / truth : 0; }
  // Length-weighted correct fraction: correct / d0.
  double correct_fraction() const { return truth > 0 ? correct / truth : 0; }
};

RouteScore score_route(const RoadGraph& graph, std::span<const EdgeId> truth,
                       std::span<const EdgeId> matched);

// The edges of a matched route, consecutive repeats collapsed.
std::vector<EdgeId> route_edges(const MatchOutput& out);

struct KubickaTrack {
  RoadGraph graph;
  std::vector<Point> xy;  // projected into graph's frame
  std::vector<double> time;
  std::vector<EdgeId> truth;
  double read_seconds = 0;   // parsing the files
  double index_seconds = 0;  // building the graph and its segment grid (precomputation)
};

// dir holds NNNNNNNN/NNNNNNNN.{nodes[.gz],arcs[.gz],track,route}.
KubickaTrack load_kubicka_track(const std::string& dir, int number);

struct KubickaRow {
  int track = 0;
  std::size_t points = 0;
  std::size_t unmatched_points = 0;
  std::size_t segments = 0;
  RouteScore score;
  double match_seconds = 0;      // wall clock
  double match_cpu_seconds = 0;  // this thread's CPU time (robust on a loaded machine)
  double index_seconds = 0;
  std::size_t graph_bytes = 0;
};

struct KubickaReport {
  std::vector<KubickaRow> rows;
  RouteScore total;  // sums over all tracks
  std::size_t points = 0;
  std::size_t tracks_matched = 0;  // tracks with some matched route
  double match_seconds = 0;
  double match_cpu_seconds = 0;
  double index_seconds = 0;
  double read_seconds = 0;
  std::size_t max_graph_bytes = 0;
  std::size_t total_graph_bytes = 0;
  double points_per_second() const {
    return match_seconds > 0 ? static_cast<double>(points) / match_seconds : 0;
  }
  double points_per_cpu_second() const {
    return match_cpu_seconds > 0 ? static_cast<double>(points) / match_cpu_seconds : 0;
  }
  // Mean over tracks (each track weighs the same).
  double mean_mismatch() const;
  double mean_correct() const;
};

KubickaReport evaluate_kubicka(const std::string& dir, const MatchParams& params, int first = 0,
                               int count = 100,
                               const std::function<void(const KubickaRow&)>& progress = {});

}  // namespace citybrain::sense
