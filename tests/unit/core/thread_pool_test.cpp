#include "citybrain/core/thread_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
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

}  // namespace
}  // namespace citybrain
