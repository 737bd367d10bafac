// Private to dcplan_core: a sweep prepared once (Plan) and one run's values set on a working
// copy of the scenario (apply). A --vary pointer is bound directly to a field of the loaded
// Scenario where it can be (fast), else set in the merged document, loaded again each run.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "dcplan/scenario.hpp"
#include "dcplan/schema.hpp"
#include "dcplan/sweep.hpp"
#include "dcplan/trajectory.hpp"
#include "params.hpp"

namespace dcplan::sweep {

using json = nlohmann::json;
inline constexpr long long kMaxGridValues = 1000000;
inline constexpr long long kMaxRuns = 1000000000LL;

struct Binding {
  VarySpec spec;
  params::Bound bound;             //!< the parameter and its region, hardware or currency
  std::optional<int> series_year;  //!< a point of a series
  const schema::Node* node = nullptr;
  std::string field_pointer;  //!< pointer of the whole field
  int series_group = -1;      //!< index into the series specs, for series points
  //! A key without a direct binding: its value is set in the merged document and the scenario
  //! loaded again for each run (slower, and validated like any scenario).
  bool via_document = false;
};

struct SeriesGroup {
  std::string field_pointer;
  params::Bound bound;
  SeriesTrajectory original;
  SeriesTrajectory working;
};

//! A sweep prepared once: the base scenario, bindings, grid sizes, metadata.
struct Plan {
  Scenario base;
  json doc;          //!< the merged document, for bindings through the document
  std::string file;  //!< the scenario's file, which anchors it
  bool any_document = false;
  std::vector<Binding> bindings;
  std::vector<SeriesGroup> groups;
  std::vector<std::size_t> grid_bindings;  //!< indices of grid bindings, in flag order
  long long grid_size = 1;
  long long samples = 1;
  long long total = 0;
  std::vector<int> metrics;
  std::uint64_t hash = 0;
  bool split_varied = false;
  //! A directly bound value can break a rule between values (check_consistency): an initial
  //! capacity, a hardware's power or dates. (Values set through the document are checked by
  //! the loader with everything else.)
  bool rules_varied = false;
};

//! Parses the specs, loads the scenario, binds every --vary, sizes the grid.
[[nodiscard]] Plan prepare(const SweepOptions& options);

//! Sets the working scenario for run `run`; `params` receives the value of each binding.
void apply(const Plan& p, long long run, Scenario& ws, std::vector<SeriesGroup>& groups,
           std::vector<double>& params);

//! Sets the working scenario to the given values of the bindings, in their order (what apply
//! does with a run's draws); `run` numbers the evaluation in messages. Throws InputError when a
//! value breaks a bound or a rule.
void apply_values(const Plan& p, long long run, const std::vector<double>& params, Scenario& ws,
                  std::vector<SeriesGroup>& groups);

//! The value at `pointer` in a document, or nullptr when it has none there.
[[nodiscard]] const json* document_value(const json& doc, const std::string& pointer);

//! Multiplies a trajectory as written in a document (a number, a series' points, an
//! exponential's base, a logistic's cap and floor, a fit's history) by `factor`.
void scale_trajectory(json& v, double factor);

//! The column name of a varied parameter: its pointer, with * when it multiplies.
[[nodiscard]] std::string param_name(const VarySpec& v);

}  // namespace dcplan::sweep
