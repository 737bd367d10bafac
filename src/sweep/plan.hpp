// Private to dcplan_core: a sweep prepared once (Plan) and the values of each of its runs. The
// keys a sweep varies are bound by the vary layer (vary/binding.hpp), which sets a run's values
// on a working copy; what is the sweep's own is here: its options checked, the grid (the grid
// specs in flag order, the last varying fastest), the samples per grid point, the draws of a run
// from its own generator, the metrics and the hash that names the sweep.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dcplan/sweep.hpp"
#include "vary/binding.hpp"

namespace dcplan::sweep {

using json = nlohmann::json;
inline constexpr long long kMaxGridValues = 1000000;
inline constexpr long long kMaxRuns = 1000000000LL;
//! The most threads a sweep takes (--jobs).
inline constexpr int kMaxJobs = 256;

//! --ratio METRIC@YEAR/YEAR, checked: the total metric in one year over another.
struct Ratio {
  int col = 0;        //!< the metric (Col)
  int year = 0;       //!< the numerator's year
  int base_year = 0;  //!< the denominator's year
  std::string name;   //!< "ratio:METRIC@YEAR/YEAR", as the summary names its row
};

//! A sweep prepared once: the scenario with every --vary bound, grid sizes, metadata.
struct Plan {
  vary::Varied varied;
  std::vector<std::size_t> grid_inputs;  //!< indices of the inputs that are grids, in flag order
  long long grid_size = 1;
  long long samples = 1;
  long long total = 0;
  std::vector<int> metrics;
  //! --targets: a column name per scenario target ("pass:NAME", unique), in the scenario's order.
  std::vector<std::string> targets;
  bool region_rows = false;  //!< a target reads region rows: the engine keeps them
  std::vector<Ratio> ratios;
  std::uint64_t hash = 0;   //!< names the output: the runs and what is written of them
  std::uint64_t draws = 0;  //!< seeds the draws: the scenario, --vary, --samples and --seed only
};

//! The pass columns of a scenario's targets: "pass:" and the name made safe for every output
//! (text::terminal_safe, bounded to 200 characters: no newline splits a csv line, no control
//! character reaches a terminal), a repeated name (ASCII case ignored, as SQLite's column names)
//! numbered " (2)", " (3)"... Throws InputError naming --targets when there is no target.
[[nodiscard]] std::vector<std::string> target_columns(const Scenario& scenario);

//! Parses and checks --ratio METRIC@YEAR/YEAR against the scenario: a numeric result column it
//! has, both years in each run's output (the horizon). Throws InputError naming --ratio.
[[nodiscard]] Ratio parse_ratio(const std::string& text, const Scenario& scenario);

//! Checks the options, parses the specs, loads the scenario, binds every --vary, sizes the grid.
[[nodiscard]] Plan prepare(const SweepOptions& options);

//! The values of run `run`, one per input (what vary::apply sets): grid coordinates from its
//! grid point, draws from a generator seeded by the sweep's runs (Plan::draws) and the run alone.
void values_of(const Plan& p, long long run, std::vector<double>& values);

}  // namespace dcplan::sweep
