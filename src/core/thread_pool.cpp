#include "citybrain/core/thread_pool.hpp"

#include <algorithm>

namespace citybrain {

namespace {
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}
// The caller spins briefly, then yields its core to the workers it waits for.
constexpr int kSpins = 300;
// A worker spins through the serial part of a simulation step (about 0.2 ms at 19 ns per pause)
// before it sleeps: waking a sleeping thread costs more than a step's serial part on a busy grid.
constexpr int kWorkerSpins = 10000;
}  // namespace

ThreadPool::ThreadPool(int threads)
    : m_threads(std::max(1, threads)), m_next_piece(std::make_unique<Counter[]>(m_threads)) {
  for (int w = 1; w < m_threads; ++w) m_workers.emplace_back([this, w] { worker_loop(w); });
}

ThreadPool::~ThreadPool() {
  m_stop.store(true);
  m_generation.fetch_add(1);
  m_generation.notify_all();
  for (auto& t : m_workers) t.join();
}

void ThreadPool::dispatch() {
  m_pending.store(m_threads - 1, std::memory_order_relaxed);
  m_generation.fetch_add(1, std::memory_order_release);
  m_generation.notify_all();
  m_task(0);
  int spins = 0;
  while (m_pending.load(std::memory_order_acquire) != 0) {
    if (++spins < kSpins) {
      cpu_relax();
    } else {
      std::this_thread::yield();
    }
  }
}

void ThreadPool::worker_loop(int worker) {
  std::uint64_t seen = 0;
  while (true) {
    int spins = 0;
    std::uint64_t gen;
    while ((gen = m_generation.load(std::memory_order_acquire)) == seen) {
      if (++spins < kWorkerSpins) {
        cpu_relax();
      } else {
        m_generation.wait(seen, std::memory_order_acquire);
      }
    }
    seen = gen;
    if (m_stop.load()) return;
    m_task(worker);
    m_pending.fetch_sub(1, std::memory_order_acq_rel);
  }
}

}  // namespace citybrain
