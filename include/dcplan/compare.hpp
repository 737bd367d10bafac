// dcplan — the difference of two results, and gates that fail a pull request.
//
// Rows are joined on (year, region[, hardware]); for each metric: base, other,
// diff = other − base, rel_diff = diff / |base| (empty when base is 0). A row present on one
// side only is kept, with the other side empty.
//
// Gate: METRIC[@YEAR[:YEAR]][:SELECTOR] OP VALUE, OP one of <= < >= > ==.
//   VALUE absolute (4e11): compared with OTHER's value;
//   VALUE relative (+5%, -10%, 0%): compared with (other − base) / |base|.
// A year range sums the metric; no year means every year both runs have; SELECTOR defaults to
// total (an id, glob, #tag or * sums the regions it matches).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dcplan/results.hpp"
#include "dcplan/scenario.hpp"

namespace dcplan {

//! Two values closer than this, relative to the larger, are the same (floating-point noise).
inline constexpr double kSameRelative = 1e-12;

struct CompareRow {
  int year = 0;
  std::string region;
  std::string hardware;  //!< "" for rows over all hardware
  int metric = 0;        //!< value column
  double base = 0;       //!< NaN when absent or empty
  double other = 0;      //!< NaN when absent or empty
  bool in_base = true;
  bool in_other = true;
  [[nodiscard]] double diff() const;
  [[nodiscard]] double rel_diff() const;  //!< NaN when base is 0 or a side is empty
  //! Differs by more than kSameRelative of the larger magnitude, or is present on one side only.
  [[nodiscard]] bool changed() const;
};

//! Joins two result tables; `metrics` are value columns, `rows_by_hardware` keeps hardware rows.
[[nodiscard]] std::vector<CompareRow> compare_results(const Results& base, const Results& other,
                                                      const std::vector<int>& metrics,
                                                      bool total_only, bool with_hardware);

enum class GateOp { kLe, kLt, kGe, kGt, kEq };

struct Gate {
  std::string text;  //!< as written
  int metric = 0;
  std::optional<int> first_year;
  std::optional<int> last_year;
  std::string selector = "total";
  GateOp op = GateOp::kLe;
  double value = 0;       //!< absolute value, or the relative change as a fraction
  bool relative = false;  //!< VALUE was a percentage
};

//! Parses a gate; throws InputError naming the gate and what is wrong.
[[nodiscard]] Gate parse_gate(const std::string& text);

//! A target written on the command line (solve --target, optimize --subject-to):
//! METRIC@YEAR[:YEAR][:SELECTOR] OP VALUE, OP one of >= <= == (> and < read as >= and <=, the
//! model being continuous), VALUE a number or KxYEAR: K times the same metric in YEAR
//! (energy_twh@2032>=10x2022). A year range sums the metric, as in targets and gates. Throws
//! InputError naming `option`, the expression and what is wrong.
[[nodiscard]] Target parse_target(const std::string& text, const char* option = "--target");

//! Reads gates from a JSON file: ["gate", ...] or [{"gate": "...", "name": "..."}, ...].
[[nodiscard]] std::vector<Gate> read_gates_file(const std::string& path);

struct GateResult {
  Gate gate;
  int first_year = 0;  //!< the year (range) that decided the result
  int last_year = 0;
  double base = 0;
  double other = 0;
  double measured = 0;  //!< other (absolute gate) or rel change (relative gate)
  bool passed = false;
  std::string detail;
};

//! Evaluates gates on both runs. Throws InputError when a gate names a year outside both runs
//! or a selector no region of OTHER matches.
[[nodiscard]] std::vector<GateResult> evaluate_gates(const std::vector<Gate>& gates,
                                                     const Scenario& base_scenario,
                                                     const Results& base,
                                                     const Scenario& other_scenario,
                                                     const Results& other);

//! The compare metrics a planner reads first.
[[nodiscard]] std::vector<int> default_compare_metrics();

//! What `dcplan compare` runs: two scenarios, their rows joined, the gates evaluated.
struct CompareInputs {
  std::string base, other;  //!< scenario files
  //! Their texts when held in memory (LoadOptions::text); base and other then name them.
  std::optional<std::string> base_text, other_text;
  std::vector<std::string> set_base;    //!< --set-base: overrides in BASE
  std::vector<std::string> set_other;   //!< --set: overrides in OTHER
  std::vector<std::string> allow_dirs;  //!< --allow-dir
  std::string metrics;                  //!< comma-separated; empty: default_compare_metrics()
  std::string by = "total";             //!< total, region or hardware
  std::string years;                    //!< A:B, A:, :B or A; empty: every year
  std::vector<std::string> gates;       //!< gate expressions (parse_gate)
  std::string gates_file;               //!< a JSON file of gates (read_gates_file)
};

struct CompareResult {
  Scenario base_scenario, other_scenario;
  Results base, other;            //!< each side's results (by hardware when rows are)
  std::vector<int> metrics;       //!< the value columns compared
  std::vector<CompareRow> rows;   //!< within the years asked for
  std::vector<GateResult> gates;  //!< in the order given (--gate, then --gates)
  bool by_hardware = false;
  bool total_only = true;
  std::optional<int> first_year, last_year;  //!< --years
  [[nodiscard]] bool passed() const;         //!< every gate passed
};

//! Loads and runs both scenarios, joins their rows, evaluates the gates. Everything that can be
//! wrong with the inputs (gates, metrics, --by, --years) is checked before the runs. Throws
//! InputError naming the option or file; a failing gate is a result, not an error.
[[nodiscard]] CompareResult compare_scenarios(const CompareInputs& inputs);

}  // namespace dcplan
