// dcplan — the scenario format, declared once.
//
// One table of every key (type, unit, default, bounds, one-line description) drives the
// loader's validation, `dcplan schema` (JSON Schema, draft 2020-12) and the scenario reference
// in docs/scenario-reference.md, so the three cannot disagree.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dcplan {
struct Scenario;
namespace params {
struct Storage;
}
}  // namespace dcplan

namespace dcplan::schema {

enum class Kind {
  kObject,      //!< fixed keys (fields)
  kMap,         //!< keys chosen by the user (ids, years, selectors), one value type (items)
  kArray,       //!< list of items
  kNumber,      //!< a JSON number
  kInteger,     //!< a JSON integer
  kString,      //!< text, optionally one of enum_values
  kBoolean,     //!< true or false
  kStringList,  //!< list of strings
  kTrajectory,  //!< a number or a trajectory object (series, exponential, logistic, fit)
  kBound,       //!< a target bound: a number or {"times": k, "of_year": y}
  kYearRange,   //!< [first, last]
};

enum class KeyKind { kNone, kId, kYear, kSelector, kCurrency };

struct Node;
using NodePtr = std::shared_ptr<const Node>;

struct Field {
  std::string name;
  bool required = false;
  NodePtr node;
};

struct Node {
  Kind kind = Kind::kNumber;
  std::string description;
  std::string unit;
  std::optional<double> minimum;
  std::optional<double> maximum;
  bool exclusive_minimum = false;
  bool exclusive_maximum = false;
  std::optional<double> default_number;  //!< default of a numeric key
  std::string default_text;              //!< how the default reads in the docs ("" = none)
  std::vector<std::string> enum_values;  //!< kString: allowed values (empty = any)
  std::string enum_text;                 //!< how they read in messages ("" = listed)
  bool or_rest = false;                  //!< kTrajectory: the string "rest" is allowed too
  KeyKind key_kind = KeyKind::kNone;     //!< kMap: what the keys are
  std::vector<Field> fields;             //!< kObject
  NodePtr items;                         //!< kMap values, kArray items
  //! A numeric key's storage in a loaded Scenario, for the region or hardware `index` or the
  //! currency `code` (src/params.hpp); null for keys the loader reads by hand. An optional key
  //! has no storage while unset, unless `create` asks to set it.
  using Bind = params::Storage (*)(Scenario& s, std::size_t index, const std::string& code,
                                   bool create);
  Bind bind = nullptr;
  bool cross_checked = false;  //!< its value must agree with other keys' (check_consistency)

  [[nodiscard]] const Field* field(std::string_view name) const;
  //! "a number >= 1 (MW)" etc., for messages.
  [[nodiscard]] std::string expectation() const;
  //! True when v is within the bounds.
  [[nodiscard]] bool in_bounds(double v) const;
  //! "≥ 1", "in [0, 1]", "" when unbounded.
  [[nodiscard]] std::string bounds_text() const;
};

//! First and last year the format accepts anywhere (horizon, series keys, vintages, base years).
inline constexpr int kFirstYear = 1900;
inline constexpr int kLastYear = 2500;

//! The keys inside a trajectory, bounded like every other key. The loader checks them, and the
//! JSON Schema is written from them: the two cannot disagree.
[[nodiscard]] const Node& year_in_trajectory();  //!< base_year, of_year: 1900 to 2500
[[nodiscard]] const Node& growth_rate();         //!< then_growth, exponential rate: > -1

//! The root of the scenario format (version 1).
[[nodiscard]] const Node& scenario();

//! The node for the given JSON pointer tokens, or nullptr when the format defines no such key.
//! Inside a trajectory every pointer is accepted (its shape is checked by the validator).
[[nodiscard]] const Node* node_at(const std::vector<std::string>& tokens);

//! JSON Schema (draft 2020-12) of the scenario format, as text.
[[nodiscard]] std::string json_schema();

//! The scenario reference (markdown), generated from the table.
[[nodiscard]] std::string reference_markdown();

//! Known key names nearest to `name` (edit distance), best first; empty when none is close.
[[nodiscard]] std::vector<std::string> nearest(std::string_view name,
                                               const std::vector<std::string>& known);

}  // namespace dcplan::schema
