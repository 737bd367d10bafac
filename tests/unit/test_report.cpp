// The SVG chart writer: scales, ticks, units, and golden charts compared as text; the HTML
// report's cost-of-capital section (model v3).
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "dcplan/io/cells.hpp"
#include "dcplan/report/report.hpp"
#include "dcplan/report/svg.hpp"
#include "engine_fixture.hpp"

using namespace dcplan::report;
using Catch::Matchers::Contains;

namespace {

const std::string kGolden = std::string(DCPLAN_TEST_DIR) + "/golden/svg/";

//! Compares with the golden file; DCPLAN_UPDATE_GOLDEN=1 rewrites it instead.
void check_golden(const std::string& name, const std::string& svg) {
  const std::string path = kGolden + name;
  if (const char* update = std::getenv("DCPLAN_UPDATE_GOLDEN");
      update != nullptr && *update == '1') {
    std::ofstream(path) << svg;
  }
  std::ifstream in(path);
  REQUIRE(in.good());
  std::stringstream golden;
  golden << in.rdbuf();
  CHECK(svg == golden.str());
}

}  // namespace

TEST_CASE("nice ticks cover the range with round steps", "[report][svg]") {
  CHECK(nice_ticks(0, 82) == std::vector<double>{0, 20, 40, 60, 80, 100});
  CHECK(nice_ticks(0, 4.2) == std::vector<double>{0, 1, 2, 3, 4, 5});
  CHECK(nice_ticks(0, 1) == std::vector<double>{0, 0.2, 0.4, 0.6, 0.8, 1});
  CHECK(nice_ticks(-3, 7).front() <= -3);
  CHECK(nice_ticks(-3, 7).back() >= 7);
  CHECK(nice_ticks(5, 5).size() >= 2);
}

TEST_CASE("axis units scale to a readable prefix", "[report][svg]") {
  CHECK(axis_scale(5000, "MW").label == "GW");
  CHECK(axis_scale(500, "MW").label == "MW");
  CHECK(axis_scale(3.2e10, "USD").label == "US$ bn");
  CHECK(axis_scale(4e12, "USD").label == "US$ tn");
  CHECK(axis_scale(2.5e6, "count").label == "million");
  CHECK(axis_scale(6e6, "t CO2e").label == "Mt CO2e");
  CHECK(tick_label(2.5) == "2.5");
  CHECK(tick_label(100) == "100");
  CHECK(tick_label(0.25) == "0.25");
}

TEST_CASE("a chart with no data says so", "[report][svg]") {
  Chart c;
  c.id = "empty";
  c.title = "Nothing";
  c.unit = "MW";
  c.x = {2025, 2026};
  c.series.push_back({"zero", {0, 0}, false});
  const auto svg = render_svg(c);
  CHECK_THAT(svg, Contains("No data for this chart"));
  CHECK_THAT(svg, !Contains("class=\"axis\""));
}

TEST_CASE("golden: a line chart with a dashed base, a marker and axes", "[report][svg][golden]") {
  Chart c;
  c.id = "golden-line";
  c.title = "Energy";
  c.unit = "TWh";
  c.x = {2025, 2026, 2027, 2028};
  c.series.push_back({"energy", {1, 2.5, 3, 4.2}, false});
  c.series.push_back({"energy (base)", {1, 2, 2.5, 3}, true});
  c.markers.push_back({2028, 5, "target"});
  check_golden("line.svg", render_svg(c));
}

TEST_CASE("golden: stacked bars with an overlay line and a legend", "[report][svg][golden]") {
  Chart c;
  c.id = "golden-bars";
  c.title = "Capex";
  c.unit = "USD";
  c.kind = ChartKind::kStackedBars;
  c.x = {2025, 2026, 2027};
  c.series.push_back({"IT", {7e9, 8e9, 9e9}, false});
  c.series.push_back({"facility", {3e9, 3e9, 4e9}, false});
  c.lines.push_back({"cumulative", {1e10, 2.1e10, 3.4e10}, false});
  check_golden("bars.svg", render_svg(c));
}

TEST_CASE("golden: a stacked area and a fan chart", "[report][svg][golden]") {
  Chart c;
  c.id = "golden-area";
  c.title = "IT capacity";
  c.unit = "MW";
  c.kind = ChartKind::kStackedArea;
  c.x = {2025, 2026, 2027};
  c.series.push_back({"a", {100, 400, 900}, false});
  c.series.push_back({"b", {50, 200, 300}, false});
  check_golden("area.svg", render_svg(c));
  Chart f;
  f.id = "golden-fan";
  f.title = "Sweep";
  f.unit = "t CO2e";
  f.x = {2025, 2026, 2027};
  f.bands.push_back(
      {"operational_tco2", {1e6, 1.2e6, 1.3e6}, {1.1e6, 1.4e6, 1.6e6}, {1.2e6, 1.6e6, 2e6}});
  check_golden("fan.svg", render_svg(f));
}

TEST_CASE("a line with gaps breaks at a missing value, without them it joins across",
          "[report][svg]") {
  Chart c;
  c.id = "gaps";
  c.title = "Gaps";
  c.unit = "";
  c.x = {2025, 2026, 2027, 2028, 2029, 2030};
  const double nan = std::nan("");
  c.series.push_back({"a", {1, 2, nan, 3, nan, 4}, false});
  auto count = [](const std::string& s, const std::string& what) {
    std::size_t n = 0;
    for (auto at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
    return n;
  };
  const auto joined = render_svg(c);
  CHECK(count(joined, "<polyline") == 1);
  CHECK(count(joined, "<circle") == 0);
  CHECK_THAT(joined, !Contains("nan") && !Contains("inf"));
  c.gaps = true;
  const auto broken = render_svg(c);
  // 2025-2026 a line; 2028 and 2030 alone, dots; never a point at zero for a missing value.
  CHECK(count(broken, "<polyline") == 1);
  CHECK(count(broken, "<circle") == 2);
  CHECK_THAT(broken, !Contains("nan") && !Contains("inf"));
  c.series.front().y = {nan, nan, nan, nan, nan, nan};
  c.series.push_back({"b", {1, 1, 1, 1, 1, 1}, false});
  CHECK(count(render_svg(c), "<polyline") == 1);
}

namespace {

using dcplan::CapitalCharge;
using dcplan::Col;
using dcplan::Results;
using dcplan::Scenario;

//! The report of a tiny scenario (engine_fixture.hpp): US$100 m in 2025, half on accelerators
//! and half on facilities built in a year, with `overrides`.
struct Tiny {
  explicit Tiny(std::vector<std::string> overrides) {
    overrides.insert(
        overrides.begin(),
        {R"(/capex={"budget": {"series": {"2025": 1e8, "2026": 0}}, "split": {"it":
                          0.5, "facility": 0.5, "other": 0}, "hardware_mix": {"*": {"gpu": 1}}})",
         "/regions/r/construction_years=1", R"(/regions/r/initial={"it_capacity_mw": 5})"});
    s = dcplan::test::tiny(std::move(overrides));
    dcplan::EngineOptions eo;
    eo.by_hardware = true;
    r = dcplan::simulate(s, eo);
    ReportInput in;
    in.scenario = &s;
    in.results = &r;
    html = html_report(in);
  }
  Scenario s;
  Results r;
  std::string html;
};

//! The section from its heading to the next heading (or the end of the body).
std::string section(const std::string& html, const std::string& heading) {
  const auto at = html.find("<h2>" + heading + "</h2>");
  if (at == std::string::npos) return {};
  const auto next = html.find("<h2>", at + 1);
  return html.substr(
      at, (next == std::string::npos ? html.find("<p class=\"small\">Generated") : next) - at);
}

//! The cells of the row of `year` in the table with that id.
std::vector<std::string> table_row(const std::string& html, const std::string& id, int year) {
  const auto table = html.find("<table id=\"" + id + "\">");
  if (table == std::string::npos) return {};
  const auto end = html.find("</table>", table);
  const std::string start = "<tr><td>" + std::to_string(year) + "</td>";
  const auto row = html.find(start, table);
  if (row == std::string::npos || row > end) return {};
  std::vector<std::string> cells;
  const auto row_end = html.find("</tr>", row);
  for (auto at = html.find("<td>", row); at < row_end; at = html.find("<td>", at + 1)) {
    const auto close = html.find("</td>", at);
    cells.push_back(html.substr(at + 4, close - at - 4));
  }
  return cells;
}

std::string readable(const Results& r, int year, Col c) {
  return dcplan::io::readable(dcplan::test::at(r, year, "total", c), dcplan::column_info(c), "USD");
}

}  // namespace

TEST_CASE("report: no cost-of-capital section without its keys, with them only that section",
          "[report][v3]") {
  const Tiny plain({});
  CHECK(!plain.r.has_cost_of_capital);
  CHECK_THAT(plain.html, !Contains("Cost of capital") && !Contains("chart-capital-charge") &&
                             !Contains("chart-book-value") && !Contains("chart-breakeven") &&
                             !Contains("table-capital"));
  // wacc alone changes no other column (the property test): the report differs by the section.
  const Tiny wacc({"/finance/wacc=0.08"});
  REQUIRE(wacc.r.has_cost_of_capital);
  const std::string sec = section(wacc.html, "Cost of capital");
  REQUIRE(!sec.empty());
  std::string without = wacc.html;
  without.erase(without.find(sec), sec.size());
  CHECK(without == plain.html);
  CHECK_THAT(sec, Contains("TCO counts straight-line depreciation") &&
                      Contains("The cost of capital (wacc) is 8% (finance.wacc).") &&
                      Contains("id=\"chart-capital-charge\"") &&
                      Contains("id=\"chart-book-value\"") && Contains("depreciation (TCO)") &&
                      !Contains("chart-breakeven") && !Contains("interest during construction"));
}

TEST_CASE("report: the cost-of-capital table reads the total rows", "[report][v3]") {
  const Tiny t({R"(/finance={"wacc": 0.08, "capital_charge": "annuity",
                            "interest_during_construction": true})"});
  const std::string sec = section(t.html, "Cost of capital");
  CHECK_THAT(sec, Contains("TCO counts the capital charge (finance.capital_charge "
                           "\"annuity\")") &&
                      Contains("capital charge (TCO)") &&
                      Contains("<th>interest during construction</th>") &&
                      Contains("<th>cost per GPU-hour</th>") &&
                      Contains("Interest during construction is capitalised"));
  using namespace dcplan;
  for (int year = 2025; year <= 2029; ++year) {
    const auto cells = table_row(t.html, "table-capital", year);
    REQUIRE(cells.size() == 7);
    CHECK(cells[1] == readable(t.r, year, kTcoUsd));
    CHECK(cells[2] == readable(t.r, year, kDepreciationUsd));
    CHECK(cells[3] == readable(t.r, year, kCapitalChargeUsd));
    CHECK(cells[4] == readable(t.r, year, kBookValueUsd));
    CHECK(cells[5] == readable(t.r, year, kFinancingUsd));
    CHECK(cells[6] == readable(t.r, year, kCostPerGpuHourUsd));
  }
  // The facility money of 2025 comes online in 2026 with a year's interest at 8%.
  CHECK(test::at(t.r, 2026, "total", kFinancingUsd) > 0);
  CHECK(test::at(t.r, 2025, "total", kCapitalChargeUsd) >
        test::at(t.r, 2025, "total", kDepreciationUsd));
}

TEST_CASE("report: the cost of capital in words", "[report][v3]") {
  auto words = [](std::vector<std::string> o) {
    const Tiny t(std::move(o));
    const std::string sec = section(t.html, "Cost of capital");
    const auto at = sec.find("The cost of capital (wacc)");
    return at == std::string::npos ? std::string() : sec.substr(at, sec.find("</p>", at) - at);
  };
  CHECK(words({"/finance/wacc=0.075"}) == "The cost of capital (wacc) is 7.5% (finance.wacc).");
  CHECK(words({R"(/finance/capital_charge="annuity")", "/finance/discount_rate=0.05"}) ==
        "The cost of capital (wacc) is 5% (finance.discount_rate, as finance.wacc is not set).");
  CHECK(words({R"(/finance/wacc={"series": {"2025": 0.06, "2029": 0.1}})"}) ==
        "The cost of capital (wacc) is set by year (finance.wacc), from 6% to 10%.");
  CHECK(words({"/finance/wacc=0.08", "/regions/r/wacc=0.12"}) ==
        "The cost of capital (wacc) is 12% in every region and year (a region's wacc).");
  CHECK(words({"/finance/wacc=0.08", R"(/regions/q={"pue": 1.2, "power_price_usd_per_mwh": 50,
      "grid_g_per_kwh": 300, "facility_capex_usd_per_mw": 1e7, "wacc": 0.1})"}) ==
        "The cost of capital (wacc) is set by region and year (a region's wacc overrides "
        "the scenario's), from 8% to 10%.");
}

TEST_CASE("report: the break-even utilisation with a demand price, gaps where it is empty",
          "[report][v3]") {
  using namespace dcplan;
  // No price: no chart, no break-even column.
  const Tiny unpriced({"/finance/wacc=0.08", R"(/demand={"eflop_year": 1000})"});
  CHECK_THAT(section(unpriced.html, "Cost of capital"),
             !Contains("chart-breakeven") && !Contains("break-even"));
  const Tiny t({"/finance/wacc=0.08", R"(/finance/capital_charge="annuity")",
                R"(/demand={"eflop_year": 1000, "price_usd_per_eflop_year": 3e7})"});
  const std::string sec = section(t.html, "Cost of capital");
  CHECK_THAT(sec, Contains("id=\"chart-breakeven\"") && Contains("Above 1, no utilisation"));
  for (int year = 2025; year <= 2029; ++year) {
    const auto cells = table_row(t.html, "table-capital", year);
    REQUIRE(cells.size() >= 2);
    CHECK(cells[cells.size() - 2] == readable(t.r, year, kUtilisation));
    CHECK(cells.back() == readable(t.r, year, kBreakevenUtilisation));
    const double b = test::at(t.r, year, "total", kBreakevenUtilisation);
    if (std::isfinite(b) && b > 1) CHECK_THAT(sec, Contains(std::to_string(year)));
  }
}

TEST_CASE("plan_charts: the report's charts, drawn as the page draws them", "[report][serve]") {
  using namespace dcplan;
  // With the cost of capital and a demand price: every chart the plan can have but the
  // sweep's and the sensitivity's.
  const Tiny t(
      {"/finance/wacc=0.08", R"(/demand={"eflop_year": 1000, "price_usd_per_eflop_year": 3e7})"});
  ReportInput in;
  in.scenario = &t.s;
  in.results = &t.r;
  const auto charts = plan_charts(in);
  std::vector<std::string> ids;
  std::size_t at = 0;
  for (const auto& c : charts) {
    ids.push_back(c.id);
    // The same SVG, in the same order, as the report's page.
    const auto found = t.html.find(render_svg(c), at);
    CHECK(found != std::string::npos);
    at = found == std::string::npos ? at : found;
  }
  CHECK(ids.size() >= 8);
  CHECK(std::vector<std::string>(ids.begin(), ids.begin() + 5) ==
        std::vector<std::string>{"chart-capacity", "chart-energy", "chart-accelerators",
                                 "chart-money", "chart-emissions"});
  CHECK_THAT(ids.back(), Contains("chart-breakeven"));

  // A comparison draws the base dashed: the other run's charts hold dashed lines.
  const Tiny other({"/capex/budget/series/2025=2e8"});
  in.other = &other.s;
  in.other_results = &other.r;
  const auto cmp = plan_charts(in);
  CHECK_THAT(render_svg(cmp[1]), Contains("stroke-dasharray"));
  CHECK_THAT(render_svg(charts[1]), !Contains("stroke-dasharray"));
}
