// dcplan — sweeps: parameter grids and Monte Carlo, threads, shards, streaming output.
//
// `--vary PTR=SPEC` sets the value at PTR, `--vary PTR*=SPEC` multiplies it. SPEC is a range
// `a:b:step` (a, a+step, ... up to b inclusive), a list `a,b,c`, or a distribution:
// `normal(m,s)`, `lognormal(mu,sigma)` (exp of a normal with those parameters),
// `uniform(a,b)`, `triangular(a,mode,b)`. Ranges and lists form a grid (Cartesian product, in
// the order of the --vary flags, the last varying fastest); every grid point is run `samples`
// times with fresh draws of the distributions. Run i = grid point i / samples, sample
// i % samples, its draws from a generator seeded by (seed, i) alone: results never depend on
// threads or shards.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace dcplan {

//! Deterministic generator (SplitMix64-seeded xoshiro256**), the same on every platform.
class Rng {
 public:
  Rng(std::uint64_t seed, std::uint64_t stream);
  std::uint64_t next();
  double uniform();  //!< in [0, 1), 53 bits
  double normal();   //!< standard normal (Box-Muller)

 private:
  std::uint64_t s_[4];
};

enum class SpecKind { kRange, kList, kNormal, kLognormal, kUniform, kTriangular };

struct VarySpec {
  std::string text;     //!< as written
  std::string pointer;  //!< JSON pointer into the scenario
  bool multiply = false;
  SpecKind kind = SpecKind::kList;
  std::vector<double> values;  //!< grid values (range, list)
  double a = 0, b = 0, c = 0;  //!< distribution parameters
  [[nodiscard]] bool is_grid() const { return kind == SpecKind::kRange || kind == SpecKind::kList; }
  [[nodiscard]] double draw(Rng& rng) const;
  //! The value at probability u in (0, 1): the inverse CDF of a distribution; for a range or a
  //! list, its values taken with equal probability.
  [[nodiscard]] double quantile(double u) const;
  [[nodiscard]] double mean() const;      //!< of the distribution
  [[nodiscard]] double variance() const;  //!< of the distribution
};

//! Parses "PTR=SPEC" or "PTR*=SPEC"; throws InputError naming the problem.
[[nodiscard]] VarySpec parse_vary(const std::string& text);

struct SweepOptions {
  std::string scenario;
  //! The scenario's text when held in memory (LoadOptions::text); `scenario` then names it.
  std::optional<std::string> scenario_text;
  std::vector<std::string> overrides;
  std::vector<std::string> allow_dirs;
  std::vector<std::string> varies;
  long long samples = -1;  //!< 1 to 1e9; -1: 1 without distributions, 100 with
  std::uint64_t seed = 1;
  int jobs = 0;  //!< 0 to 256; 0: the number of cores
  long long shard_k = 0;
  long long shard_n = 1;
  std::string metrics;  //!< comma-separated; empty: a short default set
  bool by_region = false;
  bool summary = false;
  //! Whether each of the scenario's targets holds in each run: a column per target in the rows
  //! ("pass:NAME", 1 or 0), or with `summary` its pass rate and 90% Wilson interval.
  bool targets = false;
  //! --ratio METRIC@YEAR/YEAR (with `summary`): the per-run ratio of the total metric at the
  //! two years, summarised as the metrics are.
  std::vector<std::string> ratios;
  std::string format = "csv";  //!< csv | jsonl | sqlite
  std::string output;          //!< sqlite: the store's file (-o)
  bool append = false;         //!< sqlite: add this sweep to the store at `output`
  std::string command;         //!< the command line, for the store's provenance
  //! When it holds a signal number the sweep stops with Interrupted (checked between runs).
  const std::atomic<int>* cancel = nullptr;
};

struct SweepProgress {
  long long done = 0;
  long long total = 0;
};

//! Runs the sweep, writing rows (or the summary) to `out`. `progress` is called from the
//! writing thread (the caller's) now and then; an exception it throws stops the sweep, and
//! run_sweep rethrows it once the workers have stopped. Throws InputError for invalid specs or
//! draws.
void run_sweep(const SweepOptions& options, std::ostream& out,
               const std::function<void(const SweepProgress&)>& progress = {});

//! A sweep's results in memory, as columns (what dcplan.sweep gives Python): its rows, or with
//! `summary` its statistics. Every column has one entry per row.
struct SweepTable {
  //! `year` of a summary row that has none (a target's pass rate, a --ratio).
  static constexpr int kNoYear = 0;
  //! `region` of a summary row that has none (a target's pass rate).
  static constexpr int kNoRegion = -1;
  bool summary = false;
  std::vector<std::string> params;   //!< the varied parameters, named as in the csv header
  std::vector<int> metrics;          //!< the metric columns (Col), in --metrics order
  std::vector<std::string> regions;  //!< the names `region` indexes: the regions, then "total"
  std::vector<std::string> targets;  //!< with `targets`: the pass columns ("pass:NAME")
  std::vector<std::string> ratios;   //!< the --ratio rows' metrics ("ratio:METRIC@A/B")
  // Rows (summary false): a run's years, each year's regions (with --by region), then total.
  std::vector<long long> run;
  std::vector<std::vector<double>> param_values;  //!< per parameter: the run's value
  std::vector<std::vector<std::uint8_t>> passes;  //!< per target: 1 when it holds in the run
  std::vector<int> year;
  std::vector<int> region;                  //!< index into `regions`
  std::vector<std::vector<double>> values;  //!< per metric (NaN: an empty cell)
  // Summary: per year, region and metric (year and region above, `metric` indexing `metrics`),
  // then a row per target and per ratio (`metric` indexing `metrics`, then `targets`, then
  // `ratios`; their year kNoYear, a target's region kNoRegion, a ratio's the total).
  std::vector<int> metric;
  std::vector<long long> n;
  std::vector<double> mean, p5, p50, p95;
  //! With `targets`: the 90% Wilson interval of a pass rate (NaN in the other rows).
  std::vector<double> low, high;
};

//! Runs the sweep into memory instead of a stream (options.format, output and append are not
//! used): the same runs, draws and numbers as the csv, rows or summary.
[[nodiscard]] SweepTable collect_sweep(
    const SweepOptions& options, const std::function<void(const SweepProgress&)>& progress = {});

//! Merges shard outputs of one sweep back into run order. Throws InputError when the files
//! come from different sweeps, a shard is missing or repeated, or a file is not a sweep output.
void merge_sweeps(const std::vector<std::string>& files, std::ostream& out);

}  // namespace dcplan
