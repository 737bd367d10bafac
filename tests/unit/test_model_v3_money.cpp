// Model v3, the money-and-history half, one mechanism a test, each on a scenario small enough to
// work out by hand (docs/model.md, "Model v3"). The tiny scenario: accelerators of 1 kW at
// US$10,000; facilities at US$10 m per MW; PUE 1.25; lifetime 5 years; u = 0.6.
#include <catch2/catch.hpp>

#include "engine_fixture.hpp"

using namespace dcplan;
using namespace dcplan::test;
using Catch::Matchers::WithinRel;

namespace {

std::string limit(const Results& res, int year, const std::string& id) {
  return limit_text(at(res, year, id, kLimit));
}

}  // namespace

TEST_CASE("the total row's limit: labels of regions given at least 10% of the budget",
          "[engine][v3][limit]") {
  // Version-1 placement: a (weight 5, no capacity) buys accelerators that wait for power:
  // "power"; b (weight 95, 1,000 MW) spends all it is given: "budget"; c opens in 2029:
  // "closed" until then. 2025 (US$100 m): a was given 5% (< 10%): the total shows only
  // "budget" (95%). 2026 (no new budget): every label of a region but closed: a's accelerators
  // still wait ("power"), b was given nothing (no label): "power".
  const auto res = simulate(
      tiny_v1({R"(/regions/a={"pue": 1.25, "power_price_usd_per_mwh": 100, "grid_g_per_kwh": 500,
                      "facility_capex_usd_per_mw": 1e7})",
               R"(/regions/b={"pue": 1.25, "power_price_usd_per_mwh": 100, "grid_g_per_kwh": 500,
                      "facility_capex_usd_per_mw": 1e7, "initial": {"it_capacity_mw": 1000}})",
               R"(/regions/c={"pue": 1.25, "power_price_usd_per_mwh": 100, "grid_g_per_kwh": 500,
                      "facility_capex_usd_per_mw": 1e7, "opens": 2029})",
               "/regions/r=null", R"(/capex/region_weights={"a": 5, "b": 95, "c": 100})",
               R"(/capex/budget={"series": {"2025": 1e8, "2026": 0}, "interp": "step"})"}));
  CHECK(limit(res, 2025, "a") == "power");
  CHECK(limit(res, 2025, "b") == "budget");
  CHECK(limit(res, 2025, "c") == "closed");
  CHECK_THAT(at(res, 2025, "a", kBudgetUsd), WithinRel(5e6, 1e-12));
  CHECK(limit(res, 2025, "total") == "budget");
  CHECK(limit(res, 2026, "a") == "power");
  CHECK(limit(res, 2026, "total") == "power");
  // With a given 10% (weights 10:90), its "power" shows in the total too.
  const auto ten = simulate(tiny_v1(
      {R"(/regions/a={"pue": 1.25, "power_price_usd_per_mwh": 100, "grid_g_per_kwh": 500,
                      "facility_capex_usd_per_mw": 1e7})",
       R"(/regions/b={"pue": 1.25, "power_price_usd_per_mwh": 100, "grid_g_per_kwh": 500,
                      "facility_capex_usd_per_mw": 1e7, "initial": {"it_capacity_mw": 1000}})",
       "/regions/r=null", R"(/capex/region_weights={"a": 10, "b": 90})", "/capex/budget=1e8"}));
  CHECK(limit(ten, 2025, "total") == "power+budget");
}
