// Private to dcplan_core: the numeric parameters of a scenario, one table entry each, tying a
// key of the format (schema.hpp: type, bounds, default, description) to where its value lives
// in the loaded Scenario. The loader reads every entry through it, and sweeps bind --vary
// pointers through it (so will goal seeking and sensitivity analysis): a new numeric key is an
// entry in the schema, one here, and its use in the engine. A numeric key with no entry (a
// region weight, a mix share, a date) is read by the loader by hand and varied through the
// document (slower, sweep/plan.cpp).
#pragma once

#include <Eigen/Core>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dcplan/scenario.hpp"

namespace dcplan::params {

enum class Scope {
  kTop,       //!< a key of the document: /capex/budget
  kRegion,    //!< /regions/{id}/KEY
  kHardware,  //!< /hardware/{id}/KEY
  kCurrency,  //!< /fx_per_usd/{code}
};

enum class Shape {
  kTrajectory,  //!< evaluated over the horizon: an array by year
  kNumber,      //!< one number
  kInteger,     //!< one integer
};

//! Where a parameter's value lives in a Scenario: one of the three, or none when the scenario
//! does not set an optional key (a region without max_total_mw).
struct Storage {
  Eigen::ArrayXd* trajectory = nullptr;
  double* number = nullptr;
  int* integer = nullptr;
};

struct Param {
  std::string_view key;  //!< under its scope: "/capex/budget", "pue", "initial/it_capacity_mw"
  Scope scope;
  Shape shape;
  //! Its storage in `s` for the region or hardware `index`, or the currency `code`. An optional
  //! key (a cap, a demand price) has none while unset, unless `create` asks to set it.
  Storage (*at)(Scenario& s, std::size_t index, const std::string& code, bool create);
  bool split = false;  //!< one of the capex shares, which must sum to 1
  bool rules = false;  //!< can break a rule between values (check_consistency)
};

//! Every parameter with a direct binding.
[[nodiscard]] std::span<const Param> table();

//! A parameter of one scenario: the entry, and which region, hardware or currency.
struct Bound {
  const Param* param = nullptr;
  std::size_t index = 0;
  std::string code;
  [[nodiscard]] Storage at(Scenario& s) const { return param->at(s, index, code, false); }
};

//! The parameter at the tokens of a JSON pointer (without /series/YEAR). Nullopt when the table
//! has no entry for the key; an InputError-worthy problem (an id the scenario does not define)
//! is returned in `problem` with nullopt.
[[nodiscard]] std::optional<Bound> resolve(const Scenario& s,
                                           const std::vector<std::string>& tokens,
                                           std::string& problem);

}  // namespace dcplan::params
