// Private to dcplan_core: the numeric parameters of a scenario. Each is a key of the format's
// table (schema.cpp), whose entry also says where its value lives in the loaded Scenario, the
// way HiGHS's option records carry a pointer to their value. The table here is derived from it
// once: the loader reads every entry through it, and the vary layer binds the keys that sweep,
// solve, optimize and sensitivity vary through it. A new numeric key is its entry in schema.cpp,
// its member in Scenario and its use in the engine. A numeric key without storage (a region
// weight, a mix share, a date) is read by the loader by hand and varied through the document
// (slower, vary/binding.hpp).
#pragma once

#include <Eigen/Core>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dcplan/scenario.hpp"
#include "dcplan/schema.hpp"

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

//! One numeric key of the format that has storage: where it is in the document (scope and
//! tokens), its shape, its node (bounds, default) and how to reach its value in a Scenario.
struct Param {
  std::string key;  //!< under its scope: "/capex/budget", "pue", "initial/it_capacity_mw"
  std::vector<std::string> tokens;  //!< the key's tokens under its scope
  Scope scope = Scope::kTop;
  Shape shape = Shape::kNumber;
  const schema::Node* node = nullptr;  //!< its entry in the format's table
  //! Its storage in `s` for the region or hardware `index`, or the currency `code`. An optional
  //! key (a cap, a demand price) has none while unset, unless `create` asks to set it.
  schema::Node::Bind at = nullptr;
  bool split = false;  //!< one of the capex shares, which must sum to 1
  bool rules = false;  //!< can break a rule between values (check_consistency)
};

//! Every numeric key of the format that has storage, in the table's order.
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
