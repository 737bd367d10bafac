// Private to dcplan_core: the threads of solve, optimize and sensitivity. Work items are
// independent and each is computed the same way on any thread, so results do not depend on the
// thread count; neither does which error is reported.
#pragma once

#include <algorithm>
#include <exception>
#include <string>
#include <thread>
#include <vector>

#include "dcplan/error.hpp"

namespace dcplan::search {

//! The most threads solve, optimize and sensitivity take (--jobs).
inline constexpr int kMaxJobs = 1024;

//! Refuses a thread count outside 0 (every core) to kMaxJobs.
inline void check_jobs(int jobs) {
  if (jobs < 0 || jobs > kMaxJobs) {
    throw InputError("--jobs", "",
                     "expected 0 (every core) to " + std::to_string(kMaxJobs) + " threads");
  }
}

//! The threads to use: `jobs`, or the number of cores when it is 0; at least 1, at most `items`.
inline int threads_for(int jobs, std::size_t items) {
  const int want = jobs > 0 ? jobs : static_cast<int>(std::thread::hardware_concurrency());
  return std::clamp(want, 1, static_cast<int>(std::max<std::size_t>(items, 1)));
}

//! Calls body(state, i) for every i in [0, n) on `jobs` threads (the caller's is one of them).
//! Thread k makes its own state with make() (an evaluator: one per thread) and takes
//! i = k, k + jobs, ... Once every thread has ended, the error of the smallest i is rethrown. A
//! thread whose item was Interrupted takes no more.
template <class Make, class Body>
void parallel_for(std::size_t n, int jobs, Make&& make, Body&& body) {
  std::vector<std::exception_ptr> errors(n);
  std::exception_ptr setup_error;
  auto work = [&](int k) {
    try {
      auto state = make();
      for (std::size_t i = static_cast<std::size_t>(k); i < n;
           i += static_cast<std::size_t>(jobs)) {
        try {
          body(state, i);
        } catch (const Interrupted&) {
          errors[i] = std::current_exception();
          return;  // the rest would be interrupted too
        } catch (...) {
          errors[i] = std::current_exception();
        }
      }
    } catch (...) {
      if (k == 0) setup_error = std::current_exception();
    }
  };
  std::vector<std::thread> threads;
  for (int k = 1; k < jobs; ++k) threads.emplace_back(work, k);
  work(0);
  for (auto& t : threads) t.join();
  if (setup_error) std::rethrow_exception(setup_error);
  for (auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

}  // namespace dcplan::search
