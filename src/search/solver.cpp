// solve: the smallest (or largest) value of one parameter at which every target holds. A coarse
// grid first, evaluated on --jobs threads: it finds where the targets hold and whether that is
// one interval touching an end (monotone); then bisection at every change on the grid, to the
// tolerance. docs/search.md.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "dcplan/compare.hpp"
#include "dcplan/error.hpp"
#include "search/evaluator.hpp"
#include "vary/pool.hpp"

namespace dcplan {

namespace {

using search::Evaluator;
using search::Problem;

//! The grid: N + 1 evenly spaced values, or the integers of the range (at most N + 1 of them,
//! evenly spread) for an integer key.
std::vector<double> grid_of(const SearchRange& r, int n, bool integer) {
  std::vector<double> xs;
  if (integer) {
    const double lo = std::ceil(r.lo), hi = std::floor(r.hi);
    if (hi < lo) throw InputError("--vary", r.pointer, "the range holds no integer");
    const double count = hi - lo + 1;
    const int points = static_cast<int>(std::min<double>(count, n + 1));
    for (int i = 0; i < points; ++i) {
      xs.push_back(points == 1 ? lo : std::round(lo + (hi - lo) * i / (points - 1)));
    }
    xs.erase(std::unique(xs.begin(), xs.end()), xs.end());
    return xs;
  }
  for (int i = 0; i <= n; ++i) xs.push_back(i == n ? r.hi : r.lo + (r.hi - r.lo) * i / n);
  return xs;
}

//! The worst target margin at each value, on `jobs` threads, each with its own evaluator; the
//! first error (in the order of the values) is rethrown. Each value is one engine run, numbered
//! in messages by its index.
std::vector<double> margins_at(const Problem& p, const std::vector<double>& xs, int jobs,
                               long long& runs) {
  std::vector<double> out(xs.size());
  vary::for_each_index(
      static_cast<long long>(xs.size()), jobs, [&] { return Evaluator(p); },
      [&](Evaluator& e, long long i) {
        const auto k = static_cast<std::size_t>(i);
        (void)e.run({xs[k]}, i);
        out[k] = e.worst_margin();
      });
  runs += static_cast<long long>(xs.size());
  return out;
}

//! Bisection between a feasible and an infeasible value; returns the feasible end once the two
//! are within `tol` (adjacent integers for an integer key).
double boundary(Evaluator& e, double feasible, double infeasible, double tol, bool integer) {
  while (integer ? std::abs(feasible - infeasible) > 1 : std::abs(feasible - infeasible) > tol) {
    double mid = 0.5 * (feasible + infeasible);
    if (integer) mid = std::floor(mid);
    if (mid == feasible || mid == infeasible) break;
    (void)e.run({mid});
    (e.worst_margin() >= 0 ? feasible : infeasible) = mid;
  }
  return feasible;
}

std::vector<Target> targets_of(const SolveOptions& o) {
  std::vector<Target> targets;
  for (const auto& t : o.targets) targets.push_back(parse_target(t, "--target"));
  return targets;
}

}  // namespace

SolveResult solve(const SolveOptions& o) {
  if (o.targets.empty() && !o.scenario_targets) {
    throw InputError("--target", "",
                     "no target (expected --target EXPR, e.g. energy_twh@2032>=10x2022, or "
                     "--targets for the scenario's own)");
  }
  if (!(o.tolerance > 0 && o.tolerance < 1)) {
    throw InputError("--tolerance", "", "expected a relative tolerance in (0, 1)");
  }
  if (o.grid < 2 || o.grid > 100000) {
    throw InputError("grid", "", "expected 2 to 100000 intervals for the coarse grid");
  }
  vary::check_jobs(o.jobs);
  if (o.vary.size() != 1) {
    throw InputError("--vary", "",
                     fmt::format("solve searches one parameter, found {} (several levers: "
                                 "solve_levers)",
                                 o.vary.size()));
  }
  const SearchRange range = parse_range(o.vary[0]);
  Problem p = search::prepare(o.scenario, {o.overrides, o.allow_dirs, o.scenario_text}, {range},
                              targets_of(o));
  p.cancel = o.cancel;
  if (o.scenario_targets) {
    if (p.varied.base.targets.empty()) {
      throw InputError("--targets", "", "the scenario states no targets");
    }
    p.targets.insert(p.targets.end(), p.varied.base.targets.begin(), p.varied.base.targets.end());
  }
  SolveResult r;
  r.parameter = range.pointer;
  r.multiply = range.multiply;
  r.scenario_sha256 = p.varied.base.sha256;
  r.integer = p.integer[0];
  r.tolerance = r.integer ? 0.0 : o.tolerance * (range.hi - range.lo);
  r.runs = 2;  // the ends, checked by prepare
  const std::vector<double> xs = grid_of(range, o.grid, r.integer);
  const std::vector<double> worst = margins_at(p, xs, vary::threads_for(o.jobs, xs.size()), r.runs);
  Evaluator e(p);
  auto at = [&](double x) {
    (void)e.run({x});
    return e.targets();
  };
  r.at_lo = at(xs.front());
  r.at_hi = at(xs.back());
  // Where the targets hold on the grid, each change refined by bisection.
  for (std::size_t i = 0; i < xs.size(); ++i) {
    if (worst[i] < 0) continue;
    std::size_t j = i;
    while (j + 1 < xs.size() && worst[j + 1] >= 0) ++j;
    SolveInterval in{xs[i], xs[j]};
    if (i > 0) in.lo = boundary(e, xs[i], xs[i - 1], r.tolerance, r.integer);
    if (j + 1 < xs.size()) in.hi = boundary(e, xs[j], xs[j + 1], r.tolerance, r.integer);
    r.intervals.push_back(in);
    i = j;
  }
  r.feasible = !r.intervals.empty();
  r.monotone = r.intervals.size() <= 1 && (r.intervals.empty() || r.intervals[0].lo == xs.front() ||
                                           r.intervals[0].hi == xs.back());
  if (!r.feasible) {
    // The better end: the larger worst margin. What bound the targets there.
    const bool high = worst.back() > worst.front();
    r.value = high ? xs.back() : xs.front();
    (void)e.run({r.value});
    r.bound_by = search::what_bound_targets(p, e);
  } else {
    r.value = o.maximize ? r.intervals.back().hi : r.intervals.front().lo;
    r.at_value = at(r.value);
    search::write_answer(p, o.overrides, {r.value}, r.set_line, r.patch);
  }
  r.runs += e.runs();
  return r;
}

}  // namespace dcplan
