// The yearly step, one test per step, each on a scenario small enough to work out by hand.
#include <catch2/catch.hpp>

#include "engine_fixture.hpp"

using namespace dcplan;
using namespace dcplan::test;
using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

TEST_CASE("step 8: power and energy of an installed fleet", "[engine][step8]") {
  // 40,000 accelerators x 1,000 W x (0.25 + 0.75 x 0.6) x PUE 1.25 x 8,760 h = 0.3066 TWh.
  const auto s =
      tiny({R"(/regions/r/initial={"it_capacity_mw": 50, "fleet": {"gpu": {"2025": 40000}}})"});
  const auto res = simulate(s);
  CHECK_THAT(at(res, 2025, "r", kItLoadMw), WithinRel(28.0, 1e-12));  // 40 MW x 0.7
  CHECK_THAT(at(res, 2025, "r", kFacilityPowerMw), WithinRel(35.0, 1e-12));
  CHECK_THAT(at(res, 2025, "r", kEnergyTwh), WithinRel(0.3066, 1e-12));
  CHECK_THAT(at(res, 2025, "total", kEnergyTwh), WithinRel(0.3066, 1e-12));
  CHECK_THAT(at(res, 2025, "r", kItNameplateMw), WithinRel(40.0, 1e-12));
  CHECK_THAT(at(res, 2025, "total", kPue), WithinRel(1.25, 1e-12));
  // The initial fleet is sunk: no capex, depreciation or maintenance, in any year.
  for (int year = 2025; year <= 2029; ++year) {
    INFO(year);
    CHECK(at(res, year, "r", kCapexUsd) == 0.0);
    CHECK(at(res, year, "r", kDepreciationUsd) == 0.0);
    CHECK(at(res, year, "r", kMaintenanceUsd) == 0.0);
  }
}

TEST_CASE("step 8: this year's purchases run first_year_fraction of the year", "[engine][step8]") {
  // 1e8 USD buys 10,000 accelerators (10 MW) in 2025, all installed into 10 MW.
  // Draw: 10,000 x 1 kW x 0.7 x 0.5 (first year) = 3.5 MW; 7 MW from 2026.
  const auto s =
      tiny({R"(/regions/r/initial={"it_capacity_mw": 10})",
            "/capex/budget={\"series\": {\"2025\": 1e8, \"2026\": 0}, \"interp\": \"step\"}"});
  const auto res = simulate(s);
  CHECK_THAT(at(res, 2025, "r", kAcceleratorsPurchased), WithinRel(10000.0, 1e-12));
  CHECK_THAT(at(res, 2025, "r", kItLoadMw), WithinRel(3.5, 1e-12));
  CHECK_THAT(at(res, 2026, "r", kItLoadMw), WithinRel(7.0, 1e-12));
  // Peak counts every installed accelerator at year end: 10,000 x 1,000 TFLOPS = 10,000 PFLOP/s.
  CHECK_THAT(at(res, 2025, "r", kPeakPflops), WithinRel(10000.0, 1e-12));
}

TEST_CASE("step 1: capacity comes online after construction_years", "[engine][step1]") {
  // Facility capex 1e8 at 1e7 USD/MW = 10 MW, started in 2025, 2 years: online in 2027.
  const auto s = tiny(
      {"/regions/r/construction_years=2", "/capex/split={\"it\": 0, \"facility\": 1, \"other\": 0}",
       "/capex/budget={\"series\": {\"2025\": 1e8, \"2026\": 0}, \"interp\": \"step\"}"});
  const auto res = simulate(s);
  CHECK(at(res, 2025, "r", kItCapacityMw) == 0);
  CHECK_THAT(at(res, 2025, "r", kItCapacityPipelineMw), WithinRel(10.0, 1e-12));
  CHECK_THAT(at(res, 2026, "r", kItCapacityPipelineMw), WithinRel(10.0, 1e-12));
  CHECK_THAT(at(res, 2027, "r", kItCapacityMw), WithinRel(10.0, 1e-12));
  CHECK(at(res, 2027, "r", kItCapacityPipelineMw) == 0);
}

TEST_CASE("step 2: ageing, failures and retirement", "[engine][step2]") {
  // 1,000 accelerators of vintage 2022, lifetime 5, 10% failures a year. Ages: 3 in 2025,
  // 4 in 2026, 5 in 2027 (retire). Failed: 100 in 2025 (900 left), 90 in 2026 (810 left);
  // in 2027 the 810 retire and none fail.
  const auto s =
      tiny({"/hardware/gpu/annual_failure_rate=0.1",
            R"(/regions/r/initial={"it_capacity_mw": 1, "fleet": {"gpu": {"2022": 1000}}})"});
  const auto res = simulate(s);
  CHECK_THAT(at(res, 2025, "r", kAcceleratorsFailed), WithinRel(100.0, 1e-12));
  CHECK_THAT(at(res, 2025, "r", kAcceleratorsInstalled), WithinRel(900.0, 1e-12));
  CHECK_THAT(at(res, 2026, "r", kAcceleratorsFailed), WithinRel(90.0, 1e-12));
  CHECK_THAT(at(res, 2027, "r", kAcceleratorsRetired), WithinRel(810.0, 1e-12));
  CHECK(at(res, 2027, "r", kAcceleratorsFailed) == 0);
  CHECK(at(res, 2027, "r", kAcceleratorsInstalled) == 0);
}

TEST_CASE(
    "step 2: a new cohort does not fail in its first year, past-life initial cohorts retire at "
    "once",
    "[engine][step2]") {
  // Bought in 2025 (10,000); 10% fail in 2026 (1,000), not in 2025. A 2020 cohort of a 5-year
  // accelerator is 5 years old in 2025: retired in 2025.
  const auto s =
      tiny({"/hardware/gpu/annual_failure_rate=0.1",
            R"(/regions/r/initial={"it_capacity_mw": 20, "fleet": {"gpu": {"2020": 500}}})",
            "/capex/budget={\"series\": {\"2025\": 1e8, \"2026\": 0}, \"interp\": \"step\"}"});
  const auto res = simulate(s);
  CHECK(at(res, 2025, "r", kAcceleratorsFailed) == 0);
  CHECK_THAT(at(res, 2025, "r", kAcceleratorsRetired), WithinRel(500.0, 1e-12));
  CHECK_THAT(at(res, 2026, "r", kAcceleratorsFailed), WithinRel(1000.0, 1e-12));
}

TEST_CASE("step 3: budget converted at the year's rate, split, shared by weight",
          "[engine][step3]") {
  // CNY 7.2e9 at 7.2 CNY/USD = US$1e9; split 0.5/0.3/0.2; weights r:a = 3:1.
  // r: budget 750m, IT 375m, facility 225m, other 150m; a: 250m, 125m, 75m, 50m.
  auto s = tiny_v1(
      {"/currency=CNY", "/fx_per_usd={\"CNY\": 7.2}", "/capex/budget=7.2e9",
       "/capex/split={\"it\": 0.5, \"facility\": 0.3, \"other\": 0.2}",
       R"(/regions/a={"pue": 1.1, "power_price_usd_per_mwh": 50, "grid_g_per_kwh": 100, "facility_capex_usd_per_mw": 1e7})",
       "/capex/region_weights={\"r\": 3, \"a\": 1}"});
  const auto res = simulate(s);
  CHECK_THAT(at(res, 2025, "r", kBudgetUsd), WithinRel(750e6, 1e-12));
  CHECK_THAT(at(res, 2025, "a", kBudgetUsd), WithinRel(250e6, 1e-12));
  CHECK_THAT(at(res, 2025, "r", kCapexItUsd), WithinRel(375e6, 1e-12));
  CHECK_THAT(at(res, 2025, "r", kCapexFacilityUsd), WithinRel(225e6, 1e-12));
  CHECK_THAT(at(res, 2025, "a", kCapexOtherUsd), WithinRel(50e6, 1e-12));
  CHECK_THAT(at(res, 2025, "total", kCapexUsd), WithinRel(1e9, 1e-12));
}

TEST_CASE("step 3: with no region open the budget carries over", "[engine][step3]") {
  // The region opens in 2026: the 2025 budget (1e8) carries over and is spent in 2026 with
  // that year's 1e8.
  const auto s = tiny({"/regions/r/opens=2026", "/capex/budget=1e8",
                       "/capex/split={\"it\": 0, \"facility\": 1, \"other\": 0}"});
  const auto res = simulate(s);
  CHECK(at(res, 2025, "total", kCapexUsd) == 0);
  CHECK_THAT(at(res, 2025, "total", kCarryoverUsd), WithinRel(1e8, 1e-12));
  CHECK_THAT(at(res, 2025, "r", kCarryoverUsd), WithinRel(1e8, 1e-12));
  CHECK_THAT(at(res, 2026, "total", kCapexUsd), WithinRel(2e8, 1e-12));
  CHECK(at(res, 2026, "total", kCarryoverUsd) == 0);
}

TEST_CASE("step 4: a capped region spills to the others by weight, all full carries over",
          "[engine][step4][spill]") {
  // Facility budget 4e8 (1e7/MW = 40 MW). Weights r:b:c = 2:1:1 ask 20, 10, 10 MW.
  // r may add 5 MW a year: 15 MW (1.5e8) spill to b and c by weight 1:1, 7.5 MW each.
  // b's total is capped at 15 MW: it takes 5 of the 7.5; the 2.5 MW (2.5e7) left go to c,
  // the only region with room. Spent: r 5e7, b 1.5e8, c 2e8.
  auto s = tiny(
      {"/capex/budget=4e8", "/capex/split={\"it\": 0, \"facility\": 1, \"other\": 0}",
       "/regions/r/max_new_mw_per_year=5",
       R"(/regions/b={"pue": 1.2, "power_price_usd_per_mwh": 50, "grid_g_per_kwh": 100, "facility_capex_usd_per_mw": 1e7, "max_total_mw": 15})",
       R"(/regions/c={"pue": 1.2, "power_price_usd_per_mwh": 50, "grid_g_per_kwh": 100, "facility_capex_usd_per_mw": 1e7})",
       "/capex/region_weights={\"r\": 2, \"b\": 1, \"c\": 1}"});
  const auto res = simulate(s);
  CHECK_THAT(at(res, 2025, "r", kCapexFacilityUsd), WithinRel(5e7, 1e-12));
  CHECK_THAT(at(res, 2025, "b", kCapexFacilityUsd), WithinRel(1.5e8, 1e-12));
  CHECK_THAT(at(res, 2025, "c", kCapexFacilityUsd), WithinRel(2e8, 1e-12));
  CHECK_THAT(at(res, 2025, "total", kCarryoverUsd), WithinAbs(0.0, 1e-3));

  // All full: c capped too (10 MW total). 2025: r 5 MW, b 15, c 10 = 3e8 spent, 1e8 carried.
  // 2026: 4e8 + 1e8; only r can add 5 MW (5e7): 4.5e8 carried.
  s = tiny(
      {"/capex/budget=4e8", "/capex/split={\"it\": 0, \"facility\": 1, \"other\": 0}",
       "/regions/r/max_new_mw_per_year=5",
       R"(/regions/b={"pue": 1.2, "power_price_usd_per_mwh": 50, "grid_g_per_kwh": 100, "facility_capex_usd_per_mw": 1e7, "max_total_mw": 15})",
       R"(/regions/c={"pue": 1.2, "power_price_usd_per_mwh": 50, "grid_g_per_kwh": 100, "facility_capex_usd_per_mw": 1e7, "max_total_mw": 10})",
       "/capex/region_weights={\"r\": 2, \"b\": 1, \"c\": 1}"});
  const auto full = simulate(s);
  CHECK_THAT(at(full, 2025, "total", kCapexUsd), WithinRel(3e8, 1e-12));
  CHECK_THAT(at(full, 2025, "total", kCarryoverUsd), WithinRel(1e8, 1e-12));
  CHECK_THAT(at(full, 2026, "total", kCapexUsd), WithinRel(5e7, 1e-12));
  CHECK_THAT(at(full, 2026, "total", kCarryoverUsd), WithinRel(4.5e8, 1e-12));
  // The carry-over is attributed in proportion to what each region could not spend itself.
  // 2026 shares of 5e8: r 2.5e8 (spends 5e7: 2e8 left), b 1.25e8 and c 1.25e8 (full: all left).
  CHECK_THAT(at(full, 2026, "r", kCarryoverUsd), WithinRel(2e8, 1e-9));
  CHECK_THAT(at(full, 2026, "b", kCarryoverUsd), WithinRel(1.25e8, 1e-9));
  CHECK_THAT(at(full, 2026, "c", kCarryoverUsd), WithinRel(1.25e8, 1e-9));
}

TEST_CASE("step 5: stranded accelerators install oldest first when capacity arrives",
          "[engine][step5][stranding]") {
  // No capacity at first; facility takes 1 year. 2025: IT 5e7 buys 5,000 (5 MW), facility 5e7
  // buys 5 MW online in 2026: all 5,000 stranded in 2025.
  // 2026: the 2025 batch (5 MW) installs into the 5 MW; the 2026 batch (5,000) strands.
  // 2027: 5 more MW: the 2026 batch installs; the 2027 batch strands.
  const auto s = tiny_v1({"/regions/r/construction_years=1", "/capex/budget=1e8",
                          "/capex/split={\"it\": 0.5, \"facility\": 0.5, \"other\": 0}"});
  const auto res = simulate(s);
  CHECK_THAT(at(res, 2025, "r", kAcceleratorsStranded), WithinRel(5000.0, 1e-12));
  CHECK(at(res, 2025, "r", kAcceleratorsInstalled) == 0);
  CHECK_THAT(at(res, 2025, "r", kStrandedCapexUsd), WithinRel(5e7, 1e-12));
  CHECK_THAT(at(res, 2026, "r", kAcceleratorsInstalled), WithinRel(5000.0, 1e-12));
  CHECK_THAT(at(res, 2026, "r", kAcceleratorsStranded), WithinRel(5000.0, 1e-12));
  // The queue installs count for the whole year: 5,000 x 1 kW x 0.7 = 3.5 MW.
  CHECK_THAT(at(res, 2026, "r", kItLoadMw), WithinRel(3.5, 1e-12));
  CHECK_THAT(at(res, 2027, "r", kAcceleratorsInstalled), WithinRel(10000.0, 1e-12));
  // Oldest first: with only half the room, the older batch goes first. A 2-year batch order
  // check: 2025 batch 5,000 waits; in 2026 2.5 MW arrive (half); the 2025 batch takes them.
  const auto half = simulate(
      tiny_v1({"/regions/r/construction_years=1",
               "/capex/budget={\"series\": {\"2025\": 1e8, \"2026\": 5e7}, \"interp\": \"step\"}",
               "/capex/split={\"it\": 0.5, \"facility\": 0.5, \"other\": 0}"}));
  // 2026: online 5 MW (from 2025's 5e7); 2025 batch (5,000) installs fully; 2026 IT 2.5e7
  // buys 2,500 that strand. 2027: 2.5 MW online more: the 2026 batch (2.5 MW) installs.
  CHECK_THAT(at(half, 2026, "r", kAcceleratorsInstalled), WithinRel(5000.0, 1e-12));
  CHECK_THAT(at(half, 2026, "r", kAcceleratorsStranded), WithinRel(2500.0, 1e-12));
  CHECK_THAT(at(half, 2027, "r", kAcceleratorsInstalled), WithinRel(7500.0, 1e-12));
}

TEST_CASE("step 5: stranded batches retire at the end of their lifetime", "[engine][step5]") {
  // Lifetime 2, no capacity ever: the 2025 batch (10,000) retires from the queue in 2027.
  const auto s =
      tiny_v1({"/hardware/gpu/lifetime_years=2",
               "/capex/budget={\"series\": {\"2025\": 1e8, \"2026\": 0}, \"interp\": \"step\"}"});
  const auto res = simulate(s);
  CHECK_THAT(at(res, 2026, "r", kAcceleratorsStranded), WithinRel(10000.0, 1e-12));
  CHECK_THAT(at(res, 2027, "r", kAcceleratorsRetired), WithinRel(10000.0, 1e-12));
  CHECK(at(res, 2027, "r", kAcceleratorsStranded) == 0);
  CHECK(at(res, 2026, "r", kAcceleratorsFailed) == 0);
}

TEST_CASE("step 6: mix renormalised over hardware allowed and on sale, partial install",
          "[engine][step6]") {
  // Mix gpu:new = 1:1, but "new" is on sale from 2027: 2025 spends all 1e8 on gpu (10,000).
  // From 2027 half each: 5e7 / 10,000 = 5,000 gpu and 5e7 / 25,000 = 2,000 new.
  auto s = tiny(
      {R"(/hardware/new={"available": 2027, "bf16_tflops": 2000, "all_in_w": 2000, "price_usd": 25000, "lifetime_years": 5})",
       "/capex/hardware_mix={\"*\": {\"gpu\": 0.5, \"new\": 0.5}}", "/capex/budget=1e8",
       R"(/regions/r/initial={"it_capacity_mw": 1000})"});
  const auto res = simulate(s, EngineOptions{true});
  CHECK_THAT(at(res, 2025, "r", kAcceleratorsPurchased), WithinRel(10000.0, 1e-12));
  CHECK_THAT(at(res, 2027, "r", kAcceleratorsPurchased), WithinRel(7000.0, 1e-12));
  // Every type installs the same fraction: 3 MW of room for 6 MW of purchases (half).
  s = tiny_v1(
      {R"(/hardware/new={"available": 2020, "bf16_tflops": 2000, "all_in_w": 2000, "price_usd": 25000, "lifetime_years": 5})",
       "/capex/hardware_mix={\"*\": {\"gpu\": 0.5, \"new\": 0.5}}",
       "/capex/budget={\"series\": {\"2025\": 1e8, \"2026\": 0}, \"interp\": \"step\"}",
       R"(/regions/r/initial={"it_capacity_mw": 4.5})"});
  // 5,000 gpu (5 MW) + 2,000 new (4 MW) = 9 MW into 4.5 MW: half of each installs.
  const auto part = simulate(s, EngineOptions{true});
  const auto gpu_row = part.find_row(2025, 0, 0);
  const auto new_row = part.find_row(2025, 0, 1);
  CHECK_THAT(part.values(gpu_row, kAcceleratorsInstalled), WithinRel(2500.0, 1e-12));
  CHECK_THAT(part.values(new_row, kAcceleratorsInstalled), WithinRel(1000.0, 1e-12));
  CHECK_THAT(part.values(new_row, kAcceleratorsStranded), WithinRel(1000.0, 1e-12));
  // Allowed hardware: a region that may not install "new" buys only gpu.
  s = tiny_v1(
      {R"(/hardware/new={"available": 2020, "bf16_tflops": 2000, "all_in_w": 2000, "price_usd": 25000, "lifetime_years": 5})",
       "/capex/hardware_mix={\"*\": {\"gpu\": 0.5, \"new\": 0.5}}", "/capex/budget=1e8",
       "/regions/r/allowed_hardware=[\"gpu\"]"});
  CHECK_THAT(at(simulate(s), 2025, "r", kAcceleratorsPurchased), WithinRel(10000.0, 1e-12));
}

TEST_CASE("step 7: utilisation follows demand, up to max_utilisation", "[engine][step7]") {
  // 10,000 accelerators x 1,000 TFLOPS = 10 EFLOP/s; initial fleet (weight 1): A = 10
  // EFLOP-year. Demand 4 -> u = 0.4; demand 50 -> u = max 0.9.
  auto s = tiny({R"(/regions/r/initial={"it_capacity_mw": 10, "fleet": {"gpu": {"2025": 10000}}})",
                 "/demand={\"eflop_year\": 4}"});
  auto res = simulate(s);
  CHECK_THAT(at(res, 2025, "r", kUtilisation), WithinRel(0.4, 1e-12));
  CHECK_THAT(at(res, 2025, "r", kDeliveredEflopYear), WithinRel(4.0, 1e-12));
  CHECK_THAT(at(res, 2025, "r", kUnmetEflopYear), WithinAbs(0.0, 1e-12));
  s = tiny({R"(/regions/r/initial={"it_capacity_mw": 10, "fleet": {"gpu": {"2025": 10000}}})",
            "/demand={\"eflop_year\": 50, \"price_usd_per_eflop_year\": 1e8}"});
  res = simulate(s);
  CHECK_THAT(at(res, 2025, "r", kUtilisation), WithinRel(0.9, 1e-12));
  // Step 12: unmet = 50 - 9 = 41; revenue = 9 x 1e8.
  CHECK_THAT(at(res, 2025, "r", kUnmetEflopYear), WithinRel(41.0, 1e-12));
  CHECK_THAT(at(res, 2025, "r", kRevenueUsd), WithinRel(9e8, 1e-12));
  CHECK_THAT(at(res, 2025, "r", kMarginUsd), WithinRel(9e8 - at(res, 2025, "r", kTcoUsd), 1e-12));
}

TEST_CASE("step 9: available compute weights this year's purchases", "[engine][step9]") {
  // 10,000 bought and installed in 2025, first_year_fraction 0.5: A = 5 EFLOP-year;
  // delivered = 0.6 x 5 = 3; 2026: 0.6 x 10 = 6.
  const auto s =
      tiny({R"(/regions/r/initial={"it_capacity_mw": 10})",
            "/capex/budget={\"series\": {\"2025\": 1e8, \"2026\": 0}, \"interp\": \"step\"}"});
  const auto res = simulate(s);
  CHECK_THAT(at(res, 2025, "r", kDeliveredEflopYear), WithinRel(3.0, 1e-12));
  CHECK_THAT(at(res, 2026, "r", kDeliveredEflopYear), WithinRel(6.0, 1e-12));
}

TEST_CASE("step 10: depreciation, electricity, maintenance, TCO, discounting", "[engine][step10]") {
  // 2025: IT 1e8 (lifetime 5: 2e7 a year), facility 5e7 (20 years: 2.5e6), other 2e7 (1e6).
  // Depreciation 2025 = 2.35e7. Maintenance 0.03 x (1e8 + 5e7) = 4.5e6.
  // 10,000 installed (capacity 10 MW initial): draw 10 MW x 0.7 x 0.5 = 3.5 MW; x 1.25 x
  // 8,760 = 38,325 MWh x 100 USD = 3,832,500 USD.
  const auto s = tiny({R"(/regions/r/initial={"it_capacity_mw": 10})", "/capex/budget=1.7e8",
                       "/capex/split={\"it\": 0.5882352941176471, \"facility\": "
                       "0.29411764705882354, \"other\": 0.11764705882352941}",
                       "/finance/discount_rate=0.1"});
  const auto res = simulate(s);
  CHECK_THAT(at(res, 2025, "r", kCapexItUsd), WithinRel(1e8, 1e-12));
  CHECK_THAT(at(res, 2025, "r", kDepreciationUsd), WithinRel(2.35e7, 1e-12));
  CHECK_THAT(at(res, 2025, "r", kMaintenanceUsd), WithinRel(4.5e6, 1e-12));
  CHECK_THAT(at(res, 2025, "r", kElectricityCostUsd), WithinRel(3832500.0, 1e-12));
  CHECK_THAT(at(res, 2025, "r", kOpexUsd), WithinRel(3832500.0 + 4.5e6, 1e-12));
  CHECK_THAT(at(res, 2025, "r", kTcoUsd), WithinRel(2.35e7 + 3832500.0 + 4.5e6, 1e-12));
  // 2026: depreciation doubles (two years of spending); discounted by 1.1.
  CHECK_THAT(at(res, 2026, "r", kDepreciationUsd), WithinRel(4.7e7, 1e-12));
  const double flow = at(res, 2026, "r", kCapexUsd) + at(res, 2026, "r", kOpexUsd);
  CHECK_THAT(at(res, 2026, "r", kDiscountedCostUsd), WithinRel(flow / 1.1, 1e-12));
  // Cost per EFLOP-year = TCO / delivered.
  CHECK_THAT(
      at(res, 2025, "r", kCostPerEflopYearUsd),
      WithinRel(at(res, 2025, "r", kTcoUsd) / at(res, 2025, "r", kDeliveredEflopYear), 1e-12));
}

TEST_CASE("step 10: depreciation and maintenance end with the life of what was bought",
          "[engine][step10]") {
  // Spending in 2025 only: IT 1e8 over 2 years (5e7 a year), facility 5e7 and other 2e7 over a
  // 2-year facility life (3.5e7 a year). Depreciation 8.5e7 in 2025 and 2026, then exactly 0;
  // maintenance 0.03 x (1e8 + 5e7) = 4.5e6 while in service, then 0.
  const auto s = tiny({R"(/regions/r/initial={"it_capacity_mw": 10})",
                       R"(/capex/budget={"series": {"2025": 1.7e8, "2026": 0}, "interp": "step"})",
                       "/capex/split={\"it\": 0.5882352941176471, \"facility\": "
                       "0.29411764705882354, \"other\": 0.11764705882352941}",
                       "/hardware/gpu/lifetime_years=2", "/finance/facility_life_years=2"});
  const auto res = simulate(s);
  for (int year : {2025, 2026}) {
    INFO(year);
    CHECK_THAT(at(res, year, "r", kDepreciationUsd), WithinRel(8.5e7, 1e-12));
    CHECK_THAT(at(res, year, "r", kMaintenanceUsd), WithinRel(4.5e6, 1e-12));
  }
  for (int year : {2027, 2028, 2029}) {
    INFO(year);
    CHECK(at(res, year, "r", kDepreciationUsd) == 0.0);
    CHECK(at(res, year, "r", kMaintenanceUsd) == 0.0);
    CHECK(at(res, year, "r", kAcceleratorsInstalled) == 0.0);
  }
}

TEST_CASE("step 10: a ratio with a zero denominator is empty", "[engine][step10]") {
  const auto res = simulate(tiny());
  CHECK(is_empty_cell(at(res, 2025, "total", kCostPerEflopYearUsd)));
  CHECK(is_empty_cell(at(res, 2025, "total", kPue)));
  CHECK(at(res, 2025, "r", kPue) == 1.25);  // a region row shows the year's PUE
}

TEST_CASE("step 11: operational and embodied carbon", "[engine][step11]") {
  // 0.3066 TWh = 306,600 MWh x 500 g/kWh x (1 - 0.4) = 91,980 t. Embodied: 10,000 bought x
  // 1,500 kg = 15,000 t.
  const auto s =
      tiny({R"(/regions/r/initial={"it_capacity_mw": 60, "fleet": {"gpu": {"2025": 40000}}})",
            "/regions/r/renewable_share=0.4", "/hardware/gpu/embodied_kgco2e=1500",
            "/capex/budget={\"series\": {\"2025\": 1e8, \"2026\": 0}, \"interp\": \"step\"}"});
  const auto res = simulate(s);
  // Energy includes this year's purchases at half weight: 40,000 + 5,000 effective.
  const double mwh = 45000 * 1e-3 * 0.7 * 1.25 * 8760;
  CHECK_THAT(at(res, 2025, "r", kEnergyTwh), WithinRel(mwh / 1e6, 1e-12));
  CHECK_THAT(at(res, 2025, "r", kOperationalTco2), WithinRel(mwh * 500 * 0.6 / 1000, 1e-12));
  CHECK_THAT(at(res, 2025, "r", kEmbodiedTco2), WithinRel(15000.0, 1e-12));
}

TEST_CASE("the engine is a value: two runs in one process agree and do not interfere", "[engine]") {
  const auto a = tiny({"/capex/budget=1e8", R"(/regions/r/initial={"it_capacity_mw": 5})"});
  const auto b = tiny({"/capex/budget=3e8", R"(/regions/r/initial={"it_capacity_mw": 50})"});
  Engine engine;
  Results ra1, rb, ra2;
  engine.run(a, {}, ra1);
  engine.run(b, {}, rb);
  engine.run(a, {}, ra2);
  CHECK((ra1.values.isNaN() == ra2.values.isNaN()).all());
  CHECK(
      (ra1.values.isNaN().select(0, ra1.values) == ra2.values.isNaN().select(0, ra2.values)).all());
  CHECK(at(rb, 2029, "total", kPeakPflops) > at(ra1, 2029, "total", kPeakPflops));
}

TEST_CASE("one Results reused across layouts gets the right row keys", "[engine]") {
  // Two years with region rows and four years of totals alone both have four rows.
  const auto two = tiny({"/horizon/end=2026"});
  const auto four = tiny({"/horizon/end=2028"});
  Engine engine;
  Results res;
  engine.run(two, {}, res);
  REQUIRE(res.rows() == 4);
  EngineOptions totals;
  totals.region_rows = false;
  engine.run(four, totals, res);
  REQUIRE(res.rows() == 4);
  for (int i = 0; i < 4; ++i) {
    CHECK(res.keys[static_cast<std::size_t>(i)].year == 2025 + i);
    CHECK(res.keys[static_cast<std::size_t>(i)].region == RowKey::kTotal);
  }
  engine.run(two, {}, res);
  CHECK(res.keys[0].region == 0);
  CHECK(res.keys[3].region == RowKey::kTotal);
}
