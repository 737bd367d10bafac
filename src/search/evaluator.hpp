// Private to dcplan_core: what solve and optimize share. A scenario prepared once with its free
// parameters bound by the vary layer (vary/binding.hpp), and an evaluator that sets values, runs
// the engine in process (vary/runner.hpp) and checks targets. One evaluator per thread.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "dcplan/load.hpp"
#include "dcplan/search.hpp"
#include "vary/binding.hpp"
#include "vary/runner.hpp"

namespace dcplan::search {

//! The scenario with its free parameters bound, and the targets checked at every evaluation.
struct Problem {
  vary::Varied varied;
  std::vector<SearchRange> ranges;
  std::vector<Target> targets;
  std::vector<bool> integer;  //!< per range: an integer key (searched over integers)
  bool totals_only = false;   //!< every metric read is a total: the engine keeps total rows only
  //! A signal number here stops every evaluator with Interrupted before its next run.
  const std::atomic<int>* cancel = nullptr;
};

//! Loads the scenario, binds the ranges (both ends of each are applied once, so a value the
//! format refuses is an input error before any search) and checks the targets against the
//! scenario's horizon and regions.
[[nodiscard]] Problem prepare(const std::string& scenario, const LoadOptions& load,
                              const std::vector<SearchRange>& ranges, std::vector<Target> targets);

class Evaluator {
 public:
  explicit Evaluator(const Problem& problem);
  //! Runs the scenario with the free parameters at `values`; the results stay valid until the
  //! next call. Messages number the run by the evaluator's count of runs.
  const Results& run(const std::vector<double>& values) { return run(values, runs_); }
  //! The same, numbered `number` in messages (the index of a value run on the pool, which does
  //! not depend on the thread that runs it).
  const Results& run(const std::vector<double>& values, long long number);
  //! The targets on the last run.
  [[nodiscard]] std::vector<TargetResult> targets(bool with_text = true) const;
  //! The smallest margin of the targets on the last run (+infinity without targets).
  [[nodiscard]] double worst_margin() const;
  [[nodiscard]] long long runs() const { return runs_; }
  [[nodiscard]] const Scenario& scenario() const { return runner_.scenario(); }
  [[nodiscard]] const Results& results() const { return runner_.results(); }

 private:
  const Problem& p_;
  vary::Runner runner_;
  long long runs_ = 0;
};

//! The value as a JSON number: an integer key as an integer, else the shortest exact form.
[[nodiscard]] std::string json_number(double v, bool integer);

//! "--set PTR=JSON" and the JSON merge patch that set the free parameters to `values` (a factor
//! is applied to the trajectory as the scenario writes it). The patch holds the `overrides`
//! the search ran with too, so that it reproduces the answer on its own.
void write_answer(const Problem& p, const std::vector<std::string>& overrides,
                  const std::vector<double>& values, std::string& set_line, std::string& patch);

//! What bound the targets' regions in their (last) years on the evaluator's last run, a line per
//! target that a constraint bound: "NAME: in 2032 bound by grid (us-campus); us-campus:
//! max_new_mw_per_year 1000 MW a year with 2-year construction".
[[nodiscard]] std::vector<std::string> what_bound_targets(const Problem& p, const Evaluator& e);

}  // namespace dcplan::search
