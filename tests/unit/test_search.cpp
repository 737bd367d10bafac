// solve and optimize on cases worked out by hand.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "dcplan/compare.hpp"
#include "dcplan/error.hpp"
#include "dcplan/search.hpp"
#include "scenario_file.hpp"

using namespace dcplan;
using Catch::Matchers::Contains;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

using test::kLinear;
using test::write_scenario;

TEST_CASE("solve: the budget at which 2025 energy reaches a target, by hand", "[search]") {
  // A dollar buys 1e-4 accelerators = 1e-7 MW of nameplate, drawing 0.25 + 0.75 x 0.6 = 0.7 of
  // it, for half of 2025 (first_year_fraction): 1e-7 x 0.7 x 0.5 x 1.25 (PUE) x 8,760 h =
  // 3.8325e-4 MWh per dollar. 0.1 TWh = 1e5 MWh needs 1e5 / 3.8325e-4 = US$260,926,288.32.
  SolveOptions o;
  o.scenario = write_scenario("linear.json", kLinear);
  o.targets = {"energy_twh@2025>=0.1"};
  o.vary = {"/capex/budget=1e7:1e9"};
  o.jobs = 2;
  const SolveResult r = solve(o);
  REQUIRE(r.feasible);
  CHECK(r.monotone);
  CHECK_THAT(r.tolerance, WithinRel(990.0, 1e-9));  // 1e-6 x (1e9 - 1e7)
  CHECK(r.value >= 260926288.32);                   // the feasible side of the boundary
  CHECK(r.value - 260926288.32 <= r.tolerance);
  CHECK(r.at_value[0].passed);
  CHECK(r.set_line == "--set /capex/budget=" + fmt::format("{}", r.value));
  // The same with the largest budget at which energy stays at most 0.2 TWh: twice the budget.
  o.targets = {"energy_twh@2025<=0.2"};
  o.maximize = true;
  const SolveResult m = solve(o);
  CHECK(m.value <= 2 * 260926288.32);
  CHECK(2 * 260926288.32 - m.value <= m.tolerance);
  // Both: the targets hold on a band, not on an interval touching an end: not monotone,
  // reported with its interval.
  o.targets = {"energy_twh@2025>=0.1", "energy_twh@2025<=0.2"};
  const SolveResult band = solve(o);
  CHECK_FALSE(band.monotone);
  REQUIRE(band.intervals.size() == 1);
  CHECK_THAT(band.intervals[0].lo, WithinAbs(260926288.32, 990));
  CHECK_THAT(band.intervals[0].hi, WithinAbs(2 * 260926288.32, 990));
  // The same answer on one thread.
  o.jobs = 1;
  CHECK(solve(o).value == band.value);
}

TEST_CASE("solve: out of reach is an answer, bad input an error", "[search]") {
  SolveOptions o;
  o.scenario = write_scenario("linear.json", kLinear);
  o.targets = {"energy_twh@2025>=10"};  // US$26 bn: beyond the range and the 1,000 MW
  o.vary = {"/capex/budget=1e7:1e9"};
  const SolveResult r = solve(o);
  CHECK_FALSE(r.feasible);
  CHECK(r.value == 1e9);  // the better end
  CHECK(r.at_hi[0].value > r.at_lo[0].value);
  o.targets = {"energy_twh@2025>=+5%"};
  CHECK_THROWS_WITH(solve(o), Contains("percentage"));
  o.targets = {"energy_twh@2099>=1"};
  CHECK_THROWS_WITH(solve(o), Contains("outside the horizon"));
  o.targets = {"energy_twh>=1"};
  CHECK_THROWS_WITH(solve(o), Contains("no year"));
  o.targets = {"energy_twh@2025>=1"};
  o.vary = {"/capex/budget=5:1"};
  CHECK_THROWS_WITH(solve(o), Contains("LO must be less than HI"));
  o.vary = {"/regions/r/pue=0.5:2"};
  CHECK_THROWS_WITH(solve(o), Contains("pue"));
  o.vary = {"/regions/nowhere/pue=1:2"};
  CHECK_THROWS_WITH(solve(o), Contains("nowhere"));
}

TEST_CASE("optimize: the IT share that balances accelerators with facilities, by hand",
          "[search]") {
  // Version-1 placement, one year: s of US$100 m buys s x 1e8 / p accelerators of w = 2 kW,
  // (1 - s) x 1e8 / f MW of facilities (construction 0). Installed = min(s/p, (1 - s)/(f w))
  // x 1e8 is largest where the two meet: s* = p / (p + f w) = 1e4 / (1e4 + 1e7 x 0.002) = 1/3.
  const std::string path = write_scenario("balance.json", R"({"dcplan": 1,
    "horizon": {"start": 2025, "end": 2026},
    "hardware": {"gpu": {"available": 2020, "bf16_tflops": 1000, "all_in_w": 2000,
                         "price_usd": 10000, "lifetime_years": 5}},
    "regions": {"r": {"pue": 1.25, "power_price_usd_per_mwh": 100, "grid_g_per_kwh": 500,
                      "facility_capex_usd_per_mw": 1e7}},
    "capex": {"budget": 1e8, "split": {"it": 0.5, "facility": "rest", "other": 0},
              "hardware_mix": {"*": {"gpu": 1}}, "it_placement": "weights",
              "it_overflow": "strand"}})");
  OptimizeOptions o;
  o.scenario = path;
  o.objective = "peak_pflops@2025";
  o.varies = {"/capex/split/it=0:1"};
  OptimizeResult r = optimize(o);
  REQUIRE(r.feasible);
  CHECK_THAT(r.values[0], WithinRel(1.0 / 3.0, 1e-3));
  CHECK_THAT(r.objective, WithinRel(3333.333, 1e-3));  // 3,333 accelerators x 1,000 TFLOPS
  // A cap on the facilities (5 MW: at most US$50 m, so s >= 0.5) binds: the answer is s = 0.5,
  // with 2,500 accelerators (5 MW / 2 kW), and the constraint's slack is about 0.
  o.constraints = {"it_capacity_mw@2025<=5"};
  r = optimize(o);
  REQUIRE(r.feasible);
  CHECK_THAT(r.values[0], WithinRel(0.5, 1e-3));
  CHECK_THAT(r.objective, WithinRel(2500.0, 1e-3));
  CHECK_THAT(margin(r.constraints[0]), WithinAbs(0.0, 5e-3));
  // Several starts on several threads: the same answer, bit for bit, as on one thread.
  o.starts = 4;
  o.jobs = 3;
  const OptimizeResult a = optimize(o);
  o.jobs = 1;
  const OptimizeResult b = optimize(o);
  CHECK(a.values == b.values);
  CHECK(a.best_start == b.best_start);
  CHECK(a.set_line == b.set_line);
}

TEST_CASE("-o: extends beside the scenario, the whole scenario elsewhere", "[search]") {
  // Beneath the output's directory the loader follows extends; anywhere else it needs
  // --allow-dir, so the answer is written whole.
  CHECK(extends_beneath("/a/b/s.json", "/a/b/out.json"));
  CHECK(extends_beneath("/a/b/s.json", "/a/out.json"));  // extends "b/s.json"
  CHECK_FALSE(extends_beneath("/a/b/s.json", "/a/b/c/out.json"));
  CHECK_FALSE(extends_beneath("/a/b/s.json", "/tmp/out.json"));
  CHECK_FALSE(extends_beneath("/a/b/s.json", "/a/bc/out.json"));
  CHECK(extends_beneath("/a/b/..x.json", "/a/b/out.json"));  // a name starting "..": beneath
  // The answer solve finds (US$260,926,288.32 and a little, the test above) applied to the
  // merged document with the search's --set, which also stays; the scenario's description kept
  // after the note.
  SolveOptions o;
  o.scenario = write_scenario("linear-described.json",
                              std::string(kLinear).insert(1, R"("description": "mine", )"));
  o.overrides = {"/regions/r/pue=1.3"};
  o.targets = {"energy_twh@2025>=0.1"};
  o.vary = {"/capex/budget=1e7:1e9"};
  const SolveResult r = solve(o);
  REQUIRE(r.feasible);
  const LoadOptions load{o.overrides, {}, {}};
  const auto doc = nlohmann::json::parse(
      standalone_scenario(o.scenario, load, r.scenario_sha256, r.patch, "from a test."));
  CHECK(doc.at("capex").at("budget").get<double>() == r.value);
  CHECK(doc.at("regions").at("r").at("pue").get<double>() == 1.3);
  CHECK(doc.at("regions").at("r").at("facility_capex_usd_per_mw").get<double>() == 1e7);
  CHECK(doc.at("description") == "from a test. The scenario's own description: mine");
  CHECK_FALSE(doc.contains("extends"));
  // Files that changed since the search read them: nothing, and why.
  CHECK_THROWS_WITH(standalone_scenario(o.scenario, {}, r.scenario_sha256, r.patch, "x"),
                    Contains("changed while the search ran"));
}
