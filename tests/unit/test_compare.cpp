// Gate grammar and the join of two result tables.
#include <catch2/catch.hpp>

#include "dcplan/compare.hpp"
#include "dcplan/targets.hpp"
#include "engine_fixture.hpp"

using namespace dcplan;
using namespace dcplan::test;
using Catch::Matchers::Contains;

TEST_CASE("gates: every operator, absolute and relative values", "[compare][gate]") {
  auto g = parse_gate("energy_twh@2032<=+5%");
  CHECK(g.metric == kEnergyTwh);
  CHECK(g.op == GateOp::kLe);
  CHECK(g.relative);
  CHECK(g.value == Approx(0.05));
  CHECK(*g.first_year == 2032);
  CHECK(*g.last_year == 2032);
  CHECK(g.selector == "total");
  CHECK(parse_gate("energy_twh@2032<1").op == GateOp::kLt);
  CHECK(parse_gate("energy_twh@2032>=1").op == GateOp::kGe);
  CHECK(parse_gate("energy_twh@2032>1").op == GateOp::kGt);
  CHECK(parse_gate("energy_twh@2032==1").op == GateOp::kEq);
  g = parse_gate("capex_usd@2025:2027<=4e11");
  CHECK(!g.relative);
  CHECK(g.value == 4e11);
  CHECK(*g.first_year == 2025);
  CHECK(*g.last_year == 2027);
  g = parse_gate("cost_per_eflop_year_usd@2030:#international<0%");
  CHECK(g.selector == "#international");
  CHECK(g.relative);
  CHECK(g.value == 0);
  CHECK(*g.last_year == 2030);
  g = parse_gate("peak_pflops@2026:2028:cn-*>=-10%");
  CHECK(g.selector == "cn-*");
  CHECK(g.value == Approx(-0.10));
  g = parse_gate("operational_tco2:r1 <= 5e6");  // no year: every year; spaces allowed
  CHECK(!g.first_year);
  CHECK(g.selector == "r1");
}

TEST_CASE("malformed gates are rejected with the problem named", "[compare][gate]") {
  const std::pair<const char*, const char*> bad[] = {
      {"", "empty"},
      {"energy_twh@2032", "no operator"},
      {"energy_twh@2032<=", "no value"},
      {"energy_twh@2032=<5", "unknown operator"},
      {"energy_twh@2032<=abc", "not a number"},
      {"energy_twh@2032<=5%%", "not a number"},
      {"energy_twj@2032<=5", "did you mean \"energy_twh\""},
      {"energy_twh@20x2<=5", "is not a year"},
      {"energy_twh@2032:2030<=5", "ends before it starts"},
      {"energy_twh@2032:2033:a:b<=5", "too many ':'"},
      {"energy_twh@2032:<=5", "empty selector"},
      {"<=5", "no metric"},
      {"energy_twh<=5<=6", "more than one operator"},
      {"energy_twh@2032<=%", "needs a number"},
  };
  for (const auto& [gate, words] : bad) {
    INFO(gate);
    try {
      (void)parse_gate(gate);
      FAIL("accepted");
    } catch (const InputError& e) {
      CHECK_THAT(e.diagnostics().front().message, Contains(words));
      CHECK_THAT(e.diagnostics().front().message, Contains("invalid gate"));
    }
  }
}

TEST_CASE("gates evaluate on both runs: relative, absolute, ranges, selectors", "[compare][gate]") {
  const Scenario a = tiny({"/capex/budget=1e8", R"(/regions/r/initial={"it_capacity_mw": 100})"});
  const Scenario b = tiny({"/capex/budget=1.2e8", R"(/regions/r/initial={"it_capacity_mw": 100})"});
  const Results ra = simulate(a);
  const Results rb = simulate(b);
  // 20% more money buys 20% more accelerators: energy up 20% in 2029.
  auto r = evaluate_gates({parse_gate("energy_twh@2029<=+25%"), parse_gate("energy_twh@2029<=+15%"),
                           parse_gate("capex_usd@2025:2026:r==2.4e8"),
                           parse_gate("capex_usd>=1.2e8"), parse_gate("capex_usd>1.2e8")},
                          a, ra, b, rb);
  CHECK(r[0].passed);
  CHECK(r[0].measured == Approx(0.2));
  CHECK(!r[1].passed);
  CHECK(r[2].passed);
  CHECK(r[2].other == Approx(2.4e8));
  CHECK(r[3].passed);   // every year
  CHECK(!r[4].passed);  // no year strictly above
  CHECK_THROWS_AS(evaluate_gates({parse_gate("energy_twh@2040<=5%")}, a, ra, b, rb), InputError);
  CHECK_THROWS_AS(evaluate_gates({parse_gate("energy_twh@2029:nowhere<=5%")}, a, ra, b, rb),
                  InputError);
}

TEST_CASE("comparing a run with itself shows no difference, missing rows are kept", "[compare]") {
  const Scenario a = tiny({"/capex/budget=1e8"});
  const Results ra = simulate(a);
  for (const auto& row : compare_results(ra, ra, default_compare_metrics(), false, false)) {
    CHECK(!row.changed());
  }
  const Scenario longer = tiny({"/capex/budget=1e8", "/horizon/end=2031"});
  const auto rows = compare_results(ra, simulate(longer), {kEnergyTwh}, true, false);
  CHECK(rows.size() == 7);
  CHECK(!rows.back().in_base);
  CHECK(rows.back().changed());
}

TEST_CASE("targets: a share of the total, by hand", "[compare][target][share]") {
  // Two regions alike but for their fleets, 40,000 and 20,000 accelerators of 1 kW, no budget
  // and no failures: every quantity of r is twice that of s, so r's share of any stock or flow
  // is 40,000 / 60,000 = 2/3 in every year.
  const char* region_s =
      R"(/regions/s={"pue": 1.25, "power_price_usd_per_mwh": 100, "grid_g_per_kwh": 500,
          "facility_capex_usd_per_mw": 1e7,
          "initial": {"it_capacity_mw": 100, "fleet": {"gpu": {"2024": 20000}}}})";
  Scenario s =
      tiny({R"(/regions/r/initial={"it_capacity_mw": 100, "fleet": {"gpu": {"2024": 40000}}})",
            region_s});
  s.targets = {parse_target("energy_twh@2026:r>=66%"), parse_target("energy_twh@2026:r>=67%"),
               parse_target("peak_pflops@2025:2027:s<=34%")};
  CHECK(s.targets[0].share);
  CHECK(s.targets[0].value == Approx(0.66));
  const Results res = simulate(s);
  const auto t = check_targets(s, res);
  REQUIRE(t.size() == 3);
  CHECK(t[0].value == Approx(2.0 / 3).epsilon(1e-12));
  CHECK(t[0].passed);
  CHECK_FALSE(t[1].passed);
  CHECK(t[2].value == Approx(1.0 / 3).epsilon(1e-12));  // summed over the years: still 1/3
  CHECK(t[2].passed);
  CHECK_THAT(t[0].detail, Contains("66% of the total"));
}

TEST_CASE("targets: a share is unsigned, of some regions, of a stock or a flow",
          "[compare][target]") {
  auto refused = [](const std::string& text, const std::string& why) {
    CHECK_THROWS_WITH(parse_target(text), Contains(why));
  };
  refused("energy_twh@2030:r>=+40%", "signed percentage");
  refused("energy_twh@2030>=40%", "selector of some regions");
  refused("energy_twh@2030:r>=140%", "0% to 100%");
  refused("pue@2030:r>=40%", "is a ratio");
  refused("energy_twh@2030:r>=40%x2025", "multiple of another year");
}
