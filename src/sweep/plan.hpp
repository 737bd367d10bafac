// Private to dcplan_core: a sweep prepared once (Plan) and the values of each of its runs. The
// keys a sweep varies are bound by the vary layer (vary/binding.hpp), which sets a run's values
// on a working copy; what is the sweep's own is here: its options checked, the grid (the grid
// specs in flag order, the last varying fastest), the samples per grid point, the draws of a run
// from its own generator, the metrics and the hash that names the sweep.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "dcplan/sweep.hpp"
#include "vary/binding.hpp"

namespace dcplan::sweep {

using json = nlohmann::json;
inline constexpr long long kMaxGridValues = 1000000;
inline constexpr long long kMaxRuns = 1000000000LL;
//! The most threads a sweep takes (--jobs).
inline constexpr int kMaxJobs = 256;

//! A sweep prepared once: the scenario with every --vary bound, grid sizes, metadata.
struct Plan {
  vary::Varied varied;
  std::vector<std::size_t> grid_bindings;  //!< indices of grid bindings, in flag order
  long long grid_size = 1;
  long long samples = 1;
  long long total = 0;
  std::vector<int> metrics;
  std::uint64_t hash = 0;
};

//! Checks the options, parses the specs, loads the scenario, binds every --vary, sizes the grid.
[[nodiscard]] Plan prepare(const SweepOptions& options);

//! The values of run `run`, one per binding (what vary::apply sets): grid coordinates from its
//! grid point, draws from a generator seeded by the sweep's hash and the run alone.
void values_of(const Plan& p, long long run, std::vector<double>& values);

}  // namespace dcplan::sweep
