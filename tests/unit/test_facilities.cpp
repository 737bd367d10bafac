// Facilities in service (model v2, docs/model.md, steps 8 and 10): depreciation from the year
// a facility comes online, maintenance of what is in service only, the PUE blended over
// initial, new-build and leased capacity. One mechanism a test, each on a scenario small enough
// to work out by hand. The tiny scenario: accelerators of 1 kW at US$10,000, so a dollar of IT
// money buys 1e-7 MW: US$10 m per MW of nameplate; facilities at US$10 m per MW; PUE 1.25.
#include <catch2/catch.hpp>

#include "engine_fixture.hpp"

using namespace dcplan;
using namespace dcplan::test;
using Catch::Matchers::WithinRel;

namespace {

//! The budget of 2025 alone (nothing after).
std::string budget_2025(double usd) {
  return "/capex/budget={\"series\": {\"2025\": " + std::to_string(usd) +
         ", \"2026\": 0}, \"interp\": \"step\"}";
}

}  // namespace

TEST_CASE("facilities depreciate from the year they come online, other capex from spending",
          "[engine][v2][finance]") {
  // US$100 m of facility capex in 2025 with 2 years of construction: 10 MW online in 2027.
  // Life 20 years: US$5 m a year from 2027, nothing before (version 1 charged it from 2025).
  // US$20 m of other capex in 2025: US$1 m a year from 2025.
  const auto s =
      tiny({"/regions/r/construction_years=2", budget_2025(1.2e8),
            R"(/capex/split={"it": 0, "facility": 0.8333333333333334, "other": "rest"})"});
  const auto res = simulate(s);
  CHECK_THAT(at(res, 2025, "r", kCapexFacilityUsd), WithinRel(1e8, 1e-12));
  CHECK_THAT(at(res, 2025, "r", kDepreciationUsd), WithinRel(1e6, 1e-9));
  CHECK_THAT(at(res, 2026, "r", kDepreciationUsd), WithinRel(1e6, 1e-9));
  CHECK_THAT(at(res, 2027, "r", kDepreciationUsd), WithinRel(6e6, 1e-9));
  // Maintenance (3%) on facilities online only: none before 2027, then 3% of 100 m.
  CHECK(at(res, 2026, "r", kMaintenanceUsd) == 0);
  CHECK_THAT(at(res, 2027, "r", kMaintenanceUsd), WithinRel(3e6, 1e-9));
}

TEST_CASE("maintenance leaves out accelerators waiting for power and unfinished buildings",
          "[engine][v2][finance]") {
  // Version-1 placement, no capacity at first, 1 year of construction, US$100 m a year split
  // 50/50 (the stranding test of step 5). 2025: 5,000 accelerators (50 m) all wait; the 50 m
  // of facilities are not online: no maintenance. 2026: the 2025 batch installs into the 5 MW
  // now online, the 2026 batch (50 m) waits; in service: 100 m of accelerators less 50 m
  // waiting, and 50 m of facilities (2026's are not online): 3% x 100 m = US$3 m.
  const auto s = tiny_v1({"/regions/r/construction_years=1", "/capex/budget=1e8",
                          R"(/capex/split={"it": 0.5, "facility": 0.5, "other": 0})"});
  const auto res = simulate(s);
  CHECK(at(res, 2025, "r", kMaintenanceUsd) == 0);
  CHECK_THAT(at(res, 2026, "r", kMaintenanceUsd), WithinRel(3e6, 1e-12));
}

TEST_CASE("PUE blends initial, new-build and leased capacity", "[engine][v2][pue]") {
  // 10 MW initial at PUE 1.5 with 10,000 accelerators (10 MW); US$100 m builds 10 MW at once
  // (construction 0) whose new_build_pue is 1.1: PUE_r = (10 x 1.5 + 10 x 1.1) / 20 = 1.3.
  // IT load 10 MW x (0.25 + 0.75 x 0.6) = 7 MW; facility power 9.1 MW; 79.716 GWh.
  const std::vector<std::string> base = {
      R"(/regions/r/initial={"it_capacity_mw": 10, "fleet": {"gpu": {"2025": 10000}}})",
      "/regions/r/pue=1.5", "/regions/r/new_build_pue=1.1", budget_2025(1e8),
      R"(/capex/split={"it": 0, "facility": 1, "other": 0})"};
  const auto res = simulate(tiny(base));
  CHECK_THAT(at(res, 2025, "r", kPue), WithinRel(1.3, 1e-12));
  CHECK_THAT(at(res, 2025, "r", kFacilityPowerMw), WithinRel(9.1, 1e-12));
  CHECK_THAT(at(res, 2025, "r", kEnergyTwh), WithinRel(0.079716, 1e-12));
  // Without the new build, the initial halls' PUE alone.
  auto none = base;
  none[3] = budget_2025(0);
  CHECK_THAT(at(simulate(tiny(none)), 2025, "r", kPue), WithinRel(1.5, 1e-12));
  // Leased capacity runs at pue: with US$150 m of IT money besides, 15,000 accelerators fill
  // the 10 MW built and 5 MW of lease: (10 x 1.5 + 10 x 1.1 + 5 x 1.5) / 25 = 1.34.
  auto leased = base;
  leased.push_back("/regions/r/lease_usd_per_mw_year=2e6");
  leased.push_back("/regions/r/max_lease_mw=5");
  leased[3] = budget_2025(2.5e8);
  leased[4] = R"(/capex/split={"it": 0.6, "facility": "rest", "other": 0})";
  const auto l = simulate(tiny(leased));
  CHECK_THAT(at(l, 2025, "r", kItCapacityLeasedMw), WithinRel(5.0, 1e-9));
  CHECK_THAT(at(l, 2025, "r", kPue), WithinRel(1.34, 1e-9));
}
