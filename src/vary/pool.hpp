// Private to dcplan_core: the library's one pool of threads, which runs a study's runs (a sweep's
// runs, solve's grid, optimize's starts, sensitivity's points). pool.cpp is the only source that
// starts threads.
//
// Runs [0, count) are handed out to the workers in chunks of consecutive runs, in increasing
// order (at most 32 runs, and small enough that every worker gets about four chunks, so that a
// few long runs still spread over every thread). Each worker computes into a state of its own
// (make(), called on the worker's thread: an engine and a working copy of the scenario), and a
// run's result depends on the run alone, never on which worker ran it or when. Two ways to
// receive the results:
//  - for_each_run (the sweep): the caller's thread consumes them strictly in run order through
//    a ring of slots a few chunks per worker long. A worker takes a chunk under one lock and
//    hands its results over under one more, so threads rarely wait for each other (every
//    wake-up is a system call), and takes no run more than a ring ahead of the last one
//    consumed, so memory stays bounded however many runs there are. Whatever the thread count
//    and whichever worker computed what, the consumer sees the same results in the same order:
//    a sweep's rows, streamed as they come, do not depend on --jobs.
//  - for_each_index (solve, optimize, sensitivity): each run writes its own result in place (an
//    element of a vector or a matrix row, its index's alone), so nothing is handed over and no
//    order is needed; the caller's thread is one of the workers, and the chunks are taken from
//    one atomic counter.
//
// A run that throws stops the pool at it: no later run is handed out, the runs before it are
// finished (and, in run order, consumed), and its error is rethrown on the caller's thread once
// every worker has stopped. That is the error of the smallest run that fails, whatever the
// threads: chunks go out in increasing order, so every smaller run was handed out, and ran,
// before it. An Interrupted run stops the rest promptly too: no worker starts another run past
// it. `cancel`, when given, is also checked on the caller's thread between chunks it consumes.
#pragma once

#include <atomic>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

namespace dcplan::vary {

//! The most threads solve, optimize and sensitivity take (--jobs).
inline constexpr int kMaxJobs = 1024;

//! Refuses a thread count outside 0 (every core) to `most`: InputError naming --jobs.
void check_jobs(int jobs, int most = kMaxJobs);

//! The threads to use: `jobs`, or the number of cores when it is 0; at least 1, at most `items`.
[[nodiscard]] int threads_for(int jobs, long long items);

struct PoolOptions {
  int threads = 1;  //!< workers (threads_for); 1: every run on the caller's thread, in order
  //! When it holds a signal number the pool stops with Interrupted (the caller's thread checks
  //! it before every chunk it consumes).
  const std::atomic<int>* cancel = nullptr;
  //! Called on the caller's thread after results are consumed, with the number consumed.
  std::function<void(long long consumed)> consumed;
};

//! What the pool asks of the runs: for_each_run implements it over the caller's types. compute
//! and hand_over never throw.
class PoolWork {
 public:
  virtual ~PoolWork() = default;
  //! Before any thread starts: `workers` workers of `chunk` local slots each, `slots` shared ones.
  virtual void prepare(int workers, std::size_t chunk, std::size_t slots) = 0;
  //! On worker `worker`'s own thread, before its first run: its state.
  virtual void start(int worker) noexcept = 0;
  //! Run `run` into the worker's local slot `local`, without the lock; false when it failed.
  virtual bool compute(int worker, long long run, std::size_t local) noexcept = 0;
  //! The worker's local slot into shared slot `slot` (a swap, under the lock).
  virtual void hand_over(int worker, std::size_t local, std::size_t slot) noexcept = 0;
  //! Shared slot `slot`, holding run `run`, on the caller's thread in run order; rethrows the
  //! run's error.
  virtual void consume(long long run, std::size_t slot) = 0;
};

//! Runs `work` for runs [0, count), consumed in run order, as described above.
void run_pool(PoolWork& work, long long count, const PoolOptions& options);

//! What for_each_index asks of the runs. start and compute never throw.
class IndexWork {
 public:
  virtual ~IndexWork() = default;
  //! Before any thread starts: `workers` workers.
  virtual void prepare(int workers) = 0;
  //! On worker `worker`'s own thread, before its first run: its state.
  virtual void start(int worker) noexcept = 0;
  //! Run `run` on worker `worker`; false when it failed (the worker keeps its first error: the
  //! runs a worker takes only increase).
  virtual bool compute(int worker, long long run) noexcept = 0;
  //! Once every worker has stopped: rethrows the error of the smallest failed run, if any.
  virtual void rethrow_first() = 0;
};

//! Runs `work` for runs [0, count) on `threads` workers, the caller's thread among them.
void run_indices(IndexWork& work, long long count, int threads);

//! Computes every run of [0, count) into a Result with compute(state, run, result) on the
//! workers, each with its own state = make(), and hands the results to consume(run, result) on
//! the caller's thread, in run order. A Result is reused from run to run (its buffers keep their
//! capacity). The error of the smallest run that throws is rethrown once the workers have
//! stopped; so is an error of consume or of `options.consumed`.
template <class Result, class Make, class Compute, class Consume>
void for_each_run(long long count, const PoolOptions& options, Make make, Compute compute,
                  Consume consume) {
  using State = std::invoke_result_t<Make&>;
  struct Slot {
    Result value{};
    std::exception_ptr error;
  };
  struct Local {
    std::unique_ptr<State> state;
    std::exception_ptr setup_error;
    std::vector<Slot> slots;
  };
  class Work final : public PoolWork {
   public:
    Work(Make& make, Compute& compute, Consume& consume)
        : make_(make), compute_(compute), consume_(consume) {}
    void prepare(int workers, std::size_t chunk, std::size_t slots) override {
      locals_.clear();
      for (int k = 0; k < workers; ++k) {
        locals_.push_back(std::make_unique<Local>());
        locals_.back()->slots.resize(chunk);
      }
      shared_.resize(slots);
    }
    void start(int worker) noexcept override {
      Local& l = *locals_[static_cast<std::size_t>(worker)];
      try {
        l.state.reset(new State(make_()));
      } catch (...) {
        l.setup_error = std::current_exception();
      }
    }
    bool compute(int worker, long long run, std::size_t local) noexcept override {
      Local& l = *locals_[static_cast<std::size_t>(worker)];
      Slot& s = l.slots[local];
      s.error = l.setup_error;
      if (s.error) return false;
      try {
        compute_(*l.state, run, s.value);
        return true;
      } catch (...) {
        s.error = std::current_exception();
        return false;
      }
    }
    void hand_over(int worker, std::size_t local, std::size_t slot) noexcept override {
      std::swap(locals_[static_cast<std::size_t>(worker)]->slots[local], shared_[slot]);
    }
    void consume(long long run, std::size_t slot) override {
      Slot& s = shared_[slot];
      if (s.error) std::rethrow_exception(s.error);
      consume_(run, s.value);
    }

   private:
    Make& make_;
    Compute& compute_;
    Consume& consume_;
    std::vector<std::unique_ptr<Local>> locals_;  //!< one per worker, apart in memory
    std::vector<Slot> shared_;
  };
  Work work(make, compute, consume);
  run_pool(work, count, options);
}

//! body(state, i) for every i in [0, count) on `threads` workers (the caller's thread one of
//! them), each with its own state = make(); for work that writes its results in place (each i
//! its own). The error of the smallest i that throws is rethrown once the workers have stopped;
//! an Interrupted i stops the rest.
template <class Make, class Body>
void for_each_index(long long count, int threads, Make make, Body body) {
  using State = std::invoke_result_t<Make&>;
  struct Local {
    std::unique_ptr<State> state;
    std::exception_ptr setup_error;
    std::exception_ptr error;  //!< of the worker's first failed run
    long long failed = -1;     //!< that run
  };
  class Work final : public IndexWork {
   public:
    Work(Make& make, Body& body) : make_(make), body_(body) {}
    void prepare(int workers) override {
      locals_.clear();
      for (int k = 0; k < workers; ++k) locals_.push_back(std::make_unique<Local>());
    }
    void start(int worker) noexcept override {
      Local& l = *locals_[static_cast<std::size_t>(worker)];
      try {
        l.state.reset(new State(make_()));
      } catch (...) {
        l.setup_error = std::current_exception();
      }
    }
    bool compute(int worker, long long run) noexcept override {
      Local& l = *locals_[static_cast<std::size_t>(worker)];
      try {
        if (l.setup_error) std::rethrow_exception(l.setup_error);
        body_(*l.state, run);
        return true;
      } catch (...) {
        l.error = std::current_exception();
        l.failed = run;
        return false;
      }
    }
    void rethrow_first() override {
      const Local* first = nullptr;
      for (const auto& l : locals_) {
        if (l->failed >= 0 && (first == nullptr || l->failed < first->failed)) first = l.get();
      }
      if (first != nullptr) std::rethrow_exception(first->error);
    }

   private:
    Make& make_;
    Body& body_;
    std::vector<std::unique_ptr<Local>> locals_;  //!< one per worker, apart in memory
  };
  Work work(make, body);
  run_indices(work, count, threads);
}

}  // namespace dcplan::vary
