// Private to dcplan_core and the command line: writing a comparison (dcplan compare).
#pragma once

#include <string>
#include <vector>

#include "dcplan/compare.hpp"

namespace dcplan::io {

struct Comparison {
  std::string base_file;  //!< as named on the command line
  std::string other_file;
  std::string format;  //!< csv, md or table (json: to_json, result_json.hpp)
  std::vector<CompareRow> rows;
  std::vector<GateResult> gates;
  bool hw = false;  //!< rows by hardware
};

//! The comparison in its format, with a one-line verdict (the gates, the largest change).
[[nodiscard]] std::string format_comparison(const Comparison& c);

//! One line: the gates' outcome and the largest change. In markdown (`md`) the gate texts are
//! code spans and the region is escaped; everything else is dcplan's own words.
[[nodiscard]] std::string verdict(const std::vector<CompareRow>& rows,
                                  const std::vector<GateResult>& gates, bool md);

}  // namespace dcplan::io
