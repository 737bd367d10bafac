// Private to dcplan_core: varying a scenario, the floor sweep, search (solve, optimize) and
// sensitivity stand on. A scenario is loaded once (load_base); each key a study varies, a parsed
// VarySpec whose pointer names it, is bound to where its value lives (bind); a run's values, one
// per binding, are then set on a working copy of the scenario (apply), which the study runs.
// Values arrive as numbers: nothing here reads --vary text, and no value is written out as text
// to be read again.
//
// One --vary is one input, whatever it reaches: a selector in a region position
// (/regions/cn-*/pue, /regions/#china/pue, /regions/*/pue) or in a hardware position
// (/hardware/*/lifetime_years, /hardware/h*/price_usd) binds every key it matches, and each run
// gives all of them the input's one value (the same value set, or the same factor applied). The
// studies count inputs (a sweep's columns, sensitivity's inputs, solve's levers), never keys.
//
// Where a value goes, cheapest first:
//  - a field of the loaded Scenario (params::Bound: every numeric key whose entry in the key
//    table names its storage): apply restores the fields the last run touched and writes the
//    new values, a few stores per binding, then checks the key's bounds and, when the key can
//    break one, the rules between values (check_consistency, the capex split);
//  - a point of a series (.../series/YEAR): the series as the document writes it, with the point
//    set or multiplied, evaluated again over the horizon into the field. A point the series does
//    not write is added (multiplied: the series' value in that year times the factor), and a
//    constant c becomes the series {first year of the horizon: c, YEAR: value};
//  - a region weight (/capex/region_weights/K, K a key the weight map writes, or a region id
//    it does not; a constant set or multiplied, not a point of a series): the rows of
//    capex.region_weight whose region resolves to K, set to the value in every year, which is
//    what the loader would build, with its checks (bounds; a region given IT money needs a
//    mix). A key the map does not write and that is not an id (a new glob, #tag or *) would
//    take regions from other keys by precedence: it goes through the document;
//  - the merged document, for a numeric key without storage (a region weight other than the
//    above, a mix share, a date): the value is set (or its trajectory multiplied) in a copy of the
//    document, which is validated and built into a Scenario again, as the loader would. That costs
//    a copy of the document and a whole validate-and-build for every run (about 0.6 ms a run for
//    alibaba-380b, over four times the engine run itself), and the loader's warnings come again
//    with it; but every rule of the format holds for such a value without this layer knowing it.
#pragma once

#include <Eigen/Core>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "dcplan/load.hpp"
#include "dcplan/scenario.hpp"
#include "dcplan/schema.hpp"
#include "dcplan/sweep.hpp"
#include "dcplan/trajectory.hpp"
#include "params.hpp"

namespace dcplan::vary {

using json = nlohmann::json;

//! One varied key: its spec (its own pointer, set or multiply, and the --vary text messages
//! quote) and where its value goes.
struct Binding {
  VarySpec spec;
  std::size_t input = 0;  //!< the input (index into Varied::inputs) it takes its value from
  params::Bound bound;    //!< the parameter and its region, hardware or currency
  std::optional<int> series_year;  //!< a point of a series
  const schema::Node* node = nullptr;
  std::string field_pointer;  //!< pointer of the whole field
  int series_group = -1;      //!< index into the series groups, for series points
  //! A factor on a point the series does not write multiplies the series' value in that year
  //! (as the scenario writes it).
  double series_base = 0;
  //! A key without a direct binding: its value is set in the merged document and the scenario
  //! built again for each run (see above).
  bool via_document = false;
  //! A region weight set directly (/capex/region_weights/K, see bind_weight): the rows of
  //! capex.region_weight whose region resolves to K, set to the run's value (or the constant
  //! the document writes at K times the factor). `bound` names no parameter.
  bool weight = false;
  std::vector<Eigen::Index> weight_rows;
  double weight_written = 0;  //!< the constant the document writes at K, which a factor scales
};

//! A series some of whose points are varied (several points of one series vary together).
struct SeriesGroup {
  std::string field_pointer;
  params::Bound bound;
  SeriesTrajectory original;
  SeriesTrajectory working;
  //! The scenario writes a constant there, which the group holds as a one-point series.
  bool from_constant = false;
};

//! One --vary: its spec as written (its pointer may hold a selector) and the keys it binds,
//! bindings[first, first + count), all of one key of the format (one node).
struct Input {
  VarySpec spec;
  const schema::Node* node = nullptr;
  std::size_t first = 0;
  std::size_t count = 0;
};

//! A scenario loaded once, with the keys a study varies bound to it.
struct Varied {
  Scenario base;
  json doc;                   //!< the merged document, for bindings through the document
  std::string file;           //!< the scenario's file, which anchors it
  std::vector<Input> inputs;  //!< one per --vary: what a run's values are given for
  std::vector<Binding> bindings;
  std::vector<SeriesGroup> groups;
  bool any_document = false;
  //! Per region: no hardware_mix selector resolves it, so the loader refuses it a positive
  //! weight when any IT budget is set (filled when a weight is bound directly).
  std::vector<char> weight_no_mix;
  bool split_varied = false;
  //! A directly bound value can break a rule between values (check_consistency): an initial
  //! capacity, a hardware's power or dates. (Values set through the document are checked by
  //! the loader with everything else.)
  bool rules_varied = false;
};

//! Loads the scenario once (`scenario` names the file, or the text in `load`), keeping its
//! merged document; nothing bound yet. Throws InputError like load_scenario.
[[nodiscard]] Varied load_base(const std::string& scenario, const LoadOptions& load);

//! Binds one more input, the last of `v.inputs`, and the keys its pointer reaches (several when
//! it holds a selector). Throws InputError ("--vary") when a key cannot be varied, a selector
//! matches nothing, or a grid value or a bounded distribution lies outside the key's bounds.
const Input& bind(Varied& v, const VarySpec& spec);

//! One thread's working copy: the scenario a run's values are set on, and its varied series.
struct Working {
  explicit Working(const Varied& v) : scenario(v.base), groups(v.groups) {}
  Scenario scenario;
  std::vector<SeriesGroup> groups;
};

//! Sets the working copy to `values`, one per input in their order (every key of an input takes
//! its value), every other key as in the base; `run` numbers the run in messages. Throws InputError
//! when a value breaks a bound or a rule.
void apply(const Varied& v, long long run, const std::vector<double>& values, Working& w);

//! A spec made from numbers rather than read from --vary text (the two ends of a range solve,
//! optimize and sensitivity search or sample; the neutral value sensitivity binds to learn a
//! key): the list of `values`, which bind checks against the key's bounds like a sweep's grid
//! values. Its text, which messages quote, is the list as --vary writes it: PTR=V1,V2 (PTR*=...
//! for a factor).
[[nodiscard]] VarySpec list_spec(const std::string& pointer, bool multiply,
                                 std::vector<double> values);

//! The value at `pointer` in a document, or nullptr when it has none there.
[[nodiscard]] const json* document_value(const json& doc, const std::string& pointer);

//! Multiplies a trajectory as written in a document (a number, a series' points, an
//! exponential's base, a logistic's cap and floor, a fit's history) by `factor`.
void scale_trajectory(json& v, double factor);

//! The name of a varied parameter (a sweep's column): its pointer, with * when it multiplies.
[[nodiscard]] std::string param_name(const VarySpec& v);

}  // namespace dcplan::vary
