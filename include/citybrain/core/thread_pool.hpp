// A small fork-join pool for the simulation's phases. Work is split into static ranges and every
// index is computed independently, so results never depend on the number of threads.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
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

  // As parallel_for, with the ranges given: worker w takes [bounds[w], bounds[w + 1]). `bounds`
  // has size() + 1 entries; callers use it to balance uneven work.
  template <typename Body>
  void parallel_ranges(std::span<const std::size_t> bounds, Body&& body,
                       std::size_t work = SIZE_MAX, std::size_t min_work = 0) {
    const std::size_t n = bounds.empty() ? 0 : bounds.back();
    if (!splits(work, min_work) || n < 2 ||
        bounds.size() != static_cast<std::size_t>(m_threads) + 1) {
      body(std::size_t{0}, n, 0);
      return;
    }
    m_task = [&](int worker) { body(bounds[worker], bounds[worker + 1], worker); };
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
  std::function<void(int)> m_task;
  std::vector<std::thread> m_workers;
  std::atomic<std::uint64_t> m_generation{0};
  std::atomic<int> m_pending{0};
  std::atomic<bool> m_stop{false};
};

}  // namespace citybrain
