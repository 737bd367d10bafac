// The SVG chart writer: scales, ticks, units, and golden charts compared as text.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "dcplan/report/svg.hpp"

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
