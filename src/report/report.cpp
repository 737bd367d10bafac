#include "dcplan/report/report.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "dcplan/compare.hpp"
#include "dcplan/error.hpp"
#include "dcplan/io/format.hpp"
#include "dcplan/report/svg.hpp"
#include "sweep/file_format.hpp"
#include "sweep/stats.hpp"
#include "text.hpp"

namespace dcplan::report {

namespace {

constexpr const char* kStyle = R"(
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
svg .title { font-size: 14px; font-weight: bold; }
svg .grid { stroke: #e5e5e5; }
svg .axis { stroke: #444; }
svg .ytick { text-anchor: end; fill: #444; }
svg .xtick { text-anchor: middle; fill: #444; }
svg .ylabel { text-anchor: middle; fill: #444; }
svg .marker { fill: #b30000; }
svg .mlabel { text-anchor: end; fill: #b30000; font-size: 11px; }
svg .note { font-size: 10px; fill: #555; }
svg .nodata { fill: #777; font-style: italic; }
.small { color: #666; font-size: 0.85em; }
@media print { body { margin: 0; max-width: none; } h2 { page-break-after: avoid; } svg.chart { page-break-inside: avoid; } }
)";

struct View {
  const Scenario* s;
  const Results* r;
  std::vector<double> years;
  Eigen::Index row(int year, int region = RowKey::kTotal, int hw = RowKey::kAll) const {
    return r->find_row(year, region, hw);
  }
  std::vector<double> total(int col) const {
    std::vector<double> v;
    for (double y : years) {
      const auto i = row(static_cast<int>(y));
      v.push_back(i < 0 ? std::nan("") : r->values(i, col));
    }
    return v;
  }
  std::vector<double> region(int region, int col) const {
    std::vector<double> v;
    for (double y : years) v.push_back(r->values(row(static_cast<int>(y), region), col));
    return v;
  }
  std::vector<double> hardware(int hw, int col) const {
    std::vector<double> v;
    for (double y : years) {
      const auto i = row(static_cast<int>(y), RowKey::kTotal, hw);
      v.push_back(i < 0 ? 0.0 : r->values(i, col));
    }
    return v;
  }
};

View view_of(const Scenario& s, const Results& r) {
  View v{&s, &r, {}};
  for (int y = s.horizon.start; y <= s.horizon.end; ++y) v.years.push_back(y);
  return v;
}

std::vector<double> cumulative(std::vector<double> v) {
  for (std::size_t i = 1; i < v.size(); ++i) v[i] += v[i - 1];
  return v;
}

bool any_positive(const std::vector<double>& v) {
  return std::any_of(v.begin(), v.end(), [](double x) { return std::isfinite(x) && x > 0; });
}

std::string readable(double v, int col, const std::string& currency = "USD") {
  return io::readable(v, column_info(static_cast<Col>(col)), currency);
}

//! The base run's total of a column aligned on the other run's years (NaN where absent).
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
struct Report {
  const ReportInput& in;
  View base;  //!< the first scenario's run
  View main;  //!< the run the charts show: OTHER in a comparison, else the base
  bool cmp = false;
};

//! The document's head, title and the scenario's description.
std::string head_html(const Report& rep) {
  const Scenario& s = *rep.in.scenario;
  const Scenario& ms = *rep.main.s;
  const bool cmp = rep.cmp;
  const std::string title = ms.title.empty() ? (ms.name.empty() ? ms.file : ms.name) : ms.title;
  std::string h = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n";
  h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n";
  h += "<title>" + text::xml_escape(title) + " | dcplan report</title>\n<style>" +
       std::string(kStyle) + "</style>\n";
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
std::string summary_table(const Report& rep) {
  const View& main = rep.main;
  const Scenario& ms = *main.s;
  std::string h;
  // Summary table: first year, the years targets name, last year.
  std::set<int> years = {ms.horizon.start, ms.horizon.end};
  for (const auto& t : ms.targets) {
    for (int y = t.first_year; y <= t.last_year; ++y) years.insert(y);
  }
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
std::string targets_table(const Report& rep) {
  const ReportInput& in = rep.in;
  std::string h;
  // Targets.
  h += "<h2>Targets</h2>\n";
  if (in.targets.empty()) {
    h += "<p>The scenario states no targets.</p>\n";
  } else {
    h += "<table>\n<tr><th>target</th><th>result</th><th>metric</th><th>required</th><th>actual</"
         "th></tr>\n";
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

//! A chart over the years of the run shown.
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
std::string capacity_chart(const Report& rep) {
  const View& main = rep.main;
  const View& v = rep.base;
  const bool cmp = rep.cmp;
  const Scenario& ms = *main.s;
  Chart c = chart_of(rep, "chart-capacity", "IT capacity online by region, and IT load", "MW",
                     ChartKind::kStackedArea);
  const auto nr = static_cast<int>(ms.regions.size());
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
  c.lines.push_back({"IT load (all regions)", main.total(kItLoadMw), false});
  if (cmp) c.lines.push_back({"base: IT capacity", aligned(v, main, kItCapacityMw), true});
  add_observed(rep, c, kItCapacityMw);
  return render_svg(c);
}

//! 2. Energy with targets.
std::string energy_chart(const Report& rep) {
  const View& main = rep.main;
  const View& v = rep.base;
  const bool cmp = rep.cmp;
  const ReportInput& in = rep.in;
  Chart c = chart_of(rep, "chart-energy", "Energy by year, with energy targets", "TWh");
  c.series.push_back({cmp ? "energy (other)" : "energy", main.total(kEnergyTwh), false});
  if (cmp) c.series.push_back({"energy (base)", aligned(v, main, kEnergyTwh), true});
  for (const auto& t : in.targets) {
    if (t.metric == "energy_twh" && t.first_year == t.last_year && std::isfinite(t.bound)) {
      c.markers.push_back({static_cast<double>(t.last_year), t.bound, "target"});
    }
  }
  add_observed(rep, c, kEnergyTwh);
  return render_svg(c);
}

//! 3. Installed accelerators by hardware.
std::string accelerators_chart(const Report& rep) {
  const View& main = rep.main;
  const View& v = rep.base;
  const bool cmp = rep.cmp;
  const Scenario& ms = *main.s;
  Chart c = chart_of(rep, "chart-accelerators", "Installed accelerators by hardware generation",
                     "count", ChartKind::kStackedBars);
  for (std::size_t hw = 0; hw < ms.hardware.size(); ++hw) {
    auto n = main.hardware(static_cast<int>(hw), kAcceleratorsInstalled);
    if (any_positive(n)) c.series.push_back({ms.hardware[hw].id, n, false});
  }
  if (cmp)
    c.lines.push_back({"base: all installed", aligned(v, main, kAcceleratorsInstalled), true});
  add_observed(rep, c, kAcceleratorsInstalled);
  return render_svg(c);
}

//! 4. Capex by category, opex, cumulative capex.
std::string money_chart(const Report& rep) {
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
  c.lines.push_back({"cumulative capex", cumulative(main.total(kCapexUsd)), false});
  if (cmp) {
    c.lines.push_back({"base: cumulative capex", cumulative(aligned(v, main, kCapexUsd)), true});
  }
  return render_svg(c);
}

//! 5. Emissions.
std::string emissions_chart(const Report& rep) {
  const View& main = rep.main;
  const View& v = rep.base;
  const bool cmp = rep.cmp;
  Chart c = chart_of(rep, "chart-emissions", "Operational and embodied emissions", "t CO2e",
                     ChartKind::kStackedBars);
  c.series.push_back({"operational", main.total(kOperationalTco2), false});
  c.series.push_back({"embodied", main.total(kEmbodiedTco2), false});
  if (cmp) c.lines.push_back({"base: operational", aligned(v, main, kOperationalTco2), true});
  return render_svg(c);
}

//! 6. Where the plan is short or long: capacity standing empty or leased, accelerators waiting
//! for power, money carried over; each chart when there is any.
std::string slack_charts(const Report& rep) {
  const auto free = rep.main.total(kItCapacityFreeMw);
  const auto leased = rep.main.total(kItCapacityLeasedMw);
  const auto stranded = rep.main.total(kAcceleratorsStranded);
  const auto carry = rep.main.total(kCarryoverUsd);
  std::string h;
  if (any_positive(free) || any_positive(leased)) {
    Chart c = chart_of(rep, "chart-free", "IT capacity standing empty, and leased", "MW",
                       ChartKind::kGroupedBars);
    c.series.push_back({"empty (owned + leased - nameplate)", free, false});
    if (any_positive(leased)) c.series.push_back({"leased", leased, false});
    h += render_svg(c);
  }
  if (any_positive(stranded)) {
    Chart c = chart_of(rep, "chart-stranded", "Accelerators waiting for power (stranded)", "count");
    c.series.push_back({"stranded accelerators", stranded, false});
    h += render_svg(c);
  }
  if (any_positive(carry)) {
    Chart m = chart_of(rep, "chart-carryover", "Budget carried over (no region could absorb it)",
                       "USD", ChartKind::kGroupedBars);
    m.series.push_back({"carry-over", carry, false});
    h += render_svg(m);
  }
  if (h.empty()) {
    h = "<p class=\"small\">No capacity stood empty, no accelerator waited for power and no "
        "budget was carried over.</p>\n";
  }
  return h;
}

//! 8. Which inputs matter (report --sensitivity): tornado, Sobol' or Morris charts.
std::string sensitivity_charts(const Report& rep) {
  if (rep.in.sensitivity.empty()) return {};
  std::string h = "<h2>Which inputs matter</h2>\n";
  for (const auto& t : rep.in.sensitivity) h += render_tornado(t);
  return h;
}

//! Fan charts from a sweep.
std::string fan_charts(const Report& rep) {
  const ReportInput& in = rep.in;
  std::string h;
  for (std::size_t i = 0; i < in.fans.size(); ++i) {
    const auto& f = in.fans[i];
    const int col = value_column(f.metric);
    if (col < 0) continue;
    Chart c;
    c.id = "chart-fan-" + std::to_string(i);
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
  list("Sources", ms.sources);
  list("Assumptions", ms.assumptions);
  h += "<h2>Hardware</h2>\n<table>\n<tr><th>id</th><th>name</th><th>BF16 TFLOPS</th><th>all-in "
       "W</th><th>source</th></tr>\n";
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

std::string html_report(const ReportInput& in) {
  const bool cmp = in.other != nullptr && in.other_results != nullptr;
  const View base = view_of(*in.scenario, *in.results);
  // In a comparison the charts show OTHER; BASE is drawn dashed where it can be overlaid.
  const Report rep{in, base, cmp ? view_of(*in.other, *in.other_results) : base, cmp};
  std::string h = head_html(rep);
  h += summary_table(rep) + targets_table(rep) + "<h2>Charts</h2>\n";
  for (auto* chart : {capacity_chart, energy_chart, accelerators_chart, money_chart,
                      emissions_chart, slack_charts, fan_charts, sensitivity_charts}) {
    h += chart(rep);
  }
  h += comparison_table(rep) + sources_and_hardware(rep);
  h += "</body>\n</html>\n";
  return h;
}

namespace {

//! A sweep output read line by line. A hand-edited or foreign file is input like any other:
//! every row is checked (its width, its numbers, its year) and a problem is an error naming the
//! line, never a crash.
class SweepReader {
 public:
  explicit SweepReader(const std::string& path) : path_(path), in_(path) {
    if (!in_) throw InputError(path, "", "cannot read the sweep output");
  }
  bool next() {
    if (!std::getline(in_, line_)) return false;
    ++line_no_;
    return true;
  }
  [[nodiscard]] const std::string& line() const { return line_; }
  [[nodiscard]] std::vector<std::string> fields() const { return text::split(line_, ','); }
  [[noreturn]] void bad(const std::string& what) const {
    throw InputError(path_, "", fmt::format("line {}: {}", line_no_, what));
  }
  double number(const std::string& cell, const std::string& column, bool empty_ok) const {
    if (cell.empty() && empty_ok) return std::nan("");
    double v = 0;
    if (!text::parse_double(cell, v)) {
      bad("column " + text::excerpt(column) + ": expected a number, found \"" +
          text::excerpt(cell) + "\"");
    }
    return v;
  }
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

//! A --summary output: its percentiles, total rows only.
std::vector<Fan> summary_fans(SweepReader& r) {
  std::map<std::string, Fan> by_metric;
  while (r.next()) {
    const auto f = r.fields();
    if (f.size() != 8) r.bad(fmt::format("expected 8 fields, found {}", f.size()));
    if (f[1] != "total") continue;
    auto& fan = by_metric[f[2]];
    fan.metric = f[2];
    const double year = r.year(f[0]);
    if (!fan.years.empty() && year <= fan.years.back()) r.bad("years out of order");
    fan.years.push_back(year);
    fan.p5.push_back(r.number(f[5], "p5", true));
    fan.p50.push_back(r.number(f[6], "p50", true));
    fan.p95.push_back(r.number(f[7], "p95", true));
    if (by_metric.size() > 64 || fan.years.size() > 1000) r.bad("too many metrics or years");
  }
  std::vector<Fan> fans;
  for (auto& [m, f] : by_metric) {
    if (value_column(m) < 0) {
      throw InputError(r.path(), "", "unknown metric \"" + text::excerpt(m) + "\"");
    }
    fans.push_back(std::move(f));
  }
  return fans;
}

//! A rows output: every run's total rows, kept (bounded) until their percentiles are taken.
std::vector<Fan> rows_fans(SweepReader& r) {
  constexpr std::size_t kMaxValues = 20'000'000;
  if (!r.next()) r.bad("no column line");
  const auto header = r.fields();
  const auto year_at = std::find(header.begin(), header.end(), "year");
  if (year_at == header.end() || year_at + 1 == header.end() || *(year_at + 1) != "region") {
    r.bad("expected year and region columns");
  }
  const auto year_col = static_cast<std::size_t>(year_at - header.begin());
  const std::size_t region_col = year_col + 1;
  for (std::size_t c = region_col + 1; c < header.size(); ++c) {
    if (value_column(header[c]) < 0) r.bad("unknown metric \"" + text::excerpt(header[c]) + "\"");
  }
  std::map<std::string, std::map<double, std::vector<double>>> values;  // metric → year → values
  std::size_t kept = 0;
  while (r.next()) {
    const auto f = r.fields();
    if (f.size() != header.size())
      r.bad(fmt::format("expected {} fields, found {}", header.size(), f.size()));
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
  std::vector<Fan> fans;
  for (auto& [metric, by_year] : values) {
    Fan fan;
    fan.metric = metric;
    for (auto& [year, xs] : by_year) {
      fan.years.push_back(year);
      fan.p5.push_back(sweep::quantile(xs, 0.05));
      fan.p50.push_back(sweep::quantile(xs, 0.5));
      fan.p95.push_back(sweep::quantile(xs, 0.95));
    }
    fans.push_back(std::move(fan));
  }
  return fans;
}

}  // namespace

std::vector<Fan> read_sweep_fans(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode))
    throw InputError(path, "", "expected a regular file (a dcplan sweep csv output)");
  SweepReader r(path);
  if (!r.next()) {
    throw InputError(path, "", "expected a csv output of dcplan sweep; the file is empty");
  }
  if (r.line() == sweep::kSummaryColumns) return summary_fans(r);
  if (r.line().rfind(sweep::kHeaderPrefix, 0) != 0) {
    throw InputError(path, "", "expected a csv output of dcplan sweep (rows or --summary)");
  }
  return rows_fans(r);
}

}  // namespace dcplan::report
