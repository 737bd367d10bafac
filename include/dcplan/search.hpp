// dcplan — searching over the simulation: what it takes to meet targets (solve) and the best
// plan that does (optimize).
//
// Both vary numeric keys of a scenario the way sweep does (`PTR=LO:HI` sets the value,
// `PTR*=LO:HI` multiplies the whole value; any numeric key, a point of a series) and run the
// engine in process for each value tried. Targets use the grammar of compare's gates with
// absolute values or multiples of another year (`energy_twh@2032>=10x2022`). docs/search.md
// describes the methods, their tolerances and what they report.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "dcplan/load.hpp"
#include "dcplan/results.hpp"
#include "dcplan/scenario.hpp"
#include "dcplan/targets.hpp"

namespace dcplan {

//! One free parameter: "PTR=LO:HI" or "PTR*=LO:HI".
struct SearchRange {
  std::string text;     //!< as written
  std::string pointer;  //!< JSON pointer into the scenario
  bool multiply = false;
  double lo = 0, hi = 0;
};

//! Parses "PTR=LO:HI" or "PTR*=LO:HI" (LO < HI, both finite); throws InputError naming `option`.
[[nodiscard]] SearchRange parse_range(const std::string& text, const char* option = "--vary");

//! A target's signed slack: >= 0 when it holds (its tolerance included), the distance to its
//! bound in the metric's unit; -infinity when the metric is empty.
[[nodiscard]] double margin(const TargetResult& t);

struct SolveOptions {
  std::string scenario;
  //! The scenario's text when held in memory (LoadOptions::text); `scenario` then names it.
  std::optional<std::string> scenario_text;
  std::vector<std::string> overrides;
  std::vector<std::string> allow_dirs;
  std::vector<std::string> targets;  //!< expressions (parse_target)
  bool scenario_targets = false;     //!< the scenario's own targets too (--targets)
  //! "PTR=LO:HI" or "PTR*=LO:HI": one for solve(); several, each a lever, for solve_levers().
  std::vector<std::string> vary;
  bool maximize = false;    //!< the largest value at which the targets hold
  double tolerance = 1e-6;  //!< of the answer, relative to HI - LO
  int grid = 16;            //!< intervals of the coarse grid checked first (2 to 100000)
  int jobs = 0;             //!< threads for the grid (0 to 1024); 0: the number of cores
  //! When it holds a signal number the search stops with Interrupted (checked before every
  //! engine run).
  const std::atomic<int>* cancel = nullptr;
  //! solve_levers: what a lever costs, METRIC[@YEAR[:YEAR]][:SELECTOR] read at its answer; no
  //! year: summed over the horizon. Empty: capex_usd over the horizon.
  std::string cost;
};

struct SolveInterval {
  double lo = 0, hi = 0;  //!< the targets hold on [lo, hi] (ends refined to the tolerance)
};

struct SolveResult {
  std::string parameter;        //!< the pointer searched (SearchRange::pointer)
  bool multiply = false;        //!< a factor on its whole value (PTR*=LO:HI)
  std::string scenario_sha256;  //!< Scenario::sha256 of the scenario searched (provenance)
  bool feasible = false;
  double value = 0;      //!< the smallest (largest) value at which every target holds
  double tolerance = 0;  //!< absolute: the answer is within this of the true boundary
  bool integer = false;  //!< the key is an integer: the answer is exact
  bool monotone = true;  //!< the targets hold on one interval touching an end of the grid
  std::vector<SolveInterval> intervals;    //!< where the targets hold (on the grid, refined)
  std::vector<TargetResult> at_value;      //!< the targets at the answer
  std::vector<TargetResult> at_lo, at_hi;  //!< at the ends (what an infeasible solve reached)
  //! Infeasible: the constraints that bind at the better end, a line per target ("NAME: in
  //! 2032 bound by grid (us-campus)"). Lines, not one text: a writer escapes each line for its
  //! format, so that a newline inside a target's name stays escaped within its own line.
  std::vector<std::string> bound_by;
  long long runs = 0;    //!< engine runs
  std::string set_line;  //!< "--set PTR=VALUE" reproducing the answer
  std::string patch;     //!< the answer as a JSON merge patch of the scenario
};

//! Finds the smallest (or largest) value of one parameter in [LO, HI] at which every target
//! holds: a coarse grid first (which also tells whether the answer is monotone), then bisection
//! to the tolerance at every change on the grid. Throws InputError for bad expressions,
//! pointers, bounds or targets; an infeasible range is a result, not an error.
[[nodiscard]] SolveResult solve(const SolveOptions& options);

//! One lever of solve_levers: its answer alone (every other lever at the scenario's value) and
//! what that answer costs.
struct SolveLever {
  SolveResult answer;
  double cost = 0;  //!< the cost metric at the answer; NaN when infeasible or empty
};

struct SolveLevers {
  std::string cost;                //!< the cost metric as read: "capex_usd@2022:2032:total"
  std::string currency;            //!< of a money cost: "USD" (as the targets show money); else ""
  std::vector<SolveLever> levers;  //!< cheapest first; the infeasible last, in the given order
  long long runs = 0;              //!< engine runs in all, the costs' runs included
};

//! The cheapest lever: solve() for each `vary` alone, each answer's cost read on a run at it,
//! sorted by cost (ties and the infeasible keep the order given). Throws InputError as solve
//! does, and for a bad `cost`.
[[nodiscard]] SolveLevers solve_levers(const SolveOptions& options);

struct OptimizeOptions {
  std::string scenario;
  //! The scenario's text when held in memory (LoadOptions::text); `scenario` then names it.
  std::optional<std::string> scenario_text;
  std::vector<std::string> overrides;
  std::vector<std::string> allow_dirs;
  std::string objective;  //!< METRIC[@YEAR[:YEAR]][:SELECTOR]; no year: the last
  bool maximize = true;
  std::vector<std::string> varies;       //!< "PTR=LO:HI" or "PTR*=LO:HI", one per free parameter
  std::vector<std::string> constraints;  //!< targets that must hold (parse_target)
  bool scenario_targets = false;         //!< the scenario's own targets must hold too
  int starts = 1;  //!< the first from the middle of the box, the others seeded uniform
  std::uint64_t seed = 1;
  int jobs = 0;         //!< threads over the starts (0 to 1024); 0: the number of cores
  int max_runs = 2000;  //!< engine runs per start (10 to 1000000)
  double xtol = 1e-6;  //!< stop when a step changes no parameter by more than this share, in (0, 1)
  //! Called after each start ends (from the worker threads, one call at a time): starts done,
  //! starts in all. For a progress line; empty: none.
  std::function<void(int done, int total)> progress;
  //! When it holds a signal number the search stops with Interrupted (checked before every
  //! engine run).
  const std::atomic<int>* cancel = nullptr;
};

struct OptimizeResult {
  bool maximize = true;                   //!< the direction searched
  std::vector<std::string> varies;        //!< the free parameters, as given (`values` in order)
  std::string scenario_sha256;            //!< Scenario::sha256 of the scenario (provenance)
  bool feasible = false;                  //!< every constraint holds at the answer
  double objective = 0;                   //!< the metric at the answer
  std::string objective_text;             //!< "peak_pflops@2032:total"
  std::vector<double> values;             //!< per free parameter
  std::vector<TargetResult> constraints;  //!< at the answer
  //! Infeasible: what binds at the least infeasible answer, a line per constraint (as solve's).
  std::vector<std::string> bound_by;
  int best_start = 0;
  long long runs = 0;
  std::string set_line, patch;
};

//! The best value of a metric over several free parameters, subject to targets: NLopt's COBYLA
//! (derivative-free, constraints as inequalities) in the box of the ranges, from the middle of
//! the box and from `starts - 1` more seeded starts; the best start wins (the lowest index among
//! equals), so the answer does not depend on the thread count. Throws InputError for bad input.
[[nodiscard]] OptimizeResult optimize(const OptimizeOptions& options);

//! A scenario file that `extends` `scenario` (a path as the user gave it) with `patch`, written
//! beside `output`: its text. The extends path is relative to the output's directory.
[[nodiscard]] std::string extending_scenario(const std::string& scenario, const std::string& output,
                                             const std::string& patch, const std::string& note);

//! Whether a file written at `output` may `extend` `scenario` and run as it is: the path from the
//! output's directory to `scenario` stays beneath that directory, where the loader follows it
//! without --allow-dir (told from the paths as written, as extending_scenario writes them).
[[nodiscard]] bool extends_beneath(const std::string& scenario, const std::string& output);

//! A self-contained scenario: `scenario` merged as `dcplan validate --merged` prints it with
//! `load` (the search's --set overrides and --allow-dir), `patch` applied, and `note` as its
//! description (the scenario's own description after it): its text, which runs from anywhere as
//! `scenario` with those overrides and the answer's --set do. Throws InputError naming `-o` when
//! the merged document's SHA-256 is no longer `sha256`: the files changed since the search read
//! them, and the answer may not be theirs.
[[nodiscard]] std::string standalone_scenario(const std::string& scenario, const LoadOptions& load,
                                              const std::string& sha256, const std::string& patch,
                                              const std::string& note);

}  // namespace dcplan
