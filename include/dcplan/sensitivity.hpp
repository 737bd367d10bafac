// dcplan — which inputs move the answer: global sensitivity analysis over a plain function.
//
// The methods work on f: [0,1]^k -> R^m, evaluated on batches of points (rows), so that they can
// be tested on functions whose indices are known (Ishigami, Sobol-G) and bound to dcplan by a
// caller that maps the unit cube to scenario inputs (sensitivity_scenario below). Every random
// choice comes from a generator seeded by the caller: the same seed gives the same numbers,
// whatever the evaluation order. docs/sensitivity.md.
#pragma once

#include <Eigen/Core>
#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "dcplan/report/svg.hpp"

namespace dcplan::sensitivity {

//! Evaluates the model at every row of `x` (points of [0,1]^k) into the rows of `y` (m outputs,
//! already sized). It may do so in parallel; each row's result must not depend on the others.
using Model = std::function<void(const Eigen::MatrixXd& x, Eigen::MatrixXd& y)>;

//! Sobol' indices by Saltelli's scheme: matrices A and B of N points each (the two halves of a
//! 2k-dimensional Sobol' sequence), and A_B^i (A with column i from B), N (k + 2) runs.
//! First order S_i: Saltelli et al. 2010 (Comput. Phys. Commun. 181, 259-270, table 2 (b)),
//!   V_i = mean(f(B) (f(A_B^i) - f(A))).
//! Total ST_i: Jansen 1999 (Comput. Phys. Commun. 117, 35-43), the same paper's table 2 (f),
//!   VT_i = mean((f(A) - f(A_B^i))^2) / 2.
//! Both divided by V, the variance of f over A and B together. Confidence intervals (95%):
//! percentiles of `bootstrap` resamples of the N rows, drawn from the seed. A signal number in
//! `cancel` stops the resampling with Interrupted.
struct SobolResult {
  Eigen::MatrixXd first, first_lo, first_hi;  //!< k x m
  Eigen::MatrixXd total, total_lo, total_hi;  //!< k x m
  Eigen::VectorXd variance;                   //!< m
  long long runs = 0;
};
[[nodiscard]] SobolResult sobol(int k, int m, long long n, const Model& f, std::uint64_t seed,
                                int bootstrap = 200, const std::atomic<int>* cancel = nullptr);

//! Morris elementary effects: r trajectories on a p-level grid, step Delta = p / (2 (p - 1)),
//! each from a random base point moving one input at a time in a random order: r (k + 1) runs.
//! An effect is (f(x + Delta e_i) - f(x)) / Delta in unit-cube coordinates (so a linear f with
//! coefficient c_i on x_i in [0,1] has effects c_i). mu: their mean; mu_star: the mean of their
//! absolute values (Campolongo et al. 2007); sigma: their standard deviation (n - 1), which is
//! not 0 when the input acts through interactions or non-linearly.
struct MorrisResult {
  Eigen::MatrixXd mu, mu_star, sigma;  //!< k x m
  long long runs = 0;
};
[[nodiscard]] MorrisResult morris(int k, int m, int r, int levels, const Model& f,
                                  std::uint64_t seed);

// ---------------------------------------------------------------------------------------------
// The methods bound to a scenario.

struct ScenarioOptions {
  std::string scenario;
  //! The scenario's text when held in memory (LoadOptions::text); `scenario` then names it.
  std::optional<std::string> scenario_text;
  std::vector<std::string> overrides;
  std::vector<std::string> allow_dirs;
  std::vector<std::string> metrics;  //!< METRIC[@YEAR[:YEAR]][:SELECTOR]; no year: the last
  std::vector<std::string> varies;   //!< PTR=SPEC or PTR*=SPEC (sweep's forms, LO:HI, ci90)
  std::string method = "sobol";      //!< tornado, morris or sobol
  long long samples = 1024;          //!< Sobol' N (2 to 1000000)
  int trajectories = 10;             //!< Morris r (2 to 100000)
  int levels = 4;                    //!< Morris p (even, 2 to 100)
  int bootstrap = 200;               //!< Sobol' resamples for the intervals (0 to 100000)
  std::uint64_t seed = 1;
  int jobs = 0;  //!< threads (0 to 1024); 0: the number of cores
  //! When it holds a signal number the analysis stops with Interrupted (checked before every
  //! engine run and every bootstrap resample).
  const std::atomic<int>* cancel = nullptr;
};

//! One tidy row: input, metric (with its year or years and selector), statistic, value and, for
//! Sobol' indices, the 95% bootstrap interval (NaN otherwise).
struct Row {
  std::string input;  //!< the pointer, with * when it is a factor
  std::string metric, years, region;
  std::string statistic;  //!< tornado: base, low, high, swing, input_low, input_high;
                          //!< morris: mu, mu_star, sigma; sobol: S1, ST
  double value = 0;
  double ci_low = 0, ci_high = 0;
};

struct Analysis {
  std::string scenario_sha256;  //!< Scenario::sha256 of the scenario analysed (provenance)
  std::string method;
  std::vector<Row> rows;
  std::vector<std::string> notes;  //!< how inputs were fitted to the format (clipping, integers)
  long long runs = 0;
};

//! The engine runs a method needs for k inputs: tornado 2k + 1, Morris r (k + 1), Sobol' N (k + 2).
[[nodiscard]] long long planned_runs(const ScenarioOptions& options);

//! Each input sampled within what the format allows (a PUE >= 1, a share in [0, 1], a lead time
//! or lifetime an integer), the model run in process on `jobs` threads, the method applied.
//! Deterministic for a seed, whatever the thread count. Throws InputError for a bad method,
//! metric or spec, before any run.
[[nodiscard]] Analysis analyse(const ScenarioOptions& options);

//! Tornado's rows as a planner reads them: one per input and metric (with its years and
//! selector), the metric at the input's low and high ends, the swing between them and the
//! metric at the scenario's own values. Pivoted from the tidy rows, in their order: per metric,
//! the largest swing first. NaN where the rows lack a statistic; none for other methods.
struct TornadoRow {
  std::string input;  //!< the pointer, with * when it is a factor
  std::string metric, years, region;
  double low = std::numeric_limits<double>::quiet_NaN();
  double high = std::numeric_limits<double>::quiet_NaN();
  double swing = std::numeric_limits<double>::quiet_NaN();
  double base = std::numeric_limits<double>::quiet_NaN();
};
[[nodiscard]] std::vector<TornadoRow> tornado_rows(const Analysis& a);

//! The tidy csv: input,metric,year,region,statistic,value,ci_low,ci_high.
[[nodiscard]] std::string to_csv(const Analysis& a);

//! Reads that csv back (report --sensitivity); the method is told by its statistics. Throws
//! InputError naming the file and line.
[[nodiscard]] Analysis read_csv(const std::string& path);

//! One chart per metric: a tornado (the metric at each input's low and high end), Sobol' S1
//! and ST, or Morris mu* and sigma; inputs in the order of the rows.
[[nodiscard]] std::vector<report::Tornado> charts(const Analysis& a);

}  // namespace dcplan::sensitivity
