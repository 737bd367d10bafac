// The pool of threads (see pool.hpp): chunks handed out, results consumed in run order.
#include "vary/pool.hpp"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "dcplan/error.hpp"

namespace dcplan::vary {

void check_jobs(int jobs, int most) {
  if (jobs < 0 || jobs > most) {
    throw InputError("--jobs", "",
                     "expected 0 (every core) to " + std::to_string(most) + " threads");
  }
}

int threads_for(int jobs, long long items) {
  const int want = jobs > 0 ? jobs : static_cast<int>(std::thread::hardware_concurrency());
  return static_cast<int>(std::clamp<long long>(want, 1, std::max<long long>(items, 1)));
}

namespace {

//! Runs a worker takes at once, at most: fewer hand-overs (each may wake a thread) than one run
//! at a time, while the ring stays small.
constexpr long long kChunk = 32;

void check_cancel(const std::atomic<int>* cancel) {
  if (cancel != nullptr && cancel->load() != 0) throw Interrupted(cancel->load());
}

//! Every run on the caller's thread, in order.
void run_serial(PoolWork& work, long long count, const PoolOptions& o) {
  work.prepare(1, 1, 1);
  work.start(0);
  for (long long run = 0; run < count; ++run) {
    check_cancel(o.cancel);
    (void)work.compute(0, run, 0);  // a failure is rethrown by consume
    work.hand_over(0, 0, 0);
    work.consume(run, 0);
    if (o.consumed) o.consumed(run + 1);
  }
}

//! The workers and the ring of slots they fill, which the caller's thread consumes in order.
//! Run r lives in slot r % cap_ from its hand-over until it is consumed. No run at or beyond
//! written_ + cap_ is handed out, so a slot is never handed over while it holds a run not yet
//! consumed, and at most cap_ results wait at any time, however many runs there are.
class Pool {
 public:
  Pool(PoolWork& work, long long count, const PoolOptions& o)
      : work_(work), o_(o), end_(count), threads_(o.threads) {
    // About four chunks per worker: with few runs (solve's grid, optimize's starts) chunks of
    // one, so that every thread gets some; a sweep's 100,000 runs go 32 at a time.
    chunk_ = std::clamp<long long>(count / (4LL * threads_), 1, kChunk);
    // A few chunks per worker: enough that a worker rarely waits for the consumer.
    cap_ = std::min(4 * kChunk * threads_, count);
    ready_.assign(static_cast<std::size_t>(cap_), 0);
    work_.prepare(threads_, static_cast<std::size_t>(chunk_), static_cast<std::size_t>(cap_));
  }

  void run() {
    std::vector<std::thread> workers;
    auto finish = [&] {
      {
        std::lock_guard lock(mu_);
        stop_ = true;
      }
      cv_work_.notify_all();
      for (auto& t : workers) t.join();
    };
    try {
      for (int k = 0; k < threads_; ++k) workers.emplace_back([this, k] { worker_loop(k); });
      consume_in_order();
    } catch (...) {
      finish();
      throw;
    }
    finish();
  }

 private:
  [[nodiscard]] std::size_t slot_of(long long run) const {
    return static_cast<std::size_t>(run % cap_);
  }

  //! A worker: takes a chunk of consecutive runs, computes them into slots of its own, hands
  //! them over under one lock. A failed run ends its chunk and lowers end_ to just past it.
  void worker_loop(int k) {
    work_.start(k);
    while (true) {
      long long first = 0, n = 0;
      {
        std::unique_lock lock(mu_);
        ++idle_workers_;
        cv_work_.wait(lock, [&] { return stop_ || next_ >= end_ || next_ < written_ + cap_; });
        --idle_workers_;
        if (stop_ || next_ >= end_) return;
        first = next_;
        n = std::min({chunk_, end_ - next_, written_ + cap_ - next_});
        next_ += n;
      }
      long long failed = -1;
      for (long long i = 0; i < n; ++i) {
        if (!work_.compute(k, first + i, static_cast<std::size_t>(i))) {
          failed = first + i;
          n = i + 1;
          break;
        }
      }
      bool wake_consumer = false;
      {
        std::lock_guard lock(mu_);
        for (long long i = 0; i < n; ++i) {
          const std::size_t slot = slot_of(first + i);
          work_.hand_over(k, static_cast<std::size_t>(i), slot);
          ready_[slot] = 1;
        }
        // The runs after a failure are not needed: the consumer stops at it.
        if (failed >= 0) end_ = std::min(end_, failed + 1);
        // Chunks are handed over whole, so the consumer always waits at the first run of a
        // chunk: only that chunk's worker needs to wake it.
        wake_consumer = consumer_waiting_ && first == written_;
      }
      if (wake_consumer) cv_ready_.notify_one();
    }
  }

  //! The caller's thread: every ready run from written_ on, in order. No worker touches a ready
  //! slot, so they are consumed outside the lock.
  void consume_in_order() {
    while (true) {
      check_cancel(o_.cancel);
      long long from = 0, ready = 0;
      {
        std::unique_lock lock(mu_);
        if (written_ >= end_) return;
        consumer_waiting_ = true;
        cv_ready_.wait(lock, [&] { return ready_[slot_of(written_)] != 0; });
        consumer_waiting_ = false;
        from = written_;
        while (ready < cap_ && from + ready < end_ && ready_[slot_of(from + ready)] != 0) ++ready;
      }
      for (long long i = 0; i < ready; ++i) work_.consume(from + i, slot_of(from + i));
      bool wake_workers = false;
      {
        std::lock_guard lock(mu_);
        for (long long i = 0; i < ready; ++i) ready_[slot_of(from + i)] = 0;
        written_ += ready;
        wake_workers = idle_workers_ > 0;
      }
      if (wake_workers) cv_work_.notify_all();
      if (o_.consumed) o_.consumed(written_);
    }
  }

  PoolWork& work_;
  const PoolOptions& o_;
  long long end_;  //!< no run from here on is handed out: the count, or just past a failed run
  int threads_;
  long long chunk_ = 1;
  long long cap_ = 1;  //!< slots in the ring
  std::mutex mu_;
  std::condition_variable cv_work_, cv_ready_;
  std::vector<char> ready_;        //!< per slot: its run is computed and not yet consumed
  int idle_workers_ = 0;           //!< waiting on cv_work_
  bool consumer_waiting_ = false;  //!< waiting on cv_ready_
  long long next_ = 0;             //!< next run to hand out
  long long written_ = 0;          //!< runs consumed
  bool stop_ = false;
};

}  // namespace

void run_indices(IndexWork& work, long long count, int threads) {
  if (count <= 0) return;
  threads = static_cast<int>(std::clamp<long long>(threads, 1, count));
  work.prepare(threads);
  const long long chunk = std::clamp<long long>(count / (4LL * threads), 1, kChunk);
  std::atomic<long long> next{0};
  // No run from here on is started: the count, or just past the smallest failed run so far.
  std::atomic<long long> end{count};
  auto worker = [&](int k) {
    work.start(k);
    while (true) {
      const long long first = next.fetch_add(chunk);
      if (first >= end.load()) return;
      const long long last = std::min(first + chunk, count);
      for (long long run = first; run < last && run < end.load(); ++run) {
        if (work.compute(k, run)) continue;
        long long e = end.load();
        while (run + 1 < e && !end.compare_exchange_weak(e, run + 1)) {
        }
        return;  // this worker's later runs all come after its failure
      }
    }
  };
  std::vector<std::thread> others;
  try {
    for (int k = 1; k < threads; ++k) others.emplace_back(worker, k);
  } catch (...) {
    end = 0;  // the workers started stop before their next run
    for (auto& t : others) t.join();
    throw;
  }
  worker(0);
  for (auto& t : others) t.join();
  work.rethrow_first();
}

void run_pool(PoolWork& work, long long count, const PoolOptions& options) {
  if (count <= 0) return;
  if (options.threads <= 1 || count == 1) {
    run_serial(work, count, options);
    return;
  }
  Pool(work, count, options).run();
}

}  // namespace dcplan::vary
