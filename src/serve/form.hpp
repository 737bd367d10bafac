// Private to dcplan serve: the form of the page, every numeric key of a scenario.
//
// The merged document is walked with the key table (dcplan/schema.hpp), the table that drives
// the loader, `dcplan schema` and the scenario reference, so the form offers exactly the keys the
// loader reads, with the bounds it enforces. A number is one field; a trajectory is edited by
// its points: each year of a series, the parameters of an exponential or a logistic, the history
// of a fit. A field's pointer is what an edit sends back and what `--set` takes.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

namespace dcplan::serve {

//! One numeric value of the scenario the page can edit.
struct Field {
  std::string pointer;      //!< where it is: /regions/us-east/pue/series/2027
  std::string key;          //!< its row of the scenario reference: /regions/{id}/pue
  std::string unit;         //!< "" for a fraction or a count without unit
  std::string description;  //!< the key table's one line
  std::optional<double> minimum, maximum;
  bool exclusive_minimum = false, exclusive_maximum = false;
  bool integer = false;
  double value = 0;  //!< the scenario's value: the field's start
};

//! The fields of one group of the reference (regions, capex, ...) and one of its items (the
//! region us-east; "" for a group that has none, as capex).
struct FieldGroup {
  std::string group;
  std::string item;
  std::vector<Field> fields;
};

//! Every numeric key of `document` (a merged scenario), grouped as the scenario reference groups
//! keys: by top-level key in the table's order, then by id or index. The format version
//! (/dcplan) is not a number of the plan and is left out.
[[nodiscard]] std::vector<FieldGroup> form_fields(const nlohmann::json& document);

//! The groups as the page reads them (a JSON array).
[[nodiscard]] nlohmann::json form_json(const std::vector<FieldGroup>& groups);

}  // namespace dcplan::serve
