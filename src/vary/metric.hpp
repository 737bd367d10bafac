// Private to dcplan_core: what a study reads from each run of a varied scenario, and the checks
// that it fits the scenario. optimize's objective and sensitivity's metrics are metrics;
// solve's and optimize's targets are checked against the scenario the same way.
#pragma once

#include <string>

#include "dcplan/results.hpp"
#include "dcplan/scenario.hpp"
#include "dcplan/targets.hpp"

namespace dcplan::vary {

//! A metric read from a run: METRIC[@YEAR[:YEAR]][:SELECTOR].
struct Metric {
  int col = 0;
  int first = 0, last = 0;
  std::string selector = "total";
  std::string text;  //!< with its years: "peak_pflops@2032"
  //! The metric on a run of `s` (NaN when empty).
  [[nodiscard]] double read(const Scenario& s, const Results& res) const;
};

//! Parses METRIC[@YEAR[:YEAR]][:SELECTOR] with the target grammar; no year means the horizon's
//! last. Throws InputError naming `option`.
[[nodiscard]] Metric parse_metric(const std::string& raw, const Scenario& s, const char* option);

//! A target from the command line must fit the scenario: its years within the horizon (or an
//! observed base year), its selector matching a region. Throws InputError naming `option`.
void check_target(const Scenario& s, const Target& t, const char* option = "--target");

}  // namespace dcplan::vary
