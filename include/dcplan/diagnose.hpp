// dcplan — what bound a plan, and what a planner should be told about a run.
//
// Both read the result table only: the `limit` column (the constraints that bound each region
// and year, docs/model.md) and the stocks and flows around it.
#pragma once

#include <string>
#include <vector>

#include "dcplan/results.hpp"
#include "dcplan/scenario.hpp"

namespace dcplan {

//! The constraints that bound `region` (an id, or "total" for every region) in `year`, each
//! with the regions it bound, e.g. "grid (us-campus); power (ap-northeast-1, eu-west-1 and 19
//! more)". Empty when nothing bound it or the row does not exist.
[[nodiscard]] std::string what_bound(const Results& results, int year, const std::string& region);

//! Warnings about a run, one line each and each at most once (with the year and the size):
//! accelerators waiting for power, capacity standing empty while money carries over, money
//! piling up unspent. Region names are as in the results (callers escape them for a terminal).
[[nodiscard]] std::vector<std::string> run_warnings(const Results& results);

//! Model v3: a warning for each observed value (scenario key `observed`) of a year inside the
//! horizon that the modelled total differs from by more than 5% of it (by anything when it is
//! 0), naming both.
[[nodiscard]] std::vector<std::string> observed_warnings(const Scenario& scenario,
                                                         const Results& results);

}  // namespace dcplan
