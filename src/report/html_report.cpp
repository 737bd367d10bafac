// The HTML report (dcplan/report/report.hpp): one self-contained page of a run, or of a
// comparison, with its summary, targets, charts (svg.cpp), and optionally a sweep's fan charts
// and a sensitivity study's tornado charts. Also read_sweep_fans, which reads a sweep's csv
// output back for the fan charts.
//
// Why every text is escaped: a report is an artefact CI publishes and people open in a
// browser, and nearly every word in it comes from the scenario (title, description, sources,
// region and hardware ids and names, target names) or from files a pull request can change.
// Each goes through text::xml_escape where it is written into the page, so none of it can add
// markup or a script; the page itself runs no script (its one <script> element holds the
// provenance record as JSON data, escaped so that no text can close it) and loads nothing from
// the network, so it reads the same offline, printed, or years later.
//
// Numbers are read from the result table only, in its units, and written readable by
// io::readable, the one formatter of readable cells shared with the table and markdown
// outputs.
#include "dcplan/report/report.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "dcplan/compare.hpp"
#include "dcplan/error.hpp"
#include "dcplan/io/cells.hpp"
#include "dcplan/report/svg.hpp"
#include "io/sweep_file.hpp"
#include "stats.hpp"
#include "text.hpp"

namespace dcplan::report {

namespace {

//! The page's style: its own rules around the charts' (chart_css, shared with dcplan serve).
std::string style() {
  return std::string(R"(
body { font-family: sans-serif; color: #222; max-width: 1000px; margin: 2em auto; padding: 0 1em; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; font-size: 0.85em; margin: 0.5em 0; }
th, td { border: 1px solid #ddd; padding: 3px 7px; text-align: right; }
td { white-space: nowrap; }
td.small, td.text { white-space: normal; }
th:first-child, td:first-child, td.text { text-align: left; }
td.pass { color: #006d2c; font-weight: bold; }
td.fail { color: #b30000; font-weight: bold; }
svg.chart { display: block; margin: 0.5em 0 1.5em 0; font-size: 12px; }
)") + chart_css() +
         R"(.small { color: #666; font-size: 0.85em; }
@media print { body { margin: 0; max-width: none; } h2 { page-break-after: avoid; } svg.chart { page-break-inside: avoid; } }
)";
  ;
}

//! The rows of one run the report reads: its total row by year, a region's, a hardware type's
//! total. Missing rows read as NaN (an empty point) or 0 (a hardware type absent in a year).
struct View {
  const Scenario* s;
  const Results* r;
  std::vector<double> years;
  //! The row of (year, region, hardware), or -1; by default the total row over all hardware.
  Eigen::Index row(int year, int region = RowKey::kTotal, int hw = RowKey::kAll) const {
    return r->find_row(year, region, hw);
  }
  //! A column of the total rows, year by year; NaN where a year has no row.
  std::vector<double> total(int col) const {
    std::vector<double> v;
    for (double y : years) {
      const auto i = row(static_cast<int>(y));
      v.push_back(i < 0 ? std::nan("") : r->values(i, col));
    }
    return v;
  }
  //! A column of one region's rows (every year of the horizon has one).
  std::vector<double> region(int region, int col) const {
    std::vector<double> v;
    for (double y : years) v.push_back(r->values(row(static_cast<int>(y), region), col));
    return v;
  }
  //! A column of the total rows of one hardware type; 0 where there is none.
  std::vector<double> hardware(int hw, int col) const {
    std::vector<double> v;
    for (double y : years) {
      const auto i = row(static_cast<int>(y), RowKey::kTotal, hw);
      v.push_back(i < 0 ? 0.0 : r->values(i, col));
    }
    return v;
  }
};

//! Every year of the horizon, as the charts' x values.
View view_of(const Scenario& s, const Results& r) {
  View v{&s, &r, {}};
  for (int y = s.horizon.start; y <= s.horizon.end; ++y) v.years.push_back(y);
  return v;
}

//! Running sums, in year order (cumulative capex).
std::vector<double> cumulative(std::vector<double> v) {
  for (std::size_t i = 1; i < v.size(); ++i) v[i] += v[i - 1];
  return v;
}

//! Whether a series has something to draw: charts and series of zeros are left out.
bool any_positive(const std::vector<double>& v) {
  return std::any_of(v.begin(), v.end(), [](double x) { return std::isfinite(x) && x > 0; });
}

//! A cell of column `col`, readable in its unit (io::readable); escaped by the caller.
std::string readable(double v, int col, const std::string& currency = "USD") {
  return io::readable(v, column_info(static_cast<Col>(col)), currency);
}

//! The base run's total of a column aligned on the other run's years (NaN where absent).
//! The two runs of a comparison may cover different years: the base is drawn only where it has
//! a year the other has, so a dashed line never stands at a position meaning another year.
std::vector<double> aligned(const View& base, const View& on, int col) {
  std::vector<double> out;
  for (double y : on.years) {
    const auto i = base.row(static_cast<int>(y));
    out.push_back(i < 0 ? std::nan("") : base.r->values(i, col));
  }
  return out;
}

}  // namespace

namespace {

//! What every section reads: the run shown (OTHER in a comparison), the base, the input.
//! The sections are plain functions of it, called in page order by html_report.
struct Report {
  const ReportInput& in;
  View base;  //!< the first scenario's run
  View main;  //!< the run the charts show: OTHER in a comparison, else the base
  bool cmp = false;
};

//! The document's head, title and the scenario's description.
//!
//! The title falls back from the scenario's title to its name to its file; each is escaped in
//! both the <title> and the <h1>. The provenance record goes in the head, once: read_provenance
//! refuses a page with two, so no text of the body can add a second.
std::string head_html(const Report& rep) {
  const Scenario& s = *rep.in.scenario;
  const Scenario& ms = *rep.main.s;
  const bool cmp = rep.cmp;
  // In a comparison the page describes the other scenario (the one the charts show); its
  // title names both plans: the one drawn, and the base it is drawn against.
  auto title_of = [](const Scenario& x) {
    return x.title.empty() ? (x.name.empty() ? x.file : x.name) : x.title;
  };
  const std::string title = cmp ? title_of(ms) + " compared with " + title_of(s) : title_of(ms);
  std::string h = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n";
  // Styles inline and no external resource: the page renders the same offline, and opening it
  // sends no request anywhere.
  h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n";
  h += "<title>" + text::xml_escape(title) + " | dcplan report</title>\n<style>" + style() +
       "</style>\n";
  // The machine-readable record, once, in the head (provenance.cpp explains why only there).
  if (rep.in.provenance) h += provenance_html_record(*rep.in.provenance) + "\n";
  h += "</head>\n<body>\n";
  h += "<h1>" + text::xml_escape(title) + "</h1>\n";
  if (!ms.description.empty()) h += "<p>" + text::xml_escape(ms.description) + "</p>\n";
  h += fmt::format(
      "<p class=\"small\">Scenario <code>{}</code>, {}–{}, budget in {}.{}</p>\n",
      text::xml_escape(ms.file), ms.horizon.start, ms.horizon.end, text::xml_escape(ms.currency),
      cmp ? " Compared with the base <code>" + text::xml_escape(s.file) + "</code> (dashed)." : "");
  return h;
}

//! The summary table: the first year, the years targets name, the last year.
//!
//! Every cell is escaped even though it is a number: `limit` is words, and the rule "escape
//! where written" must not depend on knowing which cells are numbers.
std::string summary_table(const Report& rep) {
  const View& main = rep.main;
  const Scenario& ms = *main.s;
  std::string h;
  // Summary table: first year, the years targets name, last year.
  // A std::set: the years in order, each once, however many targets name it.
  std::set<int> years = {ms.horizon.start, ms.horizon.end};
  for (const auto& t : ms.targets) {
    for (int y = t.first_year; y <= t.last_year; ++y) years.insert(y);
  }
  // The columns a planner reads first: money, fleet, capacity, energy and PUE, compute, cost,
  // carbon, and what bound the plan.
  const int cols[] = {
      kCapexUsd, kAcceleratorsInstalled, kItCapacityMw,    kEnergyTwh, kPue, kPeakPflops,
      kTcoUsd,   kCostPerEflopYearUsd,   kOperationalTco2, kLimit};
  const char* labels[] = {"capex",
                          "accelerators installed",
                          "IT capacity",
                          "energy",
                          "PUE",
                          "peak compute",
                          "TCO",
                          "cost per EFLOP-year",
                          "operational emissions",
                          "what bound it"};
  h += "<h2>Summary</h2>\n<table>\n<tr><th>year</th>";
  for (const char* l : labels) h += std::string("<th>") + l + "</th>";
  h += "</tr>\n";
  for (int y : years) {
    const auto i = main.row(y);
    if (i < 0) continue;
    h += fmt::format("<tr><td>{}</td>", y);
    for (int c : cols) h += "<td>" + text::xml_escape(readable(main.r->values(i, c), c)) + "</td>";
    h += "</tr>\n";
  }
  h += "</table>\n";
  return h;
}

//! The targets, as --check reports them.
//! Target names are the scenario's and are escaped; the value is a number dcplan formats.
std::string targets_table(const Report& rep) {
  const ReportInput& in = rep.in;
  std::string h;
  // Targets.
  // A scenario without targets says so: an empty table would read as "all passed".
  h += "<h2>Targets</h2>\n";
  if (in.targets.empty()) {
    h += "<p>The scenario states no targets.</p>\n";
  } else {
    h += "<table>\n<tr><th>target</th><th>result</th><th>metric</th><th>required</th><th>actual</"
         "th></tr>\n";
    // One row per target: its name, pass or FAIL, what it measures, what it required, what the
    // run gave.
    for (const auto& t : in.targets) {
      h += fmt::format(
          "<tr><td class=\"text\">{}</td><td class=\"{}\">{}</td><td class=\"text\">{}</td>"
          "<td>{}</td><td>{:.6g}</td></tr>\n",
          text::xml_escape(t.name), t.passed ? "pass" : "fail", t.passed ? "pass" : "FAIL",
          text::xml_escape(t.what), text::xml_escape(t.required), t.value);
    }
    h += "</table>\n";
  }
  return h;
}

//! A sweep's pass rates (report --sweep of a sweep with --targets): the probability of meeting
//! each target over the sweep's runs, with its 90% Wilson interval. Nothing without them.
std::string sweep_targets_table(const Report& rep) {
  const auto& rates = rep.in.pass_rates;
  if (rates.empty()) return "";
  // One decimal, or two significant digits below 1%: a rate near 0 is what a planner asks about.
  auto percent = [](double v) {
    if (std::isnan(v)) return std::string();
    return v * 100 >= 1 ? fmt::format("{:.1f}%", v * 100) : fmt::format("{:.2g}%", v * 100);
  };
  std::string h =
      "<h2>Sweep: probability of meeting each target</h2>\n<p>The share of the sweep's runs in "
      "which each target holds, with its 90% Wilson score interval.</p>\n<table>\n<tr><th>target"
      "</th><th>runs</th><th>pass rate</th><th>90% interval</th></tr>\n";
  for (const PassRate& r : rates) {
    h += fmt::format("<tr><td class=\"text\">{}</td><td>{}</td><td>{}</td><td>{} to {}</td></tr>\n",
                     text::xml_escape(r.target), r.n, percent(r.rate), percent(r.low),
                     percent(r.high));
  }
  return h + "</table>\n";
}

//! A chart over the years of the run shown.
//! Ids are fixed strings of dcplan's, unique in the page, so a chart can be linked to.
Chart chart_of(const Report& rep, std::string id, std::string title, std::string unit,
               ChartKind kind = ChartKind::kLine) {
  Chart c;
  c.id = std::move(id);
  c.title = std::move(title);
  c.unit = std::move(unit);
  c.kind = kind;
  c.x = rep.main.years;
  return c;
}

//! Model v3: a marker for each observed value of `col` (scenario key `observed`) in a year the
//! chart shows.
//! Observed years outside the chart's years (history before the horizon) are left out.
void add_observed(const Report& rep, Chart& c, Col col) {
  const auto m = rep.main.s->observed.find(std::string(column_info(col).name));
  if (m == rep.main.s->observed.end()) return;
  for (const auto& [year, value] : m->second) {
    const auto y = static_cast<double>(year);
    if (std::find(c.x.begin(), c.x.end(), y) != c.x.end())
      c.markers.push_back({y, value, "observed"});
  }
}

//! 1. IT capacity by region (stacked), IT load overlaid.
//! The seven regions with the most capacity at their peak are drawn by name and the others
//! summed as "other regions": eight bands, the eight colours of the Okabe–Ito palette, which
//! stay apart for colour-blind readers. The order is by peak capacity, ties in id order (a
//! stable sort), so the same scenario always draws the same chart.
Chart capacity_chart(const Report& rep) {
  const View& main = rep.main;
  const View& v = rep.base;
  const bool cmp = rep.cmp;
  const Scenario& ms = *main.s;
  Chart c = chart_of(rep, "chart-capacity", "IT capacity online by region, and IT load", "MW",
                     ChartKind::kStackedArea);
  // The regions of the run shown: in a comparison, the other scenario's.
  const auto nr = static_cast<int>(ms.regions.size());
  // Regions by their peak capacity over the horizon, largest first.
  std::vector<std::pair<double, int>> order;
  for (int r = 0; r < nr; ++r) {
    const auto cap = main.region(r, kItCapacityMw);
    order.emplace_back(*std::max_element(cap.begin(), cap.end()), r);
  }
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<double> other(main.years.size(), 0.0);
  int shown = 0;
  for (const auto& [mx, r] : order) {
    const auto cap = main.region(r, kItCapacityMw);
    if (shown < 7 && mx > 0) {
      c.series.push_back({ms.regions[static_cast<std::size_t>(r)].id, cap, false});
      ++shown;
    } else {
      for (std::size_t i = 0; i < other.size(); ++i) other[i] += cap[i];
    }
  }
  if (any_positive(other)) c.series.push_back({"other regions", other, false});
  // IT load over capacity shows how full the halls run; the base's capacity, dashed, in a
  // comparison.
  c.lines.push_back({"IT load (all regions)", main.total(kItLoadMw), false});
  if (cmp) c.lines.push_back({"base: IT capacity", aligned(v, main, kItCapacityMw), true});
  add_observed(rep, c, kItCapacityMw);
  return c;
}

//! 2. Energy with targets.
//! Only single-year energy targets are drawn as markers: a target over a range of years sums
//! them, which is not a point on a yearly curve.
Chart energy_chart(const Report& rep) {
  const View& main = rep.main;
  const View& v = rep.base;
  const bool cmp = rep.cmp;
  const ReportInput& in = rep.in;
  Chart c = chart_of(rep, "chart-energy", "Energy by year, with energy targets", "TWh");
  c.series.push_back({cmp ? "energy (other)" : "energy", main.total(kEnergyTwh), false});
  if (cmp) c.series.push_back({"energy (base)", aligned(v, main, kEnergyTwh), true});
  for (const auto& t : in.targets) {
    // A target whose bound could not be computed (an empty base) is not drawn.
    if (t.metric == "energy_twh" && t.first_year == t.last_year && std::isfinite(t.bound)) {
      c.markers.push_back({static_cast<double>(t.last_year), t.bound, "target"});
    }
  }
  add_observed(rep, c, kEnergyTwh);
  return c;
}

//! 3. Installed accelerators by hardware.
//! Per hardware type from the total rows by hardware (the report runs the engine with rows by
//! hardware), types with none installed left out.
Chart accelerators_chart(const Report& rep) {
  const View& main = rep.main;
  const View& v = rep.base;
  const bool cmp = rep.cmp;
  const Scenario& ms = *main.s;
  Chart c = chart_of(rep, "chart-accelerators", "Installed accelerators by hardware generation",
                     "count", ChartKind::kStackedBars);
  // One stacked series per type that was ever installed, in id order.
  for (std::size_t hw = 0; hw < ms.hardware.size(); ++hw) {
    auto n = main.hardware(static_cast<int>(hw), kAcceleratorsInstalled);
    if (any_positive(n)) c.series.push_back({ms.hardware[hw].id, n, false});
  }
  if (cmp)
    c.lines.push_back({"base: all installed", aligned(v, main, kAcceleratorsInstalled), true});
  add_observed(rep, c, kAcceleratorsInstalled);
  return c;
}

//! 4. Capex by category, opex, cumulative capex.
//! Capex as bars by category (IT, facility, other), with opex and the cumulative capex as lines:
//! the yearly spend and where it adds up to.
Chart money_chart(const Report& rep) {
  const View& main = rep.main;
  const View& v = rep.base;
  const bool cmp = rep.cmp;
  Chart c =
      chart_of(rep, "chart-money", "Capex by category (bars), opex and cumulative capex (lines)",
               "USD", ChartKind::kStackedBars);
  c.series.push_back({"capex: IT", main.total(kCapexItUsd), false});
  c.series.push_back({"capex: facility", main.total(kCapexFacilityUsd), false});
  c.series.push_back({"capex: other", main.total(kCapexOtherUsd), false});
  c.lines.push_back({"opex", main.total(kOpexUsd), false});
  // Cumulative capex, summed over the years shown, from the first year of the horizon.
  c.lines.push_back({"cumulative capex", cumulative(main.total(kCapexUsd)), false});
  if (cmp) {
    c.lines.push_back({"base: cumulative capex", cumulative(aligned(v, main, kCapexUsd)), true});
  }
  return c;
}

//! 5. Emissions.
//! Operational (energy × grid intensity, net of renewables) and embodied (the units bought)
//! emissions, stacked: step 11 of docs/model.md, in tonnes CO2e.
Chart emissions_chart(const Report& rep) {
  const View& main = rep.main;
  const View& v = rep.base;
  const bool cmp = rep.cmp;
  Chart c = chart_of(rep, "chart-emissions", "Operational and embodied emissions", "t CO2e",
                     ChartKind::kStackedBars);
  c.series.push_back({"operational", main.total(kOperationalTco2), false});
  c.series.push_back({"embodied", main.total(kEmbodiedTco2), false});
  if (cmp) c.lines.push_back({"base: operational", aligned(v, main, kOperationalTco2), true});
  return c;
}

//! 6. Where the plan is short or long: capacity standing empty or leased, accelerators waiting
//! for power, money carried over; each chart when there is any.
//! These are the charts of docs/model.md's "What bound the plan": empty capacity (owned +
//! leased − nameplate), stranded accelerators, carry-over (slack_html says so in a sentence
//! when there are none).
std::vector<Chart> slack_charts(const Report& rep) {
  // Total rows only: where the plan is short or long as a whole; the limit column of the
  // summary table says which constraint.
  const auto free = rep.main.total(kItCapacityFreeMw);
  const auto leased = rep.main.total(kItCapacityLeasedMw);
  const auto stranded = rep.main.total(kAcceleratorsStranded);
  const auto carry = rep.main.total(kCarryoverUsd);
  std::vector<Chart> charts;
  // Free and leased capacity side by side: a plan can lease while halls stand empty
  // elsewhere.
  if (any_positive(free) || any_positive(leased)) {
    Chart c = chart_of(rep, "chart-free", "IT capacity standing empty, and leased", "MW",
                       ChartKind::kGroupedBars);
    c.series.push_back({"empty (owned + leased - nameplate)", free, false});
    if (any_positive(leased)) c.series.push_back({"leased", leased, false});
    charts.push_back(std::move(c));
  }
  if (any_positive(stranded)) {
    Chart c = chart_of(rep, "chart-stranded", "Accelerators waiting for power (stranded)", "count");
    c.series.push_back({"stranded accelerators", stranded, false});
    charts.push_back(std::move(c));
  }
  if (any_positive(carry)) {
    Chart m = chart_of(rep, "chart-carryover", "Budget carried over (no region could absorb it)",
                       "USD", ChartKind::kGroupedBars);
    m.series.push_back({"carry-over", carry, false});
    charts.push_back(std::move(m));
  }
  return charts;
}

//! The slack charts, or a sentence saying there was no slack.
std::string slack_html(const Report& rep) {
  std::string h;
  for (const auto& c : slack_charts(rep)) h += render_svg(c);
  if (h.empty()) {
    h = "<p class=\"small\">No capacity stood empty, no accelerator waited for power and no "
        "budget was carried over.</p>\n";
  }
  return h;
}

//! 8. Which inputs matter (report --sensitivity): tornado, Sobol' or Morris charts.
//! The tornado charts a sensitivity study made (report --sensitivity); nothing otherwise.
std::string sensitivity_charts(const Report& rep) {
  if (rep.in.sensitivity.empty()) return {};
  std::string h = "<h2>Which inputs matter</h2>\n";
  for (const auto& t : rep.in.sensitivity) h += render_tornado(t);
  return h;
}

//! The cost of capital in words: one rate when every region has the same in every year, else
//! its range, by year or by region and year.
//! The rate falls back as the engine's does: a region's wacc, else finance.wacc, else the
//! discount rate.
std::string wacc_text(const Scenario& s) {
  // The rates that apply: each region's own, or the scenario's for a region without one; the
  // text then gives one number when they are all equal, else their range.
  const Eigen::ArrayXd& common = s.finance.wacc ? *s.finance.wacc : s.finance.discount_rate;
  const std::string key =
      s.finance.wacc ? "finance.wacc" : "finance.discount_rate, as finance.wacc is not set";
  bool by_region = false;
  // The rates in force: one per region when any region sets its own, else the scenario's.
  std::vector<const Eigen::ArrayXd*> rates;
  for (const auto& r : s.regions) {
    by_region = by_region || r.wacc.has_value();
    rates.push_back(r.wacc ? &*r.wacc : &common);
  }
  if (!by_region) rates = {&common};
  // The range over every year of every rate that applies.
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const auto* a : rates) {
    if (a->size() > 0) lo = std::min(lo, a->minCoeff()), hi = std::max(hi, a->maxCoeff());
  }
  auto percent = [](double w) { return fmt::format("{:.4g}%", 100 * w); };
  // No rate to show (empty arrays): name the key only.
  if (!(lo <= hi)) return "The cost of capital (wacc) is " + key + ".";
  if (lo == hi) {
    return "The cost of capital (wacc) is " + percent(lo) +
           (by_region ? " in every region and year (a region's wacc)." : " (" + key + ").");
  }
  return "The cost of capital (wacc) is set " +
         std::string(by_region ? "by region and year (a region's wacc overrides the scenario's)"
                               : "by year (" + key + ")") +
         ", from " + percent(lo) + " to " + percent(hi) + ".";
}

//! The years of `v` over 1 (as text, "2027, 2028"), of those the view shows.
//! Named in the break-even note: the years in which no utilisation pays for TCO.
std::string years_above_one(const View& main, const std::vector<double>& v) {
  std::string out;
  for (std::size_t i = 0; i < v.size() && i < main.years.size(); ++i) {
    if (std::isfinite(v[i]) && v[i] > 1) {
      out += (out.empty() ? "" : ", ") + std::to_string(static_cast<int>(main.years[i]));
    }
  }
  return out;
}

//! The cost-of-capital table by year: TCO, depreciation, capital charge, book value, and the
//! optional columns when they hold anything.
//!
//! Interest during construction and the cost per GPU-hour have a column only when some year has
//! a value, so a scenario that does not use them is not shown empty columns.
std::string capital_table(const View& main, bool priced) {
  const auto financing = main.total(kFinancingUsd);
  const auto per_gpu_hour = main.total(kCostPerGpuHourUsd);
  std::vector<std::pair<int, const char*>> cols = {{kTcoUsd, "TCO"},
                                                   {kDepreciationUsd, "depreciation"},
                                                   {kCapitalChargeUsd, "capital charge"},
                                                   {kBookValueUsd, "book value"}};
  if (std::any_of(financing.begin(), financing.end(),
                  [](double x) { return std::isfinite(x) && x != 0; })) {
    cols.emplace_back(kFinancingUsd, "interest during construction");
  }
  if (std::any_of(per_gpu_hour.begin(), per_gpu_hour.end(),
                  [](double x) { return std::isfinite(x); })) {
    cols.emplace_back(kCostPerGpuHourUsd, "cost per GPU-hour");
  }
  // With a demand price, utilisation and its break-even, side by side.
  if (priced) {
    cols.emplace_back(kUtilisation, "utilisation");
    cols.emplace_back(kBreakevenUtilisation, "break-even utilisation");
  }
  std::string h = "<table id=\"table-capital\">\n<tr><th>year</th>";
  for (const auto& [col, label] : cols) h += std::string("<th>") + label + "</th>";
  h += "</tr>\n";
  for (const double year : main.years) {
    const auto i = main.row(static_cast<int>(year));
    if (i < 0) continue;
    h += fmt::format("<tr><td>{}</td>", static_cast<int>(year));
    for (const auto& [col, label] : cols) {
      h += "<td>" + text::xml_escape(readable(main.r->values(i, col), col)) + "</td>";
    }
    h += "</tr>\n";
  }
  return h + "</table>\n";
}

//! The break-even utilisation against the utilisation (a demand price only; breakeven_note is
//! its note).
//!
//! The chart draws with gaps: a year without a break-even utilisation (no compute, or a price
//! that cannot cover the electricity of full use) is empty, and the line must not bridge it as
//! though it had a value. The line u = 1 marks full use: a break-even above it is out of reach.
Chart breakeven_chart(const Report& rep, bool cmp) {
  const View& main = rep.main;
  const View& v = rep.base;
  // Both as fractions of full use (u in [0, 1]; a break-even may exceed 1).
  Chart u =
      chart_of(rep, "chart-breakeven", "Break-even utilisation (revenue = TCO) against utilisation",
               "fraction of full use");
  u.gaps = true;
  u.series.push_back({"break-even", main.total(kBreakevenUtilisation), false});
  u.series.push_back({"utilisation", main.total(kUtilisation), false});
  u.lines.push_back({"full use (u = 1)", std::vector<double>(main.years.size(), 1.0), false});
  const Scenario& bs = *v.s;
  if (cmp && bs.demand && bs.demand->price_usd_per_eflop_year) {
    u.lines.push_back({"base: break-even", aligned(v, main, kBreakevenUtilisation), true});
    u.lines.push_back({"base: utilisation", aligned(v, main, kUtilisation), true});
  }
  return u;
}

//! The note under the break-even chart: it names the years where no utilisation breaks even.
std::string breakeven_note(const Report& rep) {
  const std::string above = years_above_one(rep.main, rep.main.total(kBreakevenUtilisation));
  return "<p class=\"small\">At the break-even utilisation revenue (delivered compute times the "
         "price) equals TCO, only electricity varying with utilisation. Above 1, no utilisation "
         "breaks even: revenue at full use would not cover TCO" +
         (above.empty() ? std::string(".") : " (" + above + ").") +
         " A gap is a year without one: no compute, or a price that does not cover the "
         "electricity of full use.</p>\n";
}

//! The capital charge against straight-line depreciation.
Chart capital_charge_chart(const Report& rep, bool cmp) {
  const View& main = rep.main;
  const View& v = rep.base;
  const bool annuity = main.s->finance.capital_charge == CapitalCharge::kAnnuity;
  Chart c = chart_of(rep, "chart-capital-charge",
                     "Capital charge (annuity at the wacc) and straight-line depreciation", "USD");
  c.gaps = true;
  c.series.push_back(
      {annuity ? "capital charge (TCO)" : "capital charge", main.total(kCapitalChargeUsd), false});
  c.series.push_back(
      {annuity ? "depreciation" : "depreciation (TCO)", main.total(kDepreciationUsd), false});
  if (cmp) {
    c.lines.push_back({"base: capital charge", aligned(v, main, kCapitalChargeUsd), true});
    c.lines.push_back({"base: depreciation", aligned(v, main, kDepreciationUsd), true});
  }
  return c;
}

//! The book value at year end.
Chart book_value_chart(const Report& rep, bool cmp) {
  Chart b = chart_of(rep, "chart-book-value", "Book value of the assets at year end", "USD",
                     ChartKind::kGroupedBars);
  b.gaps = true;
  b.series.push_back({"book value", rep.main.total(kBookValueUsd), false});
  if (cmp)
    b.lines.push_back({"base: book value", aligned(rep.base, rep.main, kBookValueUsd), true});
  return b;
}

//! The charts of the cost-of-capital section: none unless the run shown writes its columns
//! (Results::has_cost_of_capital); the base dashed in a comparison when it has them too.
std::vector<Chart> capital_charts(const Report& rep) {
  if (!rep.main.r->has_cost_of_capital) return {};
  const bool cmp = rep.cmp && rep.base.r->has_cost_of_capital;
  std::vector<Chart> charts = {capital_charge_chart(rep, cmp), book_value_chart(rep, cmp)};
  const Scenario& ms = *rep.main.s;
  // Break-even needs a price for delivered compute: without one there is no revenue.
  if (ms.demand && ms.demand->price_usd_per_eflop_year) charts.push_back(breakeven_chart(rep, cmp));
  return charts;
}

//! Model v3, the cost of capital, only when the run shown writes one of its keys
//! (Results::has_cost_of_capital): the capital charge against straight-line depreciation, the
//! book value, what TCO counts and at which cost of capital; a table by year with interest
//! during construction (when there is any) and the cost per GPU-hour (when there is one); with
//! a demand price, the break-even utilisation against the utilisation. In a comparison the base
//! is drawn dashed when it has the columns too.
std::string cost_of_capital_section(const Report& rep) {
  const View& main = rep.main;
  if (!main.r->has_cost_of_capital) return {};
  const Scenario& ms = *main.s;
  // Which of the two capital costs TCO counts decides the labels: "(TCO)" marks that one.
  const bool annuity = ms.finance.capital_charge == CapitalCharge::kAnnuity;
  std::string h = "<h2>Cost of capital</h2>\n";
  h += std::string("<p>") +
       (annuity ? "TCO counts the capital charge (finance.capital_charge \"annuity\"): each "
                  "asset's capitalised cost times the capital recovery factor at the cost of "
                  "capital over its book life. Straight-line depreciation is shown beside it."
                : "TCO counts straight-line depreciation (finance.capital_charge "
                  "\"depreciation\"). The capital charge, each asset's capitalised cost times "
                  "the capital recovery factor at the cost of capital over its book life, is "
                  "shown beside it.") +
       " " + wacc_text(ms) +
       (ms.finance.interest_during_construction
            ? " Interest during construction is capitalised with the facilities."
            : "") +
       "</p>\n";

  const std::vector<Chart> charts = capital_charts(rep);
  h += render_svg(charts[0]) + render_svg(charts[1]);
  const bool priced = charts.size() > 2;
  h += capital_table(main, priced);
  if (priced) h += render_svg(charts[2]) + breakeven_note(rep);
  return h;
}

//! Fan charts from a sweep.
//! One fan per metric of the sweep (the percentiles read or computed by read_sweep_fans); a money
//! metric is drawn on a US-dollar axis.
std::string fan_charts(const Report& rep) {
  const ReportInput& in = rep.in;
  std::string h;
  for (std::size_t i = 0; i < in.fans.size(); ++i) {
    // Ids chart-fan-0, -1, ...: unique in the page, in the order the fans were read.
    const auto& f = in.fans[i];
    // A metric the results do not know (the sweep output was checked when read) is skipped.
    const int col = value_column(f.metric);
    if (col < 0) continue;
    Chart c;
    c.id = "chart-fan-" + std::to_string(i);
    // The metric's name is escaped by render_svg with the rest of the title.
    c.title = "Sweep: " + f.metric + " (median, 5th to 95th percentile)";
    c.unit = std::string(column_info(static_cast<Col>(col)).unit);
    if (column_info(static_cast<Col>(col)).money) c.unit = "USD";
    c.x = f.years;
    c.bands.push_back({f.metric, f.p5, f.p50, f.p95});
    h += render_svg(c);
  }
  return h;
}

//! The comparison with the base (a report with --compare).
//! The total rows of the default compare metrics (default_compare_metrics), joined as `dcplan
//! compare` joins them, with the relative change.
std::string comparison_table(const Report& rep) {
  const ReportInput& in = rep.in;
  std::string h;
  // Comparison table.
  if (rep.cmp) {
    h += "<h2>Comparison with the "
         "base</h2>\n<table>\n<tr><th>year</th><th>metric</th><th>base</th><th>other</"
         "th><th>change</th></tr>\n";
    for (const auto& row :
         compare_results(*in.results, *in.other_results, default_compare_metrics(), true, false)) {
      const double rel = row.rel_diff();
      h += fmt::format(
          "<tr><td>{}</td><td class=\"text\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
          row.year, text::xml_escape(std::string(column_info(static_cast<Col>(row.metric)).name)),
          row.in_base ? text::xml_escape(readable(row.base, row.metric)) : "(missing)",
          row.in_other ? text::xml_escape(readable(row.other, row.metric)) : "(missing)",
          std::isnan(rel) ? "" : fmt::format("{:+.2f}%", rel * 100));
    }
    h += "</table>\n";
  }
  return h;
}

//! Sources, assumptions and the hardware catalog.
//! The footer names what made the report (provenance_text, escaped like any text: it holds the
//! command line); the machine-readable record is in the head.
std::string sources_and_hardware(const Report& rep) {
  const View& main = rep.main;
  const Scenario& ms = *main.s;
  const ReportInput& in = rep.in;
  std::string h;
  // Sources and assumptions.
  auto list = [&](const char* heading, const std::vector<std::string>& items) {
    if (items.empty()) return;
    h += "<h2>" + std::string(heading) + "</h2>\n<ul>\n";
    for (const auto& item : items) h += "<li>" + text::xml_escape(item) + "</li>\n";
    h += "</ul>\n";
  };
  // What the scenario cites and assumes, as written (escaped): the report carries its sources.
  list("Sources", ms.sources);
  list("Assumptions", ms.assumptions);
  h += "<h2>Hardware</h2>\n<table>\n<tr><th>id</th><th>name</th><th>BF16 TFLOPS</th><th>all-in "
       "W</th><th>source</th></tr>\n";
  // The hardware the scenario defines, with its compute and power, and where they come from.
  for (const auto& hw : ms.hardware) {
    h += fmt::format(
        "<tr><td>{}</td><td class=\"text\">{}</td><td>{:g}</td><td>{:g}</td><td class=\"text "
        "small\">{}</td></tr>\n",
        text::xml_escape(hw.id), text::xml_escape(hw.name), hw.bf16_tflops, hw.all_in_w,
        text::xml_escape(hw.source));
  }
  h += "</table>\n";
  const std::string by = in.provenance ? provenance_text(*in.provenance) : "dcplan";
  h += "<p class=\"small\">Generated by " + text::xml_escape(by) +
       ". Every figure is a model output of the scenario above.</p>\n";
  return h;
}

}  // namespace

namespace {

//! The report of `in`: in a comparison the charts show OTHER, and BASE is drawn dashed where it
//! can be overlaid. Both runs are viewed over their own horizons; the base is aligned on the
//! other's years (aligned()) where it is overlaid.
Report report_of(const ReportInput& in) {
  const bool cmp = in.other != nullptr && in.other_results != nullptr;
  const View base = view_of(*in.scenario, *in.results);
  return Report{in, base, cmp ? view_of(*in.other, *in.other_results) : base, cmp};
}

//! The charts every report draws, in its order.
constexpr Chart (*kPlanCharts[])(const Report&) = {capacity_chart, energy_chart, accelerators_chart,
                                                   money_chart, emissions_chart};

}  // namespace

//! (Declared in dcplan/report/report.hpp.) The sections in page order; each returns its HTML, or
//! nothing when it does not apply to this run (no cost of capital, no sweep, no comparison).
std::string html_report(const ReportInput& in) {
  const Report rep = report_of(in);
  std::string h = head_html(rep);
  // Summary and targets first, the charts, then the comparison, sources and hardware: a reader
  // meets the answer before the detail.
  h += summary_table(rep) + targets_table(rep) + sweep_targets_table(rep) + "<h2>Charts</h2>\n";
  for (auto* chart : kPlanCharts) h += render_svg(chart(rep));
  h += slack_html(rep) + fan_charts(rep) + sensitivity_charts(rep) + cost_of_capital_section(rep);
  h += comparison_table(rep) + sources_and_hardware(rep);
  h += "</body>\n</html>\n";
  return h;
}

std::vector<Chart> plan_charts(const ReportInput& in) {
  const Report rep = report_of(in);
  std::vector<Chart> charts;
  for (auto* chart : kPlanCharts) charts.push_back(chart(rep));
  for (auto* more : {slack_charts, capital_charts}) {
    for (auto& c : more(rep)) charts.push_back(std::move(c));
  }
  return charts;
}

namespace {

//! A sweep output read line by line. A hand-edited or foreign file is input like any other:
//! every row is checked (its width, its numbers, its year) and a problem is an error naming the
//! line, never a crash.
//!
//! The reader never trusts the file: rows must have the header's width, numbers must parse
//! completely (text::parse_double: no "nan", no hexadecimal), years must be whole and within the
//! format's range, and messages quote cells only as excerpts.
class SweepReader {
 public:
  explicit SweepReader(const std::string& path) : path_(path), in_(path) {
    if (!in_) throw InputError(path, "", "cannot read the sweep output");
  }
  //! Reads the next line; false at the end of the file.
  bool next() {
    if (!std::getline(in_, line_)) return false;
    ++line_no_;
    return true;
  }
  [[nodiscard]] const std::string& line() const { return line_; }
  //! The cells of the line as csv (a target's name may hold a comma: it is quoted); rows are
  //! held to the header's width, so a row that splits differently is refused rather than
  //! misread, as is a quote left open.
  [[nodiscard]] std::vector<std::string> fields() const {
    if (io::csv_fields(line_) < 0) bad("a quote is left open");
    return io::csv_split(line_);
  }
  //! Throws InputError naming the file and the line.
  [[noreturn]] void bad(const std::string& what) const {
    throw InputError(path_, "", fmt::format("line {}: {}", line_no_, what));
  }
  //! A cell as a number; an empty cell (an empty ratio) is NaN where `empty_ok`.
  double number(const std::string& cell, const std::string& column, bool empty_ok) const {
    if (cell.empty() && empty_ok) return std::nan("");
    double v = 0;
    if (!text::parse_double(cell, v)) {
      bad("column " + text::excerpt(column) + ": expected a number, found \"" +
          text::excerpt(cell) + "\"");
    }
    return v;
  }
  //! A cell as a year: a whole number within the format's 1900 to 2500.
  double year(const std::string& cell) const {
    const double y = number(cell, "year", false);
    if (y != std::floor(y) || y < 1900 || y > 2500)
      bad("expected a year, found \"" + text::excerpt(cell) + "\"");
    return y;
  }
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::ifstream in_;
  std::string line_;
  long long line_no_ = 0;
};

//! A pass rate's row of a summary (metric "pass:NAME"): n, the rate (mean), low and high.
PassRate pass_rate(const SweepReader& r, const std::vector<std::string>& f) {
  PassRate p;
  p.target = f[2].substr(5);
  const double n = r.number(f[3], "n", false);
  if (n < 0 || n != std::floor(n) || n > 1e18) r.bad("expected a count of runs in n");
  p.n = static_cast<long long>(n);
  p.rate = r.number(f[4], "mean", true);
  p.low = r.number(f[8], "low", true);
  p.high = r.number(f[9], "high", true);
  return p;
}

//! A --summary output: its percentiles, total rows only, and with --targets (two more columns,
//! low and high) its pass rates; the rows of --ratio are not drawn.
//!
//! Years must ascend within a metric, as the sweep writes them. At most 64 metrics, 1,000
//! years and 1,000 targets are read, so that a hostile file cannot make the report unbounded.
SweepFile summary_fans(SweepReader& r, bool intervals) {
  const std::size_t width = intervals ? 10 : 8;
  SweepFile out;
  // Keyed by metric: rows of several metrics may interleave; each metric's years must ascend.
  std::map<std::string, Fan> by_metric;
  while (r.next()) {
    const auto f = r.fields();
    if (f.size() != width) r.bad(fmt::format("expected {} fields, found {}", width, f.size()));
    if (intervals && f[2].rfind("pass:", 0) == 0) {
      out.pass_rates.push_back(pass_rate(r, f));
      if (out.pass_rates.size() > 1000) r.bad("too many targets");
      continue;
    }
    // Fan charts show total rows only; region rows of the summary, and ratios, are skipped.
    if (f[1] != "total" || f[2].rfind("ratio:", 0) == 0) continue;
    auto& fan = by_metric[f[2]];
    fan.metric = f[2];
    // The year is column 0 of the summary, the metric column 2, p5, p50, p95 columns 5 to 7.
    const double year = r.year(f[0]);
    if (!fan.years.empty() && year <= fan.years.back()) r.bad("years out of order");
    fan.years.push_back(year);
    fan.p5.push_back(r.number(f[5], "p5", true));
    fan.p50.push_back(r.number(f[6], "p50", true));
    fan.p95.push_back(r.number(f[7], "p95", true));
    if (by_metric.size() > 64 || fan.years.size() > 1000) r.bad("too many metrics or years");
  }
  for (auto& [m, f] : by_metric) {
    if (value_column(m) < 0) {
      throw InputError(r.path(), "", "unknown metric \"" + text::excerpt(m) + "\"");
    }
    out.fans.push_back(std::move(f));
  }
  return out;
}

//! The pass columns of a rows output (sweep --targets: "pass:NAME" before year, 1 or 0 on
//! every row of a run), counted once per run: a run's rows follow each other.
class RunPasses {
 public:
  explicit RunPasses(const std::vector<std::string>& header) {
    for (std::size_t c = 1; c < header.size() && header[c] != "year"; ++c) {
      if (header[c].rfind("pass:", 0) == 0) columns_.push_back({c, header[c].substr(5), 0});
    }
  }
  //! A row: the first of its run counts its passes.
  void add(const SweepReader& r, const std::vector<std::string>& f) {
    if (columns_.empty() || f[0] == run_) return;
    run_ = f[0];
    ++runs_;
    for (auto& c : columns_) {
      if (f[c.at] != "0" && f[c.at] != "1")
        r.bad("column " + text::excerpt(c.name) + ": expected 1 or 0, found \"" +
              text::excerpt(f[c.at]) + "\"");
      c.passes += f[c.at] == "1" ? 1 : 0;
    }
  }
  //! Each target's rate over the runs, with its 90% Wilson interval.
  [[nodiscard]] std::vector<PassRate> rates() const {
    std::vector<PassRate> out;
    for (const auto& c : columns_) {
      const stats::Interval ci = stats::wilson(c.passes, runs_);
      const double rate =
          runs_ > 0 ? static_cast<double>(c.passes) / static_cast<double>(runs_) : std::nan("");
      out.push_back({c.name, runs_, rate, ci.low, ci.high});
    }
    return out;
  }

 private:
  struct Column {
    std::size_t at;
    std::string name;
    long long passes;
  };
  std::vector<Column> columns_;
  std::string run_;  //!< the run of the last row counted
  long long runs_ = 0;
};

//! A rows output: every run's total rows, kept (bounded) until their percentiles are taken.
//!
//! Every run's values are held to take exact percentiles (sweep::quantile; --summary estimates
//! them in one pass instead, with P-square), so the total is bounded at 20 million values
//! (160 MB); a larger sweep should be summarised with --summary first.
SweepFile rows_fans(SweepReader& r) {
  constexpr std::size_t kMaxValues = 20'000'000;
  if (!r.next()) r.bad("no column line");
  const auto header = r.fields();
  RunPasses passes(header);
  // The rows output starts with the run's columns (run, the varied parameters, the pass columns),
  // then year and region, then the metrics.
  const auto year_at = std::find(header.begin(), header.end(), "year");
  if (year_at == header.end() || year_at + 1 == header.end() || *(year_at + 1) != "region") {
    r.bad("expected year and region columns");
  }
  const auto year_col = static_cast<std::size_t>(year_at - header.begin());
  const std::size_t region_col = year_col + 1;
  for (std::size_t c = region_col + 1; c < header.size(); ++c) {
    if (value_column(header[c]) < 0) r.bad("unknown metric \"" + text::excerpt(header[c]) + "\"");
  }
  // Sorted maps: fans come out by metric name and years ascending, whatever the row order.
  std::map<std::string, std::map<double, std::vector<double>>> values;  // metric → year → values
  std::size_t kept = 0;
  while (r.next()) {
    const auto f = r.fields();
    if (f.size() != header.size())
      r.bad(fmt::format("expected {} fields, found {}", header.size(), f.size()));
    passes.add(r, f);
    if (f[region_col] != "total") continue;
    const double year = r.year(f[year_col]);
    for (std::size_t c = region_col + 1; c < f.size(); ++c) {
      const double v = r.number(f[c], header[c], true);
      if (std::isnan(v)) continue;
      values[header[c]][year].push_back(v);
      if (++kept > kMaxValues)
        r.bad("more than 20 million values; summarise the sweep with --summary");
    }
  }
  SweepFile out;
  out.pass_rates = passes.rates();
  std::vector<Fan>& fans = out.fans;
  for (auto& [metric, by_year] : values) {
    Fan fan;
    fan.metric = metric;
    for (auto& [year, xs] : by_year) {
      fan.years.push_back(year);
      fan.p5.push_back(stats::quantile(xs, 0.05));
      fan.p50.push_back(stats::quantile(xs, 0.5));
      fan.p95.push_back(stats::quantile(xs, 0.95));
    }
    fans.push_back(std::move(fan));
  }
  return out;
}

}  // namespace

//! (Declared in dcplan/report/report.hpp.) The kind of file is told by its first line: the
//! --summary header exactly, or the rows header's prefix; anything else is refused. A path that
//! is not a regular file (a FIFO, a device) is refused before it is opened.
SweepFile read_sweep(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
    throw InputError(path, "", "expected a regular file (a dcplan sweep csv output)");
  SweepReader r(path);
  if (!r.next()) {
    throw InputError(path, "", "expected a csv output of dcplan sweep; the file is empty");
  }
  // The summary's header line is exact; a rows file starts with the sweep's header comment.
  if (r.line() == io::kSweepSummaryColumns) return summary_fans(r, false);
  if (r.line() ==
      std::string(io::kSweepSummaryColumns) + std::string(io::kSweepSummaryIntervalColumns))
    return summary_fans(r, true);
  if (r.line().rfind(io::kSweepHeaderPrefix, 0) != 0) {
    throw InputError(path, "", "expected a csv output of dcplan sweep (rows or --summary)");
  }
  return rows_fans(r);
}

std::vector<Fan> read_sweep_fans(const std::string& path) {
  return read_sweep(path).fans;
}

}  // namespace dcplan::report
