// dcplan — the HTML report: one self-contained file (inline CSS and SVG, no font, no network,
// no script that runs: its one <script> element is the provenance record, JSON data), readable
// offline and printable.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dcplan/provenance.hpp"
#include "dcplan/report/svg.hpp"
#include "dcplan/results.hpp"
#include "dcplan/scenario.hpp"
#include "dcplan/targets.hpp"

namespace dcplan::report {

//! A fan chart's data for one metric: per year p5, p50, p95 (from a sweep).
struct Fan {
  std::string metric;
  std::vector<double> years, p5, p50, p95;
};

//! A target's pass rate over a sweep's runs (sweep --targets), with its 90% Wilson interval.
struct PassRate {
  std::string target;  //!< the pass column's name without "pass:", as the sweep wrote it
  long long n = 0;     //!< runs
  double rate = 0, low = 0, high = 0;
};

//! What a report reads from a sweep's output: fan charts, and pass rates when it has them.
struct SweepFile {
  std::vector<Fan> fans;
  std::vector<PassRate> pass_rates;
};

struct ReportInput {
  const Scenario* scenario = nullptr;
  const Results* results = nullptr;  //!< with per-hardware rows
  std::vector<TargetResult> targets;
  const Scenario* other = nullptr;         //!< --compare
  const Results* other_results = nullptr;  //!< --compare, with per-hardware rows
  std::vector<Fan> fans;                   //!< --sweep
  std::vector<PassRate> pass_rates;        //!< --sweep of a sweep with --targets
  std::vector<Tornado> sensitivity;        //!< --sensitivity: charts of which inputs matter
  std::optional<Provenance> provenance;    //!< what made it: the footer and the record element
};

[[nodiscard]] std::string html_report(const ReportInput& input);

//! The charts of the plan, as html_report draws them and in its order: capacity, energy,
//! accelerators, money and emissions; the slack charts that have data; the cost-of-capital
//! charts when the run writes them. With `other` set, a comparison: OTHER drawn, the base
//! dashed. A sweep's fans and a sensitivity's tornadoes are not among them. Each is drawn by
//! render_svg, its id unique in the list (dcplan serve redraws a page's charts from them).
[[nodiscard]] std::vector<Chart> plan_charts(const ReportInput& input);

//! Reads fan-chart data from a `dcplan sweep` output: a --summary file (total rows), or raw rows
//! (percentiles computed from all runs); with --targets, the pass rates too (read from the
//! summary, or counted over the rows' runs). Throws InputError for anything else.
[[nodiscard]] SweepFile read_sweep(const std::string& path);

//! read_sweep's fans alone.
[[nodiscard]] std::vector<Fan> read_sweep_fans(const std::string& path);

}  // namespace dcplan::report
