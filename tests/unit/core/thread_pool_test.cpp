#include "citybrain/core/thread_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace citybrain {
namespace {

TEST(ThreadPool, SplitsWorkOverEveryThreadAndCoversEachIndexOnce) {
  ThreadPool pool(2);
  std::vector<int> hits(1000, 0);
  std::atomic<int> workers_seen{0};
  pool.parallel_for(hits.size(), [&](std::size_t begin, std::size_t end, int worker) {
    workers_seen.fetch_or(1 << worker);
    for (std::size_t i = begin; i < end; ++i) ++hits[i];
  });
  EXPECT_EQ(workers_seen.load(), 0b11);
  for (int h : hits) EXPECT_EQ(h, 1);
}

TEST(ThreadPool, RunsInlineBelowTheWorkThreshold) {
  ThreadPool pool(2);
  std::atomic<int> workers_seen{0};
  pool.parallel_for(
      100, [&](std::size_t, std::size_t, int worker) { workers_seen.fetch_or(1 << worker); },
      /*work=*/10, /*min_work=*/11);
  EXPECT_EQ(workers_seen.load(), 0b01);
}

TEST(ThreadPool, PiecesJoinedInPieceOrderKeepIndexOrder) {
  ThreadPool pool(2);
  constexpr std::size_t kPieces = 4;
  const std::vector<std::size_t> bounds = {0, 10, 1003};  // uneven shares, sizes not multiples
  std::vector<std::vector<std::size_t>> out(2 * kPieces);
  pool.parallel_pieces(bounds, kPieces, [&](std::size_t begin, std::size_t end, std::size_t p) {
    for (std::size_t i = begin; i < end; ++i) out[p].push_back(i);
  });
  std::vector<std::size_t> joined;
  for (const auto& piece : out) joined.insert(joined.end(), piece.begin(), piece.end());
  ASSERT_EQ(joined.size(), 1003u);
  for (std::size_t i = 0; i < joined.size(); ++i) EXPECT_EQ(joined[i], i);
}

TEST(ThreadPool, AThreadDoneEarlyTakesPiecesOfTheOtherShare) {
  ThreadPool pool(2);
  constexpr std::size_t kPieces = 8;
  const std::vector<std::size_t> bounds = {0, 8, 16};
  std::vector<std::thread::id> ran(2 * kPieces);
  pool.parallel_pieces(bounds, kPieces, [&](std::size_t begin, std::size_t, std::size_t p) {
    // The second share is slow: the caller, done with the first, must help with it.
    if (begin >= 8) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ran[p] = std::this_thread::get_id();
  });
  int by_caller = 0;
  for (std::size_t p = kPieces; p < 2 * kPieces; ++p)
    by_caller += ran[p] == std::this_thread::get_id();
  EXPECT_GT(by_caller, 0);
  for (std::size_t p = 0; p < kPieces; ++p) EXPECT_NE(ran[p], std::thread::id());
}

TEST(ThreadPool, PiecesRunInlineAsOnePieceBelowTheWorkThreshold) {
  ThreadPool pool(2);
  std::vector<std::size_t> pieces;
  const std::vector<std::size_t> bounds = {0, 50, 100};
  pool.parallel_pieces(
      bounds, 4,
      [&](std::size_t begin, std::size_t end, std::size_t p) {
        EXPECT_EQ(begin, 0u);
        EXPECT_EQ(end, 100u);
        pieces.push_back(p);
      },
      /*work=*/10, /*min_work=*/11);
  EXPECT_EQ(pieces, std::vector<std::size_t>{0});
}

}  // namespace
}  // namespace citybrain
