// Private to dcplan_core: one thread's runs of a varied scenario (vary/binding.hpp). A Runner
// holds a working copy of the scenario, an engine and its results, all reused from one run to
// the next; a study makes one per thread (the pool's state, vary/pool.hpp) and gives it each
// run's values.
#pragma once

#include <atomic>
#include <vector>

#include "dcplan/engine.hpp"
#include "vary/binding.hpp"

namespace dcplan::vary {

class Runner {
 public:
  //! A signal number in `cancel` stops every later run with Interrupted.
  explicit Runner(const Varied& varied, const std::atomic<int>* cancel = nullptr);

  //! Sets the working copy to `values`, one per input (apply); `run` numbers it in messages.
  void set(long long run, const std::vector<double>& values);
  //! set, then the engine on the working copy; the results stay valid until the next call.
  const Results& run(long long run, const std::vector<double>& values,
                     const EngineOptions& options);

  [[nodiscard]] Scenario& scenario() { return working_.scenario; }
  [[nodiscard]] const Scenario& scenario() const { return working_.scenario; }
  [[nodiscard]] const Results& results() const { return res_; }

 private:
  const Varied& varied_;
  const std::atomic<int>* cancel_;
  Working working_;
  Engine engine_;
  Results res_;
  //! No binding reaches what the engine derives from the scenario alone (reaches_constants):
  //! every run after the first reuses it (EngineOptions::constants_unchanged).
  bool constants_fixed_ = false;
};

}  // namespace dcplan::vary
