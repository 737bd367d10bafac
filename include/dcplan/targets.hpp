// dcplan — targets: assertions on results.
//
// A target reads one metric for a region selector (`total`, an id, a glob, a #tag or `*`; a
// selector matching several regions sums them, ratios recomputed from the sums) in one year,
// or summed over [first, last]. Its bound is a number or k × the same metric in another year.
// With relative tolerance tol: at_least passes when value >= bound − tol·|bound|, at_most when
// value <= bound + tol·|bound|, equals when |value − bound| <= tol·|bound|.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dcplan/provenance.hpp"
#include "dcplan/results.hpp"
#include "dcplan/scenario.hpp"

namespace dcplan {

struct TargetResult {
  std::string name;
  std::string metric;
  std::string region;
  int first_year = 0;
  int last_year = 0;
  BoundKind kind = BoundKind::kAtLeast;
  double value = 0;  //!< the metric as read (NaN when empty)
  double bound = 0;  //!< the bound it was compared with
  double tolerance = 0;
  std::string currency = "USD";  //!< money metrics were converted to this currency
  bool passed = false;
  std::string what;      //!< "energy_twh 2032 total", "capex_usd (CNY) 2025-2027 total"
  std::string required;  //!< ">= 82.0949"
  std::string detail;    //!< e.g. "energy_twh 2032 total = 3.2 >= 4.1 (10 x 2022): FAILED"
};

//! A metric (value column `col`) for a region selector, summed over [first, last]; money
//! columns converted to `currency` at each year's rate. NaN when a year or region is missing
//! or a value is empty. Shared by targets and compare gates.
[[nodiscard]] double read_metric(const Scenario& scenario, const Results& results, int col,
                                 const std::string& selector, int first, int last,
                                 const std::string& currency = "USD");

//! Model v3: the observed value of a target's metric in `year` when the scenario records one
//! and the target reads total rows (observed history is of total rows only).
[[nodiscard]] std::optional<double> observed_base(const Scenario& scenario, const Target& target,
                                                  int year);

//! Model v3: the first year of a ratio target's base ([of_year, of_year + its span]) that lies
//! outside the horizon with no observed value; nullopt when every base year can be read.
[[nodiscard]] std::optional<int> unobserved_base_year(const Scenario& scenario,
                                                      const Target& target);

//! ">=", "<=" or "==".
[[nodiscard]] const char* bound_op(BoundKind kind);

//! Without `with_text`, only the numbers (value, bound, passed) are filled, not what, required
//! and detail: solve and optimize check targets on every engine run and print them once.
[[nodiscard]] std::vector<TargetResult> check_targets(const Scenario& scenario,
                                                      const Results& results,
                                                      bool with_text = true);

//! JUnit XML: one test suite for the scenario, one test case per target; with `provenance`, its
//! fields as the suite's properties (dcplan.version, dcplan.commit, dcplan.command,
//! dcplan.scenario_sha256, dcplan.time).
[[nodiscard]] std::string junit_xml(const Scenario& scenario,
                                    const std::vector<TargetResult>& results,
                                    const Provenance* provenance = nullptr);

}  // namespace dcplan
