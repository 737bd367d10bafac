// optimize: the best value of a metric over several free parameters, subject to targets, with
// NLopt's COBYLA (Powell 1994: linear approximations of the objective and the constraints on a
// simplex, a trust region that shrinks) in the box of the ranges, scaled to [0, 1]. The
// simulation is piecewise linear with plateaus, so several starts may be asked for; each is
// deterministic and independent, and the best wins. docs/search.md.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <mutex>
#include <nlopt.hpp>

#include "dcplan/compare.hpp"
#include "dcplan/error.hpp"
#include "dcplan/sweep.hpp"
#include "search/evaluator.hpp"
#include "vary/metric.hpp"
#include "vary/pool.hpp"

namespace dcplan {

namespace {

using search::Evaluator;
using search::Problem;

constexpr double kWorst = 1e300;  //!< an objective or constraint NLopt can still compare
//! The one tolerance of "holds" in optimize: each constraint's relative tolerance is at least
//! this (COBYLA's constraint tolerance is 1e-9, and its last step may overshoot a little). It is
//! part of every constraint as checked, so the feasibility of a start, the headline and each
//! row of the report agree; the report's "required" column shows it.
constexpr double kHoldsTolerance = 1e-7;

//! One start of the optimiser: the evaluations it asks for, cached (COBYLA asks for the
//! objective and the constraints at the same point one after the other).
class Start {
 public:
  Start(const Problem& p, const vary::Metric& obj, bool maximize)
      : p_(p), obj_(obj), e_(p), maximize_(maximize) {}

  void at(const double* x) {
    const std::size_t n = p_.ranges.size();
    if (have_ && std::equal(x, x + n, x_.begin())) return;
    x_.assign(x, x + n);
    values_ = values_of(x_);
    (void)e_.run(values_);
    objective_ = obj_.read(e_.scenario(), e_.results());
    targets_ = e_.targets(false);  // the report checks them again, with their text
    have_ = true;
    remember_if_best_feasible();
  }

  //! The best point evaluated at which every constraint held (empty when none did): where the
  //! start ends when COBYLA's last step leaves the feasible set, as it may on a response with
  //! plateaus and kinks.
  [[nodiscard]] const std::vector<double>& best_feasible() const { return best_x_; }

  [[nodiscard]] std::vector<double> values_of(const std::vector<double>& x) const {
    std::vector<double> v(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
      const SearchRange& r = p_.ranges[i];
      v[i] = r.lo + std::clamp(x[i], 0.0, 1.0) * (r.hi - r.lo);
      if (p_.integer[i]) v[i] = std::clamp(std::round(v[i]), std::ceil(r.lo), std::floor(r.hi));
    }
    return v;
  }

  //! The objective NLopt sees: the metric, or the worst value when it is empty.
  [[nodiscard]] double objective(bool maximize) const {
    if (std::isfinite(objective_)) return objective_;
    return maximize ? -kWorst : kWorst;
  }
  //! Constraint k as NLopt wants it, <= 0 when it holds: the missing margin, relative to the
  //! bound (so that one tolerance fits metrics of every size).
  [[nodiscard]] double constraint(std::size_t k) const {
    const double m = margin(targets_[k]);
    if (!std::isfinite(m)) return kWorst;
    return -m / std::max(std::abs(targets_[k].bound), 1e-9);
  }
  [[nodiscard]] double worst_margin() const {
    double w = std::numeric_limits<double>::infinity();
    for (const auto& t : targets_) w = std::min(w, margin(t) / std::max(std::abs(t.bound), 1e-9));
    return w;
  }
  [[nodiscard]] const std::vector<double>& values() const { return values_; }
  [[nodiscard]] double metric() const { return objective_; }
  [[nodiscard]] long long runs() const { return e_.runs(); }
  Evaluator& evaluator() { return e_; }
  std::exception_ptr error;

 private:
  void remember_if_best_feasible() {
    if (!std::isfinite(objective_) || worst_margin() < 0) return;
    const bool better = best_x_.empty() ||
                        (maximize_ ? objective_ > best_objective_ : objective_ < best_objective_);
    if (!better) return;
    best_x_ = x_;
    best_objective_ = objective_;
  }

  const Problem& p_;
  const vary::Metric& obj_;
  Evaluator e_;
  bool maximize_ = false;
  std::vector<double> best_x_;
  double best_objective_ = 0;
  std::vector<double> x_, values_;
  bool have_ = false;
  double objective_ = 0;
  std::vector<TargetResult> targets_;
};

struct StartResult {
  std::vector<double> x;
  double metric = 0;
  double worst = 0;  //!< the worst relative margin at the end
  long long runs = 0;
};

//! Evaluates at x for NLopt: an error ends the search (rethrown once NLopt returns).
Start& evaluated(void* data, const double* x) {
  Start& s = *static_cast<std::pair<Start*, bool>*>(data)->first;
  try {
    s.at(x);
  } catch (...) {
    s.error = std::current_exception();
    throw nlopt::forced_stop();
  }
  return s;
}

double objective_cb(unsigned /*n*/, const double* x, double* /*grad*/, void* data) {
  return evaluated(data, x).objective(static_cast<std::pair<Start*, bool>*>(data)->second);
}

void constraints_cb(unsigned m, double* result, unsigned /*n*/, const double* x, double* /*grad*/,
                    void* data) {
  const Start& s = evaluated(data, x);
  for (unsigned k = 0; k < m; ++k) result[k] = s.constraint(k);
}

//! Runs COBYLA from `x0` (in [0, 1]^n).
StartResult run_start(const Problem& p, const vary::Metric& obj, const OptimizeOptions& o,
                      std::vector<double> x0) {
  Start s(p, obj, o.maximize);
  std::pair<Start*, bool> data{&s, o.maximize};
  const auto n = static_cast<unsigned>(p.ranges.size());
  nlopt::opt opt(nlopt::LN_COBYLA, n);
  opt.set_lower_bounds(std::vector<double>(n, 0.0));
  opt.set_upper_bounds(std::vector<double>(n, 1.0));
  if (o.maximize) {
    opt.set_max_objective(objective_cb, &data);
  } else {
    opt.set_min_objective(objective_cb, &data);
  }
  if (!p.targets.empty()) {
    opt.add_inequality_mconstraint(constraints_cb, &data,
                                   std::vector<double>(p.targets.size(), 1e-9));
  }
  opt.set_xtol_abs(o.xtol);
  opt.set_maxeval(o.max_runs);
  opt.set_initial_step(0.1);
  StartResult r;
  double f = 0;
  try {
    (void)opt.optimize(x0, f);
  } catch (const nlopt::forced_stop&) {
    if (s.error) std::rethrow_exception(s.error);
  } catch (const nlopt::roundoff_limited&) {
    // the best point so far stands
  }
  if (s.error) std::rethrow_exception(s.error);
  s.at(x0.data());
  // COBYLA's end may miss a constraint by a hair its linear model did not see; the best
  // feasible point it visited is then the answer (it is never worse than an infeasible one).
  if (s.worst_margin() < 0 && !s.best_feasible().empty()) {
    x0 = s.best_feasible();
    s.at(x0.data());
  }
  r.x = x0;
  r.metric = s.metric();
  r.worst = s.worst_margin();
  r.runs = s.runs();
  return r;
}

//! The starts: the middle of the box, then seeded uniform points.
std::vector<std::vector<double>> starts_of(std::size_t n, int count, std::uint64_t seed) {
  std::vector<std::vector<double>> out;
  out.emplace_back(n, 0.5);
  for (int k = 1; k < count; ++k) {
    Rng rng(seed, static_cast<std::uint64_t>(k));
    std::vector<double> x(n);
    for (auto& v : x) v = rng.uniform();
    out.push_back(std::move(x));
  }
  return out;
}

//! True when a is a better end than b: feasible first, then the objective, then the earlier
//! start (the caller's order).
bool better(const StartResult& a, const StartResult& b, bool maximize) {
  const bool fa = a.worst >= 0, fb = b.worst >= 0;
  if (fa != fb) return fa;
  if (!fa) return a.worst > b.worst;
  return maximize ? a.metric > b.metric : a.metric < b.metric;
}

}  // namespace

OptimizeResult optimize(const OptimizeOptions& o) {
  if (o.varies.empty())
    throw InputError("--vary", "", "no free parameter (expected --vary PTR=LO:HI)");
  if (o.starts < 1 || o.starts > 10000)
    throw InputError("--starts", "", "expected 1 to 10000 starts");
  if (o.max_runs < 10 || o.max_runs > 1000000)
    throw InputError("--max-runs", "", "expected 10 to 1000000 engine runs per start");
  if (!(o.xtol > 0 && o.xtol < 1))  // NaN too
    throw InputError("xtol", "", "expected a share of a range in (0, 1)");
  vary::check_jobs(o.jobs);
  std::vector<SearchRange> ranges;
  for (const auto& v : o.varies) ranges.push_back(parse_range(v));
  std::vector<Target> constraints;
  for (const auto& c : o.constraints) constraints.push_back(parse_target(c, "--subject-to"));
  Problem p = search::prepare(o.scenario, {o.overrides, o.allow_dirs, o.scenario_text}, ranges,
                              constraints);
  p.cancel = o.cancel;
  if (o.scenario_targets) {
    p.targets.insert(p.targets.end(), p.varied.base.targets.begin(), p.varied.base.targets.end());
  }
  for (Target& t : p.targets) t.tolerance = std::max(t.tolerance, kHoldsTolerance);
  const vary::Metric obj =
      vary::parse_metric(o.objective, p.varied.base, o.maximize ? "--maximize" : "--minimize");
  const auto xs = starts_of(ranges.size(), o.starts, o.seed);
  std::vector<StartResult> results(xs.size());
  std::mutex progress_mutex;
  int done = 0;
  const auto starts = static_cast<long long>(xs.size());
  vary::for_each_index(
      starts, vary::threads_for(o.jobs, starts), [] { return 0; },
      [&](int /*state*/, long long i) {
        const auto k = static_cast<std::size_t>(i);
        results[k] = run_start(p, obj, o, xs[k]);
        if (o.progress) {
          const std::lock_guard<std::mutex> lock(progress_mutex);
          o.progress(++done, static_cast<int>(xs.size()));
        }
      });
  OptimizeResult r;
  r.maximize = o.maximize;
  r.varies = o.varies;
  r.scenario_sha256 = p.varied.base.sha256;
  r.runs = 2;  // the ends, checked by prepare
  for (const auto& s : results) r.runs += s.runs;
  std::size_t best = 0;
  for (std::size_t i = 1; i < results.size(); ++i) {
    if (better(results[i], results[best], o.maximize)) best = i;
  }
  // The answer, evaluated once more for the report.
  Start s(p, obj, o.maximize);
  s.at(results[best].x.data());
  r.runs += s.runs();
  r.best_start = static_cast<int>(best);
  r.values = s.values();
  r.objective = s.metric();
  r.objective_text = obj.text;
  r.constraints = s.evaluator().targets();
  // Feasible exactly when every row of the report holds (the same check, the same tolerance).
  r.feasible = std::all_of(r.constraints.begin(), r.constraints.end(),
                           [](const TargetResult& t) { return t.passed; });
  search::write_answer(p, o.overrides, r.values, r.set_line, r.patch);
  if (!r.feasible) r.bound_by = search::what_bound_targets(p, s.evaluator());
  return r;
}

}  // namespace dcplan
