// A small fork-join pool for the simulation's phases. Work is split into ranges, or pieces of them
// taken by whichever thread is free, and every index is computed independently, so results never
// depend on the number of threads.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <thread>
#include <vector>

namespace citybrain {

class ThreadPool {
 public:
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return m_threads; }
  // Whether a call given `work` and `min_work` may split across threads (it runs inline when not).
  bool splits(std::size_t work, std::size_t min_work) const {
    return m_threads > 1 && work >= min_work;
  }

  // As parallel_for, with the ranges given: range r is [bounds[r], bounds[r + 1]), and `bounds`
  // has size() + 1 entries (callers use it to balance uneven work). For work whose cost per index
  // the caller cannot foresee, each range is cut into `pieces` pieces: a thread takes the pieces of
  // its own range in order, then helps with the pieces left in the others. body(begin, end, piece)
  // gets the piece's number, range * pieces + k, so that output kept per piece and joined in piece
  // order keeps index order, whichever thread ran the piece. Below `min_work` it runs inline as one
  // piece, numbered 0.
  template <typename Body>
  void parallel_pieces(std::span<const std::size_t> bounds, std::size_t pieces, Body&& body,
                       std::size_t work = SIZE_MAX, std::size_t min_work = 0) {
    const std::size_t n = bounds.empty() ? 0 : bounds.back();
    if (!splits(work, min_work) || n < 2 ||
        bounds.size() != static_cast<std::size_t>(m_threads) + 1) {
      body(std::size_t{0}, n, std::size_t{0});
      return;
    }
    for (int r = 0; r < m_threads; ++r) m_next_piece[r].value.store(0, std::memory_order_relaxed);
    m_task = [&](int worker) {
      for (int k = 0; k < m_threads; ++k) {
        const int r = (worker + k) % m_threads;
        const std::size_t begin = bounds[r];
        const std::size_t size = bounds[r + 1] - begin;
        std::size_t p;
        while ((p = m_next_piece[r].value.fetch_add(1, std::memory_order_relaxed)) < pieces) {
          body(begin + size * p / pieces, begin + size * (p + 1) / pieces, r * pieces + p);
        }
      }
    };
    dispatch();
  }

  // Runs body(begin, end, worker) over [0, n) split into one contiguous range per thread; returns
  // when all ranges are done. The calling thread takes the first range. Below `min_work` units of
  // work (as the caller counts them) the body runs inline: waking a thread costs more than it
  // saves.
  template <typename Body>
  void parallel_for(std::size_t n, Body&& body, std::size_t work = SIZE_MAX,
                    std::size_t min_work = 0) {
    if (!splits(work, min_work) || n < 2) {
      body(std::size_t{0}, n, 0);
      return;
    }
    m_task = [&](int worker) {
      std::size_t begin = n * worker / m_threads;
      std::size_t end = n * (worker + 1) / m_threads;
      body(begin, end, worker);
    };
    dispatch();
  }

 private:
  void dispatch();
  void worker_loop(int worker);

  int m_threads;
  struct alignas(64) Counter {  // one cache line each: threads take pieces from different ranges
    std::atomic<std::size_t> value{0};
  };
  std::unique_ptr<Counter[]> m_next_piece;  // parallel_pieces: per range, the next piece to take
  std::function<void(int)> m_task;
  std::vector<std::thread> m_workers;
  std::atomic<std::uint64_t> m_generation{0};
  std::atomic<int> m_pending{0};
  std::atomic<bool> m_stop{false};
};

}  // namespace citybrain
