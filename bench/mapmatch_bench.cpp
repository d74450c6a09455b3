// Map-matching benchmark on the Kubicka et al. tracks: accuracy, points/s on one thread (network
// loading excluded), precomputation time and memory. Usage:
//   citybrain_mapmatch_bench [data_dir] [first] [count] [lag] [k] [radius] [sigma] [beta]
// MAPMATCH_CACHE=<m> sets the route cache radius (0: off); MAPMATCH_JITTER=<m> the backward jitter;
// MAPMATCH_VERBOSE=1 prints every track.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "citybrain/core/error.hpp"
#include "citybrain/sense/evaluation.hpp"

int main(int argc, char** argv) {
  namespace sense = citybrain::sense;
  std::string dir = argc > 1 ? argv[1] : "../shared/data/mapmatch/kubicka";
  const int first = argc > 2 ? std::atoi(argv[2]) : 0;
  const int count = argc > 3 ? std::atoi(argv[3]) : 100;
  sense::MatchParams p;
  if (argc > 4) p.max_lag = static_cast<std::uint32_t>(std::atoi(argv[4]));
  if (argc > 5) p.k = static_cast<std::uint32_t>(std::atoi(argv[5]));
  if (argc > 6) p.radius = std::atof(argv[6]);
  if (argc > 7) p.sigma = std::atof(argv[7]);
  if (argc > 8) p.beta = std::atof(argv[8]);
  if (const char* c = std::getenv("MAPMATCH_CACHE")) p.cache_bound = std::atof(c);
  if (const char* j = std::getenv("MAPMATCH_JITTER")) p.backward_jitter = std::atof(j);
  const bool verbose = std::getenv("MAPMATCH_VERBOSE") != nullptr;
  try {
    const auto rep = sense::evaluate_kubicka(dir, p, first, count, [&](const sense::KubickaRow& r) {
      if (verbose || r.score.correct_fraction() < 0.95) {
        std::printf("%08d %7zu pts %4zu unmatched %3zu segs  correct %6.2f %%  mismatch %6.2f %%\n",
                    r.track, r.points, r.unmatched_points, r.segments,
                    100 * r.score.correct_fraction(), 100 * r.score.mismatch());
      }
    });
    std::printf(
        "tracks %zu/%zu matched  points %zu  correct %.3f %%  mismatch %.3f %%  (mean per track: "
        "correct %.3f %% mismatch %.3f %%)\n",
        rep.tracks_matched, rep.rows.size(), rep.points, 100 * rep.total.correct_fraction(),
        100 * rep.total.mismatch(), 100 * rep.mean_correct(), 100 * rep.mean_mismatch());
    std::printf(
        "match %.3f s wall, %.3f s CPU: %.0f points/s (wall), %.0f points/CPU-s  index %.3f s  "
        "memory max %.1f MB total %.1f MB  parse %.2f s\n",
        rep.match_seconds, rep.match_cpu_seconds, rep.points_per_second(),
        rep.points_per_cpu_second(), rep.index_seconds,
        static_cast<double>(rep.max_graph_bytes) / 1e6,
        static_cast<double>(rep.total_graph_bytes) / 1e6, rep.read_seconds);
  } catch (const citybrain::Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  }
  return 0;
}
